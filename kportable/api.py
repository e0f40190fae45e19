"""``run(RunOptions) -> RunResult``: the whole pipeline, usable without the CLI.

sources -> documents -> inventory -> rules -> findings (sorted) -> result. Each stage takes
the previous stage's output and nothing else; the CLI only builds ``RunOptions`` and turns
the ``RunResult`` into a report and an exit code.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .assume import validate_assumptions
from .baseline import Baseline, BaselineEntry
from .engine import ActiveRule, RuleCrash, run_rules
from .errors import UserError
from .findings import Finding, Severity
from .gcpause import gc_paused
from .inventory import FileProblem, Inventory
from .k8s_versions import target_windows
from .load import DEFAULT_MAX_BYTES, LoadProblem, ParsedSource, parse_bytes
from .model import CLUSTER_SCOPED_KINDS, DEFAULT_NAMESPACE, Resource, as_dict, as_str, resources_of
from .plugins.manager import Registry, get_registry
from .render.pipeline import RenderStage
from .rule import RuleSpec, build_options
from .schema_dir import SchemaDirectory
from .score import compute_scores
from .score_types import WorkloadScore
from .sources import InputFile, expand, failed, read_bytes, read_input
from .suppress import Exemption, apply_suppressions
from .validate import SCHEMA_RULE, SchemaCatalog, SchemaCoverage, coverage, resolve_version


@dataclass(frozen=True)
class RunOptions:
    """Everything one lint run needs. Built by the CLI (or a test) and never mutated.

    ``select``/``ignore`` take rule ids, slugs, aliases or id prefixes (``KP3``); ``select=None``
    means every rule that is on by default. ``inputs`` are in-memory files (name, bytes), linted
    as if read from disk, for tests and editors.
    """

    paths: tuple[str, ...] = ()
    context_paths: tuple[str, ...] = ()
    inputs: tuple[tuple[str, bytes], ...] = ()
    context_inputs: tuple[tuple[str, bytes], ...] = ()
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    fail_on: Severity = Severity.MINOR
    namespace: str = DEFAULT_NAMESPACE
    exclude: tuple[str, ...] = ()
    jobs: int = 1
    max_file_size: int = DEFAULT_MAX_BYTES
    targets: tuple[str, ...] = ()
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    assume: frozenset[str] = frozenset()
    stdin_name: str = "<stdin>"
    stdin: bytes | None = None
    plugins: tuple[object, ...] = ()
    timings: bool = False
    # schema validation (issue 9): the Kubernetes minor to validate against (``None``: the oldest
    # supported by the target clouds' profiles), strict schemas, extra schema directories for CRDs
    k8s_version: str | None = None
    schema_strict: bool = False
    schema_dirs: tuple[str, ...] = ()
    # --- ci (issue #6): exemptions, in-file suppressions, baseline, score gate -------------
    exemptions: tuple[Exemption, ...] = ()
    allow_inline_suppressions: bool = True
    baseline: Baseline | None = None
    min_score: Mapping[str, int] = field(default_factory=dict)  # target (or "*") -> minimum
    today: date | None = None  # for exemption expiry; None = the real date
    # --- rendered input (kportable/render, docs/helm-kustomize.md): ``chart_dirs`` resolve Helm's
    # ``# Source:`` origins to template lines; ``profiles`` are (name, paths) renders linted one by one
    # and compared (they replace ``paths``); ``kustomize_build`` builds kustomization directories (the
    # CLI's default, off in the API so library callers never start a subprocess unasked).
    chart_dirs: tuple[str, ...] = ()
    profiles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    kustomize_build: bool = False
    kustomize_bin: str | None = None
    # --- Helm charts rendered by kportable (render/charts.py): ``chart_render`` renders charts the paths
    # name or contain (the CLI's default, off in the API like ``kustomize_build``); values, ``--set`` and
    # the release apply to charts named in ``paths``; ``values_profiles`` are (name, values files) renders
    # of those charts linted one by one and compared; ``profile_name`` names the render of one of them.
    chart_render: bool = False
    chart_values: tuple[str, ...] = ()
    chart_set: tuple[str, ...] = ()
    chart_set_string: tuple[str, ...] = ()
    release: str = "release-name"
    helm_backend: str = "auto"
    helm_bin: str | None = None
    values_profiles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    profile_name: str | None = None


@dataclass(frozen=True)
class RunStats:
    """Counts for the summary line and the JSON report."""

    files: int = 0
    documents: int = 0
    resources: int = 0
    workloads: int = 0
    non_kubernetes: int = 0
    empty_documents: int = 0
    context_resources: int = 0


@dataclass(frozen=True)
class RunResult:
    """The outcome of a run: sorted findings, rule crashes, plugin errors and what was read."""

    options: RunOptions
    findings: tuple[Finding, ...]
    crashes: tuple[RuleCrash, ...]
    registry: Registry
    rules: tuple[RuleSpec, ...]
    stats: RunStats
    inventory: Inventory
    texts: Mapping[str, str] = field(default_factory=dict)
    seconds: Mapping[str, float] = field(default_factory=dict)
    scores: tuple[WorkloadScore, ...] = ()
    extras: Mapping[str, Any] = field(default_factory=dict)
    schema: SchemaCoverage | None = None
    stale_baseline: tuple[BaselineEntry, ...] = ()  # ci (issue #6): baseline entries nothing matched

    @property
    def plugin_errors(self) -> tuple[str, ...]:
        return tuple(e.message for e in self.registry.errors)

    @property
    def active(self) -> tuple[Finding, ...]:
        """Findings that are not suppressed."""
        return tuple(f for f in self.findings if f.suppressed is None)

    def counts(self) -> Counter[str]:
        return Counter(f.severity.value for f in self.active)

    def failed(self, threshold: Severity | None = None) -> bool:
        """True when an unsuppressed finding is at or above ``threshold`` (default: the run's ``fail_on``)."""
        level = (threshold or self.options.fail_on).rank
        return any(f.severity.rank >= level for f in self.active)

    @property
    def internal_error(self) -> bool:
        """A rule crashed or a plugin failed: the run is incomplete (exit 3)."""
        return bool(self.crashes or self.registry.errors)


# --------------------------------------------------------------------------- rule selection


def _matches(spec: RuleSpec, selector: str) -> bool:
    s = selector.strip()
    if s.upper() == "ALL":
        return True
    if s.upper() == spec.id or s in spec.names:
        return True
    if s.isalpha() and s.upper() == spec.id[:-3]:  # a whole id prefix: ACME selects every ACMEnnn rule
        return True
    return len(s) < len(spec.id) and spec.id.startswith(s.upper()) and s[:1].isalpha() and s[-1:].isdigit()


def selector_matches(spec: RuleSpec, selector: str) -> bool:
    """True when ``--select``/``--ignore`` value ``selector`` (id, slug, alias, prefix, ALL) names ``spec``."""
    return _matches(spec, selector)


def _exact(spec: RuleSpec, selector: str) -> bool:
    s = selector.strip()
    return s.upper() in ("ALL", spec.id) or s in spec.names


def _check_selectors(registry: Registry, selectors: Sequence[str], option: str) -> None:
    for s in selectors:
        if not any(_matches(spec, s) for spec in registry.rules):
            known = ", ".join(spec.id for spec in registry.rules[:8])
            raise UserError(f"{option}: no rule matches {s!r} (rule ids look like {known}, ...; see `kportable rules`)")


def select_rules(registry: Registry, options: RunOptions) -> list[ActiveRule]:
    """The rules this run uses, with validated options and severity overrides.

    A rule that is off by default runs only when selected by its exact id, slug or alias (or ALL).
    """
    if options.select is not None:
        _check_selectors(registry, options.select, "--select")
    _check_selectors(registry, options.ignore, "--ignore")
    chosen = []
    for spec in registry.rules:
        if options.select is None:
            selected = spec.enabled
        else:
            selected = any(_exact(spec, s) if not spec.enabled else _matches(spec, s) for s in options.select)
        if selected and any(_matches(spec, s) for s in options.ignore):
            selected = False
        if selected:
            chosen.append(spec)
    active = []
    names = {n.lower(): spec for spec in registry.rules for n in spec.names}
    for key in list(options.rule_options) + list(options.severity_overrides):
        if key.lower() not in names and key.upper() not in {s.id for s in registry.rules}:
            raise UserError(f"configuration names unknown rule {key!r}; see `kportable rules`")
    for spec in chosen:
        raw: Mapping[str, Any] = {}
        severity = None
        for name in spec.names:
            for key, value in options.rule_options.items():
                if key.lower() == name.lower():
                    raw = value
            for key, sev in options.severity_overrides.items():
                if key.lower() == name.lower():
                    severity = sev
        try:
            opts = build_options(spec, raw)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        active.append(ActiveRule(spec, opts, severity))
    return active


# --------------------------------------------------------------------------- reading


def read_all(
    items: Sequence[InputFile], options: RunOptions, seconds: dict[str, float] | None = None
) -> list[ParsedSource]:
    """Read and parse every input, in worker processes when ``jobs > 1`` (same result either way).

    With ``seconds``, a serial run adds the time spent reading bytes (``read``) and parsing them
    (``parse``); a parallel run adds the wall time of the worker pool (``read+parse (workers)``).
    """
    from .parallel import available_cpus, parse_files, should_parallelise, sizes_of

    clock = time.perf_counter
    disk = [i for i in items if i.path is not None]
    jobs = min(options.jobs, available_cpus())
    sizes = sizes_of(disk) if jobs > 1 else []
    parsed: list[ParsedSource] = []
    if jobs > 1 and should_parallelise(jobs, disk, sizes):
        start = clock()
        parsed = parse_files(disk, jobs, options.max_file_size, sizes)
        if seconds is not None:
            seconds["read+parse (workers)"] = seconds.get("read+parse (workers)", 0.0) + clock() - start
    else:
        read = parse = 0.0
        for item in disk:
            start = clock()
            raw = read_bytes(item, max_bytes=options.max_file_size)
            middle = clock()
            parsed.append(
                failed(item.display, raw) if isinstance(raw, LoadProblem)
                else parse_bytes(item.display, raw, max_bytes=options.max_file_size)
            )
            read += middle - start
            parse += clock() - middle
        if seconds is not None and disk:
            seconds["read"] = seconds.get("read", 0.0) + read
            seconds["parse"] = seconds.get("parse", 0.0) + parse
    by_name = {p.path: p for p in parsed}
    out = []
    for item in items:
        if item.path is None:
            out.append(read_input(item, max_bytes=options.max_file_size, stdin=options.stdin))
        else:
            out.append(by_name[item.display])
    return out


def _inline(inputs: Sequence[tuple[str, bytes]], options: RunOptions) -> list[ParsedSource]:
    return [
        parse_bytes(name, raw, max_bytes=options.max_file_size)
        for name, raw in sorted(inputs)
    ]


def _cluster_scoped(sources: Sequence[ParsedSource]) -> frozenset[str]:
    """Built-in cluster-scoped kinds plus the kinds of ``scope: Cluster`` CRDs in the input."""
    extra = set()
    for src in sources:
        for doc in src.documents:
            data = doc.data
            if isinstance(data, dict) and data.get("kind") == "CustomResourceDefinition":
                spec = as_dict(data.get("spec"))
                kind = as_str(as_dict(spec.get("names")).get("kind"))
                if kind and spec.get("scope") == "Cluster":
                    extra.add(kind)
    return CLUSTER_SCOPED_KINDS | extra


def build_inventory(
    sources: Sequence[ParsedSource], context_sources: Sequence[ParsedSource], namespace: str
) -> tuple[Inventory, RunStats]:
    """Turn parsed documents into resources (``kind: List`` expanded) and index them."""
    scoped = _cluster_scoped([*sources, *context_sources])
    resources: list[Resource] = []
    problems: list[FileProblem] = []
    non_k8s = empty = documents = context_count = 0
    for group, is_context in ((sources, False), (context_sources, True)):
        for src in group:
            problems.extend(FileProblem(src.path, p, is_context) for p in src.problems)
            empty += src.empty_documents
            documents += len(src.documents) + src.empty_documents
            for doc in src.documents:
                found, is_k8s = resources_of(doc, default_namespace=namespace, cluster_scoped=scoped,
                                             context=is_context)
                if not is_k8s:
                    if doc.data is not None:
                        non_k8s += 1
                    continue
                resources.extend(found)
                if is_context:
                    context_count += len(found)
    files = len(sources)
    texts = {src.path: src.text for group in (sources, context_sources) for src in group if src.text is not None}
    inventory = Inventory(resources, problems, non_kubernetes=non_k8s, empty_documents=empty, files=files,
                          texts=texts)
    stats = RunStats(
        files=files,
        documents=documents,
        resources=len(resources) - context_count,
        workloads=sum(1 for w in inventory.workloads if not w.resource.context),
        non_kubernetes=non_k8s,
        empty_documents=empty,
        context_resources=context_count,
    )
    return inventory, stats


# --------------------------------------------------------------------------- run


def run(options: RunOptions, registry: Registry | None = None) -> RunResult:
    """Lint what ``options`` names and return the result. Raises ``UserError`` for bad options only."""
    with gc_paused():  # the pipeline builds millions of small acyclic objects; collection only costs time
        if options.profiles or options.values_profiles:
            from .render.profiles import run_profiles

            return run_profiles(options, registry, _run)
        return _run(options, registry)


def _run(options: RunOptions, registry: Registry | None) -> RunResult:
    seconds: dict[str, float] = {}
    clock = time.perf_counter
    start = clock()
    registry = registry or get_registry(options.plugins)
    active = select_rules(registry, options)
    assumed = validate_assumptions(options.assume)
    unknown_targets = [t for t in options.targets if t not in registry.clouds and t != "portable"]
    if unknown_targets:
        known = ", ".join(sorted(registry.clouds)) or "none"
        raise UserError(f"unknown target cloud {', '.join(unknown_targets)}; known: {known}")
    targets = options.targets or tuple(registry.clouds)
    k8s_version = resolve_version(options.k8s_version, target_windows(registry.clouds, targets))
    schema_dir = SchemaDirectory.scan(options.schema_dirs) if options.schema_dirs else None
    seconds["setup"] = clock() - start

    start = clock()
    items, path_problems = expand(options.paths, exclude=options.exclude, stdin_name=options.stdin_name)
    context_items, context_problems = expand(options.context_paths, exclude=options.exclude, context=True)
    seconds["expand"] = clock() - start
    render = RenderStage(options)
    items = render.expand(items)
    sources = read_all(items, options, seconds) + _inline(options.inputs, options) + render.built_sources
    for display, problem in path_problems:
        sources.append(failed(display, problem))
    context_sources = read_all(context_items, options, seconds) + _inline(options.context_inputs, options)
    render.prepare((sources, context_sources), (*items, *context_items))
    del context_problems  # a missing context path only narrows what cross-resource rules can see
    seconds["read+parse"] = clock() - start

    start = clock()
    inventory, stats = build_inventory(sources, context_sources, options.namespace)
    seconds["graph"] = clock() - start

    start = clock()
    catalog = SchemaCatalog(
        k8s_version,
        strict=options.schema_strict,
        sources=registry.schemas,
        directory=schema_dir,
        crds=inventory.of_kind("CustomResourceDefinition", "apiextensions.k8s.io"),
    )
    engine = run_rules(inventory, active, clouds=registry.clouds, targets=targets, assume=assumed,
                       timings=options.timings, k8s_version=k8s_version, schemas=catalog)
    schema = coverage(catalog, inventory.reported()) if any(r.spec.id == SCHEMA_RULE for r in active) else None
    seconds["rules"] = clock() - start

    texts = {src.path: src.text for src in sources if src.text is not None}
    start = clock()
    suppressed = apply_suppressions(
        render.map_findings(engine.findings, inventory), inventory=inventory, texts=texts, rules=registry.rules,
        active=active,
        exemptions=options.exemptions, allow_inline=options.allow_inline_suppressions,
        baseline=options.baseline, today=options.today,
    )
    findings = suppressed.findings
    seconds["suppress"] = clock() - start

    start = clock()
    scores = compute_scores(inventory, findings, targets)  # suppressed findings cost nothing
    seconds["scores"] = clock() - start
    return RunResult(
        options=options,
        findings=findings,
        crashes=engine.crashes,
        registry=registry,
        rules=tuple(r.spec for r in active),
        stats=stats,
        inventory=inventory,
        texts=texts,
        seconds={**seconds, **({f"rule:{k}": v for k, v in engine.seconds_by_rule.items()} if options.timings else {})},
        schema=schema,
        stale_baseline=suppressed.stale_baseline,
        extras=render.extras(),
        scores=scores,
    )
