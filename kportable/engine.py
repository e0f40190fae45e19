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
from typing import TYPE_CHECKING, Any

from .clouds import CloudProfile
from .findings import Finding, Severity
from .inventory import Inventory
from .rule import RuleContext, RuleSpec, Target

if TYPE_CHECKING:
    from .k8s_versions import KubeVersion
    from .validate import SchemaCatalog


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
    k8s_version: KubeVersion | None = None,
    schemas: SchemaCatalog | None = None,
) -> EngineResult:
    """Run ``rules`` and return their findings (unsorted) and crashes."""
    findings: list[Finding] = []
    crashes: list[RuleCrash] = []
    seconds: dict[str, float] = defaultdict(float)
    assumed = frozenset(assume)
    contexts = {
        r.spec.id: RuleContext(r.spec, r.options, inventory, clouds, tuple(targets), assumed,
                               k8s_version=k8s_version, schemas=schemas)
        for r in rules
    }
    overrides = {r.spec.id: r.severity for r in rules if r.severity is not None}

    def collect(spec: RuleSpec, produced: Iterable[Finding], obj: object) -> None:
        # ``obj`` is the resource, workload or "inventory"; it is turned into text only for a crash.
        try:
            for finding in produced:
                if not isinstance(finding, Finding):
                    raise TypeError(f"check yielded {type(finding).__name__}, expected Finding")
                findings.append(finding)
        except Exception as exc:
            crashes.append(
                RuleCrash(spec.id, spec.plugin, str(getattr(obj, "ref", obj)), f"{type(exc).__name__}: {exc}",
                          traceback.format_exc())
            )

    by_kind: dict[str, list[ActiveRule]] = defaultdict(list)
    any_kind: list[ActiveRule] = []
    for r in rules:
        if r.spec.target is Target.RESOURCE:
            if r.spec.kinds is None:
                any_kind.append(r)
            else:
                for kind in r.spec.kinds:
                    by_kind[kind].append(r)
    workload_rules = [r for r in rules if r.spec.target is Target.WORKLOAD]
    inventory_rules = [r for r in rules if r.spec.target is Target.INVENTORY]

    clock = time.perf_counter
    for res in inventory.reported():
        applicable = by_kind.get(res.kind)
        for r in (*applicable, *any_kind) if applicable else any_kind:
            start = clock() if timings else 0.0
            collect(r.spec, _call(r, contexts[r.spec.id], res), res)
            if timings:
                seconds[r.spec.id] += clock() - start
    if workload_rules:
        for w in inventory.workloads:
            if w.resource.context:
                continue
            for r in workload_rules:
                start = clock() if timings else 0.0
                collect(r.spec, _call(r, contexts[r.spec.id], w), w)
                if timings:
                    seconds[r.spec.id] += clock() - start
    for r in inventory_rules:
        start = clock() if timings else 0.0
        collect(r.spec, _call(r, contexts[r.spec.id], None), "inventory")
        if timings:
            seconds[r.spec.id] += clock() - start

    context_paths = {res.path for res in inventory.resources if res.context}
    context_paths.update(p.path for p in inventory.problems if p.context)
    if context_paths:
        findings = [f for f in findings if f.location.path not in context_paths]
    if overrides:
        findings = [f.with_severity(overrides[f.rule_id]) if f.rule_id in overrides else f for f in findings]
    return EngineResult(tuple(findings), tuple(crashes), dict(seconds))


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
