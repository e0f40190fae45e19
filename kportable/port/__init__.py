"""``kportable port``: turn a cloud-tied bundle into a portable kustomize base plus one overlay per cloud.

    plan = port.plan_paths(["k8s/"], source="eks")   # lint with the cloud rules, decide what moves where
    port.write_plan(plan, "out/")                    # out/base/, out/overlays/<cloud>/{kustomization.yaml,TODO.md}

``plan.py`` decides, ``items.py`` turns findings into edits, ``equivalences.py`` reads each
profile's side of the neutral concepts, ``transform.py``/``patches.py`` edit and diff objects,
``writer.py`` and ``todo.py`` write the layout, ``tree.py`` shows a plan, ``verify.py`` builds the
overlays with kustomize and checks them. See docs/port.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..plugins.manager import Registry
    from .plan import Plan, make_plan
    from .writer import check_output, write_plan

__all__ = ["Plan", "check_output", "cloud_rule_ids", "make_plan", "plan_paths", "write_plan"]

# Imported on first use: every lint loads ``port.equivalences`` (cloud profiles check their
# equivalences), and importing the planner and the writer with it cost ~30 ms of start-up.
_LAZY = {"Plan": ".plan", "make_plan": ".plan", "check_output": ".writer", "write_plan": ".writer"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def cloud_rule_ids(registry: Registry) -> tuple[str, ...]:
    """The rules port lints with: those that report cloud ties (a non-empty ``clouds``)."""
    return tuple(spec.id for spec in registry.rules if spec.clouds)


def plan_paths(
    paths: Sequence[str],
    *,
    source: str,
    targets: Sequence[str] = (),
    registry: Registry | None = None,
    namespace: str = "default",
    exclude: Sequence[str] = (),
) -> Plan:
    """Lint ``paths`` with the cloud rules and plan the port from ``source`` to ``targets``
    (default: every registered profile). Raises ``UserError`` for bad input or options."""
    from ..api import RunOptions, run
    from ..errors import UserError
    from ..plugins.manager import get_registry
    from .plan import make_plan

    registry = registry or get_registry()
    if registry.errors:
        raise UserError("; ".join(e.message for e in registry.errors))
    options = RunOptions(paths=tuple(paths), select=cloud_rule_ids(registry), namespace=namespace,
                         exclude=tuple(exclude), jobs=1)
    result = run(options, registry)
    if result.crashes:
        crash = result.crashes[0]
        raise UserError(f"rule {crash.rule_id} crashed on {crash.obj}: {crash.error}")
    return make_plan(result.inventory, result.findings, registry, source=source, targets=targets, roots=paths)
