"""Test harness for rules, shipped for plugin authors (and used by kportable's own rules).

A rule's behaviour is pinned in a YAML *case file*, validated by
``schemas/rule-cases.schema.json``::

    rule: ACME101
    cases:
      image_from_docker_hub:
        fail: |
          apiVersion: v1
          kind: Pod
          ...
        expect:
          - {line: 9, message: "not from registry.acme.example"}
      image_from_company_registry:
        pass: |
          ...

``expect`` is the *exact* list of the rule's findings (line, and optionally column, message
fragment, key ``path``, JSON ``pointer``, ``severity``, ``clouds``, ``effect``); a ``pass``
case must produce none. Other keys: ``options`` (the rule's options, kebab-case), ``targets``
(cloud ids), ``namespace``, ``filename``, ``context`` (manifests indexed for cross-resource
rules but not reported), ``config`` (a ``.kportable.yaml`` applied to the run: exemptions,
``allow-inline-suppressions``, severities; its findings are reported as ``.kportable.yaml``) and
``description``.

With the pytest plugin (installed with kportable), a test module needs three lines::

    from kportable.testing import assert_case

    def test_rule_cases(kportable_case):
        assert_case(kportable_case)

Every case file under the directories of the ``kportable_case_dirs`` ini option (default
``fixtures/rules``) becomes one test per case, with ids like ``ACME101::image_from_docker_hub``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..findings import Finding

CASE_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class Expected:
    """One expected finding. ``None`` fields are not checked."""

    line: int
    column: int | None = None
    message: str | None = None
    path: str | None = None
    pointer: str | None = None
    severity: str | None = None
    clouds: tuple[str, ...] | None = None
    effect: str | None = None
    file: str | None = None


@dataclass(frozen=True)
class Case:
    """One case of a case file."""

    rule: str
    name: str
    manifest: str
    expect: tuple[Expected, ...]
    should_fail: bool
    options: Mapping[str, Any] = field(default_factory=dict)
    targets: tuple[str, ...] = ()
    namespace: str = "default"
    filename: str = "case.yaml"
    context: str | None = None
    description: str = ""
    source: str = ""
    config: str | None = None

    @property
    def id(self) -> str:
        return f"{self.rule}::{self.name}"


@lru_cache(maxsize=1)
def _case_schema() -> dict[str, Any]:
    text = resources.files("kportable.schemas").joinpath("rule-cases.schema.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def validate_case_data(data: object, source: str) -> None:
    """Raise ``ValueError`` naming the file and the first schema violation."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(_case_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise ValueError(f"{source}: invalid case file at {where}: {err.message}")


def load_cases(path: str | Path) -> list[Case]:
    """Load and validate one case file."""
    import yaml

    p = Path(path)
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    validate_case_data(data, str(p))
    return cases_from_data(data, str(p))


def cases_from_data(data: Mapping[str, Any], source: str = "") -> list[Case]:
    rule = str(data["rule"])
    out = []
    for name, body in data["cases"].items():
        should_fail = "fail" in body
        manifest = body["fail"] if should_fail else body["pass"]
        expect = tuple(
            Expected(
                line=e["line"],
                column=e.get("column"),
                message=e.get("message"),
                path=e.get("path"),
                pointer=e.get("pointer"),
                severity=e.get("severity"),
                clouds=tuple(e["clouds"]) if "clouds" in e else None,
                effect=e.get("effect"),
                file=e.get("file"),
            )
            for e in body.get("expect", ())
        )
        out.append(
            Case(
                rule=rule,
                name=str(name),
                manifest=manifest,
                expect=expect,
                should_fail=should_fail,
                options=body.get("options", {}),
                targets=tuple(body.get("targets", ())),
                namespace=body.get("namespace", "default"),
                filename=body.get("filename", "case.json" if manifest.lstrip().startswith("{") else "case.yaml"),
                context=body.get("context"),
                description=body.get("description", ""),
                source=source,
                config=body.get("config"),
            )
        )
    return out


def find_case_files(directories: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for d in directories:
        root = Path(d)
        if root.is_file():
            files.append(root)
        elif root.is_dir():
            files.extend(sorted(p for p in root.rglob("*") if p.suffix in CASE_SUFFIXES))
    return files


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
    config: str | None = None,
) -> Any:
    """Lint one in-memory manifest (only ``rule`` when given) and return the ``RunResult``.

    ``config`` is the text of a ``.kportable.yaml`` applied to the run (named ``.kportable.yaml``).
    """
    import dataclasses

    from ..api import run
    from ..config import CONFIG_FILES, Overrides, build_run_options, parse_yaml_config

    cfg = parse_yaml_config(config, CONFIG_FILES[0]) if config is not None else None
    run_options = build_run_options(
        cfg,
        Overrides(select=(rule,) if rule else None, targets=tuple(targets), namespace=namespace),
        inputs=((filename, manifest.encode("utf-8")),),
        context_inputs=(("context.yaml", context.encode("utf-8")),) if context else (),
        plugins=tuple(plugins),
    )
    if rule and options:
        run_options = dataclasses.replace(run_options, rule_options={**run_options.rule_options, rule: dict(options)})
    return run(run_options)


def run_case(case: Case, *, plugins: Sequence[object] = ()) -> list[Finding]:
    """Run a case and return the findings of its rule (sorted)."""
    result = lint_text(
        case.manifest,
        rule=case.rule,
        options=case.options,
        targets=case.targets,
        namespace=case.namespace,
        filename=case.filename,
        context=case.context,
        plugins=plugins,
        config=case.config,
    )
    if result.internal_error:
        crashes = "; ".join(f"{c.rule_id} on {c.obj}: {c.error}" for c in result.crashes)
        errors = "; ".join(e.message for e in result.registry.errors)
        raise AssertionError(f"{case.id}: internal error: {crashes or errors}")
    if not case.rule.startswith("KP0"):
        problems = [p for p in result.inventory.problems if not p.context]
        if problems:
            first = problems[0].problem
            raise AssertionError(
                f"{case.id}: the case manifest does not load cleanly: line {first.line}: {first.message}"
            )
    spec = result.registry.rule(case.rule)
    rule_id = spec.id if spec is not None else case.rule
    return [f for f in result.findings if f.rule_id == rule_id]


def _matches(exp: Expected, f: Finding) -> bool:
    from ..positions import json_pointer

    if exp.line != f.location.line:
        return False
    if exp.column is not None and exp.column != f.location.column:
        return False
    if exp.message is not None and exp.message.lower() not in f.message.lower():
        return False
    if exp.path is not None and exp.path != f.path:
        return False
    if exp.pointer is not None and exp.pointer != json_pointer(f.pointer):
        return False
    if exp.severity is not None and exp.severity != f.severity.value:
        return False
    if exp.clouds is not None and tuple(sorted(exp.clouds)) != f.clouds:
        return False
    if exp.effect is not None and (f.effect is None or exp.effect != f.effect.value):
        return False
    return exp.file is None or exp.file == f.location.path


def describe(f: Finding) -> str:
    from ..positions import json_pointer

    loc = f.location
    return (
        f"line {loc.line} col {loc.column} [{f.severity.value}] {f.message!r} path={f.path!r} "
        f"pointer={json_pointer(f.pointer)!r} clouds={list(f.clouds)} effect={f.effect.value if f.effect else None}"
    )


def compare(case: Case, findings: Sequence[Finding]) -> list[str]:
    """Differences between the expected and actual findings (empty when they match exactly)."""
    remaining = list(findings)
    problems = []
    for exp in case.expect:
        hit = next((f for f in remaining if _matches(exp, f)), None)
        if hit is None:
            problems.append(f"missing: expected a finding {exp}")
        else:
            remaining.remove(hit)
    for f in remaining:
        problems.append(f"unexpected: {describe(f)}")
    if case.should_fail and not case.expect:
        problems.append("a 'fail' case must list its expected findings")
    return problems


def assert_case(case: Case, *, plugins: Sequence[object] = ()) -> None:
    """Run ``case`` and fail with a readable diff unless its rule's findings are exactly ``expect``."""
    findings = run_case(case, plugins=plugins)
    problems = compare(case, findings)
    if problems:
        where = f" ({case.source})" if case.source else ""
        raise AssertionError(f"{case.id}{where}:\n  " + "\n  ".join(problems))


__all__ = [
    "Case",
    "Expected",
    "assert_case",
    "cases_from_data",
    "compare",
    "find_case_files",
    "lint_text",
    "load_cases",
    "run_case",
]
