"""``TODO.md`` of one overlay: what a person has to fill in or decide before applying it.

Every entry names its finding the way ``kportable lint`` does (rule id, object, key path), so a
person can find it in the original manifests and in a lint report.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..findings import Finding, ObjectRef
from .plan import Outcome

if TYPE_CHECKING:
    from .plan import Plan, TargetPlan


def finding_id(finding: Finding) -> str:
    """``KP401 ServiceAccount shop/storefront metadata.annotations["eks.amazonaws.com/role-arn"]``."""
    return f"{finding.rule_id} {object_name(finding.obj)} {finding.path or '(object)'}"


def object_name(obj: ObjectRef | None) -> str:
    if obj is None:
        return "(file)"
    return f"{obj.kind} {obj.namespace or '-'}/{obj.name}"


def render_todo(plan: Plan, target: TargetPlan) -> str:
    name = plan.cloud_names.get(target.cloud, target.cloud)
    source = plan.cloud_names.get(plan.source, plan.source)
    lines = [f"# TODO: {name} overlay", ""]
    if target.source:
        lines += [f"This is the source overlay: it restores every cloud-specific item that `kportable port --from "
                  f"{plan.source}` took out of `base/`, so `kubectl kustomize` here rebuilds the original objects.",
                  "", "Nothing to decide.", ""]
        return "\n".join(lines)
    lines += [f"Written by `kportable port --from {plan.source}` for a bundle written for {source}. "
              f"`kubectl kustomize` here builds the bundle for {name}; work through this list before applying it.",
              ""]
    lines += _section("Values to fill in", (
        f"- [ ] `{fill.resource.kind} {fill.resource.namespace or '-'}/{fill.resource.name}` `{fill.where}`: "
        f"`{fill.value}`" + (f" ({fill.note})" if fill.note else "") if fill.resource is not None
        else f"- [ ] `{fill.where}`: `{fill.value}`" + (f" ({fill.note})" if fill.note else "")
        for fill in target.fills))
    lines += _section(f"Objects left out of this overlay (no {name} equivalent)", (
        f"- [ ] `{res.kind} {res.namespace or '-'}/{res.name}` ({res.path}): {mover.reason}. "
        f"{mover.finding.message}. Fix: {mover.finding.fix}" + "".join(
            f"\n  - {finding_id(t.finding)}" for t in target.todos if t.moved and _same(t.finding.obj, res))
        for res, mover in target.dropped_objects))
    lines += _section(f"No {name} equivalent: decide per item", (
        f"- [ ] {finding_id(todo.finding)}: {todo.finding.message} ({todo.reason}). Fix: {todo.finding.fix}"
        for todo in target.todos if not todo.moved))
    reviewed = sorted({d.concept for d in target.decisions if d.outcome is Outcome.EQUIVALENT and d.concept})
    lines += _section("Equivalents written (review)", (
        f"- {concept}" + (f": {target.notes[concept]}" if concept in target.notes else "") for concept in reviewed))
    if len(lines) == 4:
        lines += ["Nothing to decide: every cloud-specific item has an equivalent or is the default here.", ""]
    return "\n".join(lines)


def _same(obj: ObjectRef | None, res: object) -> bool:
    if obj is None:
        return False
    found = (getattr(res, "kind", None), getattr(res, "namespace", None), getattr(res, "name", None))
    return found == (obj.kind, obj.namespace, obj.name)


def _section(title: str, entries: Iterable[str]) -> list[str]:
    body = list(entries)
    if not body:
        return []
    return [f"## {title} ({len(body)})", "", *body, ""]
