"""The plan as a rich tree (``kportable port --dry-run``): what leaves the base, what each overlay gets."""

from __future__ import annotations

from collections import Counter

from rich.tree import Tree

from ..positions import format_pointer
from .items import Action
from .plan import Outcome, Plan, TargetPlan
from .todo import finding_id

_VERB = {Action.REMOVE: "remove", Action.NEUTRAL: "neutral", Action.IMAGE: "registry", Action.MOVE: "move"}


def plan_tree(plan: Plan, out: str) -> Tree:
    items = plan.items
    moved = sum(1 for o in plan.objects if o.moved)
    root = Tree(f"[bold]{out}[/]  port from [bold]{plan.source}[/] to {', '.join(plan.targets)}: "
                f"{len(items)} cloud-specific item(s) in {sum(1 for o in plan.objects if o.items)} object(s), "
                f"{moved} moved whole")
    base = root.add(f"[bold]base/[/] ({sum(1 for f in plan.files if not f.skipped)} file(s))")
    for plan_file in plan.files:
        if plan_file.skipped:
            base.add(f"[yellow]{plan_file.rel}: not ported ({plan_file.skipped})[/]")
            continue
        changed = [o for o in plan_file.objects if o.items]
        node = base.add(f"{plan_file.rel}" + ("" if changed else " [dim](unchanged)[/]"))
        for obj in changed:
            res = obj.resource
            label = f"{res.kind} {res.namespace or '-'}/{res.name}"
            if obj.moved:
                mover = next(i for i in obj.items if i.action is Action.MOVE)
                node.add(f"[magenta]move[/] {label}: {mover.reason} ({mover.finding.rule_id})")
                continue
            sub = node.add(label)
            for item in obj.items:
                sub.add(f"[cyan]{_VERB[item.action]}[/] {format_pointer(item.target)} ({item.finding.rule_id})")
    overlays = root.add("[bold]overlays/[/]")
    for cloud in plan.targets:
        overlays.add(_overlay(plan.overlays[cloud]))
    for problem in plan.problems:
        root.add(f"[yellow]{problem}[/]")
    return root


def _overlay(target: TargetPlan) -> Tree:
    counts = Counter(d.outcome for d in target.decisions)
    if target.source:
        return Tree(f"[bold]{target.cloud}/[/] (source): restores {counts[Outcome.RESTORE]} item(s) and "
                    f"{len(target.restored_objects)} object(s); rebuilds the original")
    node = Tree(f"[bold]{target.cloud}/[/]: {counts[Outcome.RESTORE]} native, {counts[Outcome.EQUIVALENT]} "
                f"equivalent, {counts[Outcome.DEFAULT]} default, {len(target.todos)} to decide, "
                f"{len(target.fills)} value(s) to fill in")
    for res in target.restored_objects:
        node.add(f"[green]restore[/] {res.kind} {res.namespace or '-'}/{res.name} (native)")
    for concept, objects in sorted(target.objects.items()):
        for obj in objects:
            node.add(f"[green]add[/] {obj.get('kind')} {obj.get('metadata', {}).get('name')} ({concept})")
    for decision in target.decisions:
        if decision.outcome in (Outcome.EQUIVALENT, Outcome.DEFAULT) and decision.concept:
            node.add(f"[green]{decision.outcome}[/] {decision.concept}: {finding_id(decision.item.finding)}")
    for todo in target.todos:
        node.add(f"[red]TODO[/] {finding_id(todo.finding)}" + (" (object left out)" if todo.moved else ""))
    return node
