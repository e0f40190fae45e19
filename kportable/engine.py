"""Run the selected rules over the inventory, containing every rule crash.

A rule that raises is a bug in that rule: the engine records a ``RuleCrash`` (rule id, plugin,
object, traceback), keeps every other finding and lets the CLI exit 3. It never logs and
carries on silently, because a rule that did not run would inflate the scores.

Resource rules are dispatched by kind through a table built once, so a rule about Services
never sees a ConfigMap; workload rules run once per workload; inventory rules once per run.
"""

from __future__ import annotations

import time
import traceback
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .clouds import CloudProfile
from .findings import Finding, Severity
from .inventory import Inventory
from .rule import RuleContext, RuleSpec, Target


@dataclass(frozen=True, slots=True)
class ActiveRule:
    """A rule selected for this run, with its validated options and any severity override."""

    spec: RuleSpec
    options: Any
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class RuleCrash:
    """A rule raised instead of returning findings."""

    rule_id: str
    plugin: str
    obj: str
    error: str
    traceback: str


@dataclass(frozen=True)
class EngineResult:
    findings: tuple[Finding, ...]
    crashes: tuple[RuleCrash, ...]
    seconds_by_rule: Mapping[str, float] = field(default_factory=dict)


def run_rules(
    inventory: Inventory,
    rules: Sequence[ActiveRule],
    *,
    clouds: Mapping[str, CloudProfile],
    targets: Sequence[str] = (),
    assume: Iterable[str] = (),
    timings: bool = False,
) -> EngineResult:
    """Run ``rules`` and return their findings (unsorted) and crashes."""
    findings: list[Finding] = []
    crashes: list[RuleCrash] = []
    seconds: dict[str, float] = defaultdict(float)
    assumed = frozenset(assume)
    contexts = {
        r.spec.id: RuleContext(r.spec, r.options, inventory, clouds, tuple(targets), assumed) for r in rules
    }
    overrides = {r.spec.id: r.severity for r in rules if r.severity is not None}

    def collect(spec: RuleSpec, produced: Iterable[Finding], subject: object) -> None:
        try:
            for finding in produced:
                if not isinstance(finding, Finding):
                    raise TypeError(f"check yielded {type(finding).__name__}, expected Finding")
                findings.append(finding)
        except Exception as exc:
            crashes.append(
                RuleCrash(spec.id, spec.plugin, _label(subject), f"{type(exc).__name__}: {exc}",
                          traceback.format_exc())
            )

    # Dispatch tables built once: (rule, context) pairs per kind, kind-specific rules first.
    Plan = list[tuple[ActiveRule, RuleContext[Any]]]
    any_kind: Plan = []
    kinds: set[str] = set()
    for r in rules:
        if r.spec.target is Target.RESOURCE:
            if r.spec.kinds is None:
                any_kind.append((r, contexts[r.spec.id]))
            else:
                kinds.update(r.spec.kinds)
    by_kind: dict[str, Plan] = {
        kind: [(r, contexts[r.spec.id]) for r in rules
               if r.spec.target is Target.RESOURCE and r.spec.kinds is not None and kind in r.spec.kinds] + any_kind
        for kind in kinds
    }
    workload_rules: Plan = [(r, contexts[r.spec.id]) for r in rules if r.spec.target is Target.WORKLOAD]
    inventory_rules: Plan = [(r, contexts[r.spec.id]) for r in rules if r.spec.target is Target.INVENTORY]

    clock = time.perf_counter
    for res in inventory.reported():
        for r, ctx in by_kind.get(res.kind, any_kind):
            if timings:
                start = clock()
                collect(r.spec, _call(r, ctx, res), res)
                seconds[r.spec.id] += clock() - start
            else:
                collect(r.spec, _call(r, ctx, res), res)
    if workload_rules:
        for w in inventory.workloads:
            if w.resource.context:
                continue
            for r, ctx in workload_rules:
                start = clock() if timings else 0.0
                collect(r.spec, _call(r, ctx, w), w)
                if timings:
                    seconds[r.spec.id] += clock() - start
    for r, ctx in inventory_rules:
        start = clock() if timings else 0.0
        collect(r.spec, _call(r, ctx, None), None)
        if timings:
            seconds[r.spec.id] += clock() - start

    context_paths = {res.path for res in inventory.resources if res.context}
    context_paths.update(p.path for p in inventory.problems if p.context)
    if context_paths:
        findings = [f for f in findings if f.location.path not in context_paths]
    if overrides:
        findings = [f.with_severity(overrides[f.rule_id]) if f.rule_id in overrides else f for f in findings]
    return EngineResult(tuple(findings), tuple(crashes), dict(seconds))


def _label(subject: object) -> str:
    """What a crashed check was looking at, for the report (built only when a rule crashes)."""
    ref = getattr(subject, "ref", None)
    return "inventory" if ref is None else str(ref)


def _call(r: ActiveRule, ctx: RuleContext[Any], subject: object) -> Iterable[Finding]:
    """Start a check; exceptions raised before the first yield are deferred to ``collect``."""
    try:
        result = r.spec.check(ctx) if subject is None else r.spec.check(subject, ctx)
        return result if result is not None else ()
    except Exception as exc:
        return _raise(exc)


def _raise(exc: Exception) -> Iterable[Finding]:
    raise exc
    yield  # pragma: no cover - makes this a generator
