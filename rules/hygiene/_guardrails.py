"""Namespace guardrails shared by KP711 and KP712: one finding per namespace that lacks one.

A namespace counts when it holds reported workloads (``--context``-only namespaces do not);
the guardrail may come from a ``--context`` file. The finding lands on the namespace's anchor
(``_scope.namespace_anchor``) and counts against every reported workload of the namespace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kportable.findings import Finding
from kportable.rule import RuleContext

from .._scope import namespace_anchor, namespace_related, workload_names


def missing_guardrail(
    ctx: RuleContext[Any],
    what: str,
    present: Callable[[str], bool],
    fix: Callable[[str], str],
) -> Iterator[Finding]:
    """A finding for each namespace with workloads where ``present(namespace)`` is False."""
    inventory = ctx.inventory
    for namespace in inventory.namespaces_with_workloads:
        if present(namespace):
            continue
        anchor = namespace_anchor(inventory, namespace)
        if anchor is None:
            continue
        resource, pointer = anchor
        workloads = [w for w in inventory.workloads_in(namespace) if not w.resource.context]
        yield ctx.finding(
            resource,
            pointer,
            f"namespace {namespace!r} runs {workload_names(workloads)} but has no {what} in the bundle",
            fix=fix(namespace),
            related=namespace_related(inventory, namespace),
        )
