"""Rule case files: load, validate (``rule-cases.schema.json``) and turn into ``Case`` values.

A case file pins one rule's behaviour::

    rule: ACME101
    cases:
      image_from_docker_hub:
        fail: |
          ...manifest the rule must flag...
        expect:
          - {line: 9, column: 14, message: "not from registry.acme.example"}
      image_from_company_registry:
        pass: |
          ...manifest the rule must not flag...

A YAML mistake fails loudly: unknown keys (``fial:``) and wrong types are schema errors, and a
case name written twice is an error too (plain YAML would silently keep the last one, and a
case would vanish).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

CASE_SUFFIXES = (".yml", ".yaml")


class CaseFileError(ValueError):
    """A case file is not valid YAML or does not follow ``rule-cases.schema.json``."""


@dataclass(frozen=True)
class Expected:
    """One expected finding. ``None`` fields are not checked; ``message`` is a case-insensitive fragment."""

    line: int
    column: int | None = None
    message: str | None = None
    path: str | None = None
    pointer: str | None = None
    severity: str | None = None
    clouds: tuple[str, ...] | None = None
    effect: str | None = None
    file: str | None = None

    def describe(self) -> str:
        """``line 9 col 14, message ~ 'not from'``: only the fields the case checks."""
        parts = [f"line {self.line}" + (f" col {self.column}" if self.column is not None else "")]
        if self.message is not None:
            parts.append(f"message ~ {self.message!r}")
        for name in ("path", "pointer", "severity", "effect", "file"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        if self.clouds is not None:
            parts.append(f"clouds={list(self.clouds)}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Case:
    """One case of a case file: a manifest, and the exact findings its rule must produce."""

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
    assume: tuple[str, ...] = ()
    k8s_version: str | None = None
    strict: bool = False
    config: str | None = None

    @property
    def id(self) -> str:
        """``RULE::case_name``, the pytest id, so ``pytest -k ACME101`` selects one rule."""
        return f"{self.rule}::{self.name}"


class _StrictLoader(yaml.SafeLoader):
    """``SafeLoader`` that rejects a key written twice in one mapping."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key] + 1})", key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@lru_cache(maxsize=1)
def case_schema() -> dict[str, Any]:
    """The JSON Schema of case files, shipped as ``kportable/schemas/rule-cases.schema.json``."""
    text = resources.files("kportable.schemas").joinpath("rule-cases.schema.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def validate_case_data(data: object, source: str) -> None:
    """Raise ``CaseFileError`` naming the file, the place and the first schema violation."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(case_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise CaseFileError(f"{source}: invalid case file at {where}: {err.message}")


def load_cases(path: str | Path) -> list[Case]:
    """Load and validate one case file; raises ``CaseFileError`` with the file and line of a mistake."""
    p = Path(path)
    try:
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=_StrictLoader)  # _StrictLoader is a SafeLoader
    except yaml.YAMLError as exc:
        raise CaseFileError(f"{p}: not valid YAML: {' '.join(str(exc).split())}") from None
    validate_case_data(data, str(p))
    return cases_from_data(data, str(p))


def cases_from_data(data: Mapping[str, Any], source: str = "") -> list[Case]:
    """``Case`` values from an already validated case-file mapping."""
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
        default_name = "case.json" if manifest.lstrip().startswith("{") else "case.yaml"
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
                filename=body.get("filename", default_name),
                context=body.get("context"),
                description=body.get("description", ""),
                source=source,
                assume=tuple(body.get("assume", ())),
                k8s_version=body.get("k8s_version"),
                strict=body.get("strict", False),
                config=body.get("config"),
            )
        )
    return out


def find_case_files(locations: Iterable[str | Path]) -> list[Path]:
    """Case files (``*.yml``, ``*.yaml``) in these directories (recursively) or files, sorted per directory."""
    files: list[Path] = []
    for location in locations:
        root = Path(location)
        if root.is_file():
            files.append(root)
        elif root.is_dir():
            files.extend(sorted(p for p in root.rglob("*") if p.suffix in CASE_SUFFIXES and p.is_file()))
    return files
