"""Run a rule on an in-memory manifest and compare its findings with a case, exactly.

``assert_case`` fails with a diff a person can act on: the expected findings that are missing,
the actual findings nobody expected, for each missing one the closest actual finding and the
fields that differ, and the actual findings as an ``expect:`` list ready to paste (after
checking them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..findings import Finding
from ..positions import json_pointer
from .cases import Case, Expected

if TYPE_CHECKING:
    from ..api import RunResult
    from ..plugins.manager import Registry
    from ..rule import RuleSpec


def lint_text(
    manifest: str,
    *,
    rule: str | None = None,
    options: Mapping[str, Any] | None = None,
    targets: Sequence[str] = (),
    namespace: str = "default",
    filename: str = "case.yaml",
    context: str | None = None,
    plugins: Sequence[object] = (),
    assume: Sequence[str] = (),
    k8s_version: str | None = None,
    strict: bool = False,
    config: str | None = None,
) -> RunResult:
    """Lint one in-memory manifest as if it were the file ``filename`` and return the ``RunResult``.

    :param rule: run only this rule (id, slug or alias; also a rule that is off by default).
    :param options: the rule's options, with kebab-case keys as in the config file.
    :param targets: cloud-profile ids to target (default: every registered profile).
    :param context: more manifests, indexed for cross-resource rules but never reported on.
    :param plugins: plugin objects to load in addition to the installed entry points.
    :param assume: what the cluster provides (``--assume`` names).
    :param k8s_version: the Kubernetes minor to lint against (``--k8s-version``).
    :param strict: validate with the strict schemas (``--strict``).
    :param config: the text of a ``.kportable.yaml`` applied to the run (its findings are reported
        in the file ``.kportable.yaml``): exemptions, severities, ``allow-inline-suppressions``...
    """
    import dataclasses

    from ..api import run
    from ..config import CONFIG_FILES, Overrides, build_run_options, parse_yaml_config

    cfg = parse_yaml_config(config, CONFIG_FILES[0]) if config is not None else None
    run_options = build_run_options(
        cfg,
        Overrides(
            select=(rule,) if rule else None,
            targets=tuple(targets),
            namespace=namespace,
            assume=frozenset(assume),
            k8s_version=k8s_version,
            schema_strict=strict,
        ),
        inputs=((filename, manifest.encode("utf-8")),),
        context_inputs=(("context.yaml", context.encode("utf-8")),) if context else (),
        plugins=tuple(plugins),
    )
    if rule and options:
        run_options = dataclasses.replace(run_options, rule_options={**run_options.rule_options, rule: dict(options)})
    return run(run_options)


def registered_rule(name: str, *, plugins: Sequence[object] = ()) -> RuleSpec:
    """The registered rule called ``name``, or an ``AssertionError`` saying why it is not there."""
    from ..plugins.manager import get_registry

    registry = get_registry(plugins)
    spec = registry.rule(name)
    if spec is None:
        raise AssertionError(_not_registered(name, registry))
    return spec


def _not_registered(name: str, registry: Registry) -> str:
    plugins = ", ".join(f"{p.name} ({p.distribution} {p.version})" for p in registry.plugins) or "none"
    lines = [
        f"rule {name} is not registered. Plugins loaded: {plugins}.",
        "Is the plugin that provides it installed in this environment (`pip install -e .` in the "
        "plugin's directory) and does its entry point return the rule from `kportable_rules`?",
    ]
    similar = registry.similar_rules(name)
    if similar:
        lines.append(f"Similar rule names: {', '.join(similar)}.")
    lines.extend(f"Plugin error: {e.message}" for e in registry.errors)
    return "\n".join(lines)


def run_case(case: Case, *, plugins: Sequence[object] = ()) -> list[Finding]:
    """Run ``case`` with only its rule and return that rule's findings, sorted.

    Raises ``AssertionError`` when the rule is not registered, crashes, belongs to a plugin that
    failed to load cleanly, or when the manifest itself does not load (except for rules about
    input problems, category ``input``, whose cases are broken files on purpose).
    """
    from ..errors import UserError

    spec = registered_rule(case.rule, plugins=plugins)
    try:
        result = lint_text(
            case.manifest,
            rule=spec.id,
            options=case.options,
            targets=case.targets,
            namespace=case.namespace,
            filename=case.filename,
            context=case.context,
            plugins=plugins,
            assume=case.assume,
            k8s_version=case.k8s_version,
            strict=case.strict,
            config=case.config,
        )
    except UserError as exc:
        raise AssertionError(f"{case.id}: {exc.message}") from None
    if result.crashes:
        crash = result.crashes[0]
        raise AssertionError(
            f"{case.id}: rule {crash.rule_id} crashed on {crash.obj}: {crash.error}\n{crash.traceback}"
        )
    own_errors = [e.message for e in result.registry.errors if e.plugin == spec.plugin]
    if own_errors:
        raise AssertionError(f"{case.id}: plugin {spec.plugin!r} did not load cleanly:\n  " + "\n  ".join(own_errors))
    if spec.category != "input":
        problems = [p for p in result.inventory.problems if not p.context]
        if problems:
            first = problems[0].problem
            raise AssertionError(
                f"{case.id}: the case manifest does not load cleanly: line {first.line}: {first.message}"
            )
    return [f for f in result.findings if f.rule_id == spec.id]


# --------------------------------------------------------------------------- comparison


def _differences(exp: Expected, f: Finding) -> list[str]:
    """What differs between an expectation and a finding (empty: they match)."""
    out = []
    if exp.line != f.location.line:
        out.append(f"line is {f.location.line}, not {exp.line}")
    if exp.column is not None and exp.column != f.location.column:
        out.append(f"column is {f.location.column}, not {exp.column}")
    if exp.message is not None and exp.message.lower() not in f.message.lower():
        out.append(f"message {f.message!r} does not contain {exp.message!r}")
    if exp.path is not None and exp.path != f.path:
        out.append(f"path is {f.path!r}, not {exp.path!r}")
    if exp.pointer is not None and exp.pointer != json_pointer(f.pointer):
        out.append(f"pointer is {json_pointer(f.pointer)!r}, not {exp.pointer!r}")
    if exp.severity is not None and exp.severity != f.severity.value:
        out.append(f"severity is {f.severity.value!r}, not {exp.severity!r}")
    if exp.clouds is not None and tuple(sorted(exp.clouds)) != f.clouds:
        out.append(f"clouds are {list(f.clouds)}, not {sorted(exp.clouds)}")
    effect = f.effect.value if f.effect else None
    if exp.effect is not None and exp.effect != effect:
        out.append(f"effect is {effect!r}, not {exp.effect!r}")
    if exp.file is not None and exp.file != f.location.path:
        out.append(f"file is {f.location.path!r}, not {exp.file!r}")
    return out


def describe(f: Finding) -> str:
    """One line with everything an expectation can check about ``f``."""
    loc = f.location
    extra = [f"path={f.path!r}", f"pointer={json_pointer(f.pointer)!r}"]
    if f.clouds:
        extra.append(f"clouds={list(f.clouds)}")
    if f.effect:
        extra.append(f"effect={f.effect.value!r}")
    return f"line {loc.line} col {loc.column} [{f.severity.value}] {f.message!r} " + " ".join(extra)


def _match(expect: Sequence[Expected], findings: Sequence[Finding]) -> dict[int, int]:
    """A maximum matching expectation index -> finding index (Kuhn's augmenting paths).

    Greedy first-fit would wrongly fail ``[{line: 5}, {line: 5, message: x}]`` when the finding
    with message x comes first; the lists are tiny, so the exact algorithm costs nothing.
    """
    fits = [[j for j, f in enumerate(findings) if not _differences(e, f)] for e in expect]
    owner: dict[int, int] = {}  # finding index -> expectation index

    def augment(i: int, seen: set[int]) -> bool:
        for j in fits[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(expect)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def compare(case: Case, findings: Sequence[Finding]) -> list[str]:
    """The differences between ``case.expect`` and ``findings`` as readable lines (empty: exact match)."""
    matched = _match(case.expect, findings)
    used = set(matched.values())
    missing = [e for i, e in enumerate(case.expect) if i not in matched]
    extra = [f for j, f in enumerate(findings) if j not in used]
    if not missing and not extra:
        return []
    lines = []
    if not case.should_fail:
        lines.append(f"expected no finding, got {len(findings)}:")
    else:
        lines.append(f"expected {len(case.expect)} finding(s), got {len(findings)}:")
    for exp in missing:
        lines.append(f"- missing     {exp.describe()}")
        if extra:
            closest = min(extra, key=lambda f: (len(_differences(exp, f)), abs(f.location.line - exp.line)))
            lines.append(f"    closest actual finding: {'; '.join(_differences(exp, closest))}")
    for f in extra:
        lines.append(f"+ unexpected  {describe(f)}")
    for i in sorted(matched):
        lines.append(f"  ok          {case.expect[i].describe()}")
    if findings:
        lines.append("the actual findings as an expect list (check each before pasting):")
        lines.append("    expect:")
        lines.extend(f"      - {_expect_entry(f)}" for f in findings)
    return lines


def _expect_entry(f: Finding) -> str:
    return "{" + f"line: {f.location.line}, column: {f.location.column}, message: {json.dumps(f.message)}" + "}"


def assert_case(case: Case, *, plugins: Sequence[object] = ()) -> None:
    """Run ``case`` and fail with a readable diff unless its rule's findings are exactly ``case.expect``."""
    findings = run_case(case, plugins=plugins)
    problems = compare(case, findings)
    if problems:
        where = f" ({case.source})" if case.source else ""
        raise AssertionError(f"{case.id}{where}: findings differ\n  " + "\n  ".join(problems))
