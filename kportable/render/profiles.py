"""Values profiles: several renders of one chart, linted once each and compared per workload.

Charts usually carry one values file per cloud (``values-aws.yaml``, ``values-gcp.yaml``); the
question is which render ties which workload to which cloud. ``--values-profile aws=values-aws.yaml``
renders the charts named on the command line once per profile (``charts``), and the runs are
compared the same way. ``--profile aws=rendered-aws.yaml
--profile gcp=rendered-gcp.yaml`` runs the whole pipeline once per profile (same rules, options
and context) and combines the results: every finding is kept (each render is its own input
file), and the ``profiles`` report lists, per workload matched across renders by kind, namespace
and name, what each render ties it to. A finding counts against a workload when it is on the
workload or names it in ``related`` (a Service or ServiceAccount finding that concerns it).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

from ..inventory import Inventory

if TYPE_CHECKING:
    from ..api import RunOptions, RunResult
    from ..plugins.manager import Registry

RunOne = Callable[["RunOptions", "Registry | None"], "RunResult"]
WorkloadKey = tuple[str, str, str]


def _render_entry(result: RunResult) -> dict[WorkloadKey, dict[str, Any]]:
    """Per workload of one render: where it is, its finding count, rules and cloud ties."""
    out: dict[WorkloadKey, dict[str, Any]] = {}
    rules: dict[WorkloadKey, set[str]] = defaultdict(set)
    ties: dict[WorkloadKey, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    counts: Counter[WorkloadKey] = Counter()
    for w in result.inventory.workloads:
        if w.resource.context:
            continue
        key = (w.kind, w.namespace, w.name)
        out.setdefault(key, {"file": w.resource.path, "line": w.resource.doc.line})
    for f in result.active:
        refs = ([f.obj] if f.obj is not None else []) + list(f.related)
        for ref in {(r.kind, r.namespace or "", r.name) for r in refs}:
            if ref not in out:
                continue
            counts[ref] += 1
            rules[ref].add(f.rule_id)
            for cloud in f.clouds:
                ties[ref][cloud].add(f.rule_id)
    for key, entry in out.items():
        entry["findings"] = counts[key]
        entry["rules"] = sorted(rules[key])
        entry["clouds"] = {cloud: sorted(ids) for cloud, ids in sorted(ties[key].items())}
    return out


def summarize(results: list[tuple[str, RunResult]]) -> list[dict[str, Any]]:
    """The ``profiles`` report: one row per workload, with each render's entry (``None``: not in that render)."""
    per_render = [(name, _render_entry(result)) for name, result in results]
    keys = sorted({key for _, entries in per_render for key in entries})
    rows = []
    for key in keys:
        renders = {name: entries.get(key) for name, entries in per_render}
        ties = {name: tuple(sorted((e or {}).get("clouds", {}))) if e else None for name, e in renders.items()}
        rows.append({
            "kind": key[0],
            "namespace": key[1],
            "name": key[2],
            "differs": len(set(ties.values())) > 1,
            "renders": renders,
        })
    return rows


def _sum_stats(results: list[RunResult]) -> Any:
    first = results[0].stats
    totals = {f.name: sum(getattr(r.stats, f.name) for r in results) for f in fields(first)}
    return replace(first, **totals)


def _merge_kustomize(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {"builds": sorted({*a.get("builds", ()), *b.get("builds", ())})}
    skipped = a.get("kustomization_files_skipped", 0) + b.get("kustomization_files_skipped", 0)
    if skipped:
        merged["kustomization_files_skipped"] = skipped
    return merged


def sub_runs(options: RunOptions) -> list[tuple[str, RunOptions]]:
    """One run per profile: ``--profile`` replaces the paths; ``--values-profile`` renders the named charts
    again with the profile's values files after the common ``-f`` ones (later files win, as in Helm)."""
    if options.profiles:
        return [(name, replace(options, paths=paths, profiles=(), inputs=())) for name, paths in options.profiles]
    return [
        (name, replace(options, values_profiles=(), chart_values=(*options.chart_values, *files), profile_name=name))
        for name, files in options.values_profiles
    ]


def run_profiles(options: RunOptions, registry: Registry | None, run_one: RunOne) -> RunResult:
    """Run the pipeline once per profile and combine the results (see the module docstring)."""
    from ..api import RunResult
    from ..findings import Finding
    from ..plugins.manager import get_registry

    registry = registry or get_registry(options.plugins)
    named: list[tuple[str, RunResult]] = []
    for name, sub in sub_runs(options):
        named.append((name, run_one(sub, registry)))
    results = [r for _, r in named]
    resources = [res for r in results for res in r.inventory.resources]
    problems = [p for r in results for p in r.inventory.problems]
    stats = _sum_stats(results)
    inventory = Inventory(
        resources, problems, non_kubernetes=stats.non_kubernetes, empty_documents=stats.empty_documents,
        files=stats.files,
    )
    seconds: Counter[str] = Counter()
    for r in results:
        seconds.update(r.seconds)
    extras: dict[str, Any] = {}
    for r in results:
        for key, value in r.extras.items():
            if key == "kustomize" and key in extras:
                extras[key] = _merge_kustomize(extras[key], value)
            elif key == "helm" and key in extras:
                extras[key] = {k: sorted({*extras[key][k], *value[k]}) for k in ("charts", "failed")}
            else:
                extras.setdefault(key, value)
    extras["profiles"] = summarize(named)
    return RunResult(
        options=options,
        findings=tuple(sorted((f for r in results for f in r.findings), key=Finding.sort_key)),
        crashes=tuple(c for r in results for c in r.crashes),
        registry=registry,
        rules=results[0].rules,
        stats=stats,
        inventory=inventory,
        texts={k: v for r in results for k, v in r.texts.items()},
        seconds=dict(seconds),
        scores=tuple(s for r in results for s in r.scores),
        extras=extras,
    )
