"""Configuration files: discover, validate (with file and line), and turn into ``RunOptions``.

Lookup order: ``--config FILE``; else, from the working directory upward, the first directory
holding ``.kportable.yaml`` (or ``.yml``), or a ``pyproject.toml`` with a ``[tool.kportable]``
table. The search stops at the repository root (the directory holding ``.git``), so a config in
your home directory never leaks into a project. ``--no-config`` skips it.

A config is checked twice, and both checks name the file, the line and what is wrong (exit 2):
against ``schemas/config.schema.json`` (unknown keys, wrong types), then against what is
installed (unknown rules, clouds, rule options, through each rule's options dataclass). YAML
positions come from kportable's own loader; TOML positions from a small scan of the file.

Command-line flags override the file: ``--select``, ``--target``, ``--fail-on`` and
``--min-score`` replace its values; ``--ignore``, ``--exclude`` and ``--context`` add to them.
Paths in the file (``context``, ``baseline``) are relative to the file's directory.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .findings import Severity
from .suppress import Exemption

if TYPE_CHECKING:
    from .api import RunOptions
    from .plugins.manager import Registry

CONFIG_FILES = (".kportable.yaml", ".kportable.yml")
PYPROJECT = "pyproject.toml"
STARTER_NAME = ".kportable.yaml"

Pointer = tuple[str | int, ...]
Locate = Callable[[Pointer], tuple[int, int]]


@dataclass(frozen=True)
class Config:
    """A validated configuration file. Field names are the keys in snake_case."""

    path: str
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    fail_on: Severity | None = None
    min_score: Mapping[str, int] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    namespace: str | None = None
    assume: tuple[str, ...] = ()
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    exemptions: tuple[Exemption, ...] = ()
    allow_inline_suppressions: bool = True
    baseline: str | None = None
    values_profiles: tuple[tuple[str, tuple[str, ...]], ...] = ()  # issue 13: per-cloud values files of charts
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    locate: Locate = field(default=lambda _p: (1, 1), compare=False, repr=False)

    def error(self, pointer: Pointer, message: str) -> ConfigError:
        line, column = self.locate(pointer)
        return ConfigError(f"{self.path}:{line}:{column}: {message}")


# --------------------------------------------------------------------------- discovery


def find_repo_root(start: str | Path | None = None) -> Path | None:
    """The nearest directory at or above ``start`` holding ``.git`` (a directory or a worktree file)."""
    here = Path(start or os.getcwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return None


def find_config(start: str | Path | None = None) -> Path | None:
    """The config file that applies in ``start`` (default: the working directory), or ``None``."""
    here = Path(start or os.getcwd()).resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
        if (directory / ".git").exists():
            return None
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[tool\.kportable[\].]", text, re.M) is not None


def display(path: str | Path) -> str:
    """``path`` relative to the working directory when it is inside it, else absolute."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    return absolute if relative.startswith("..") else relative.replace(os.sep, "/")


# --------------------------------------------------------------------------- loading


def load_config(path: str | Path) -> Config:
    """Read and schema-check one config file (YAML, or ``pyproject.toml``)."""
    shown = display(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{shown}: config file not found") from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read config file: {exc.strerror or exc}") from None
    base = os.path.dirname(os.path.abspath(path))
    if Path(path).name == PYPROJECT or str(path).endswith(".toml"):
        return parse_toml_config(raw, shown, base_dir=base)
    return parse_yaml_config(raw, shown, base_dir=base)


def parse_yaml_config(raw: bytes | str, path: str = STARTER_NAME, *, base_dir: str | None = None) -> Config:
    """Parse YAML config text with kportable's loader, so every key keeps its line."""
    from .load import parse_bytes
    from .positions import locate

    data_bytes = raw.encode("utf-8") if isinstance(raw, str) else raw
    parsed = parse_bytes(path, data_bytes)
    if parsed.problems:
        problem = parsed.problems[0]
        raise ConfigError(f"{path}:{problem.line}:{problem.column}: {problem.message}")
    docs = parsed.documents
    if len(docs) > 1:
        raise ConfigError(f"{path}:{docs[1].line}:1: a config file holds one YAML document, this one has {len(docs)}")
    if not docs:
        return _build({}, path, lambda _p: (1, 1), base_dir)
    doc = docs[0]
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{path}:{doc.line}:1: the config must be a mapping of settings, not {_type_name(doc.data)}")

    def where(pointer: Pointer) -> tuple[int, int]:
        pos = locate(doc.shadow, pointer)
        return pos.line, pos.column

    return _build(doc.data, path, where, base_dir)


def parse_toml_config(raw: bytes | str, path: str = PYPROJECT, *, base_dir: str | None = None) -> Config:
    """Parse the ``[tool.kportable]`` table of a ``pyproject.toml``."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+), column (\d+)", str(exc))
        line, column = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        raise ConfigError(f"{path}:{line}:{column}: invalid TOML: {exc}") from None
    table = document.get("tool", {}).get("kportable", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}:1:1: tool.kportable must be a table")
    return _build(_plain(table), path, toml_locator(text), base_dir)


def _plain(value: Any) -> Any:
    """TOML values as JSON data (dates become ``YYYY-MM-DD`` strings, as YAML gives them)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


_TOML_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_KEY_PART = r"(?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)"
_TOML_KEY = re.compile(rf"^\s*({_TOML_KEY_PART}(?:\s*\.\s*{_TOML_KEY_PART})*)\s*=")
_TOML_PART = re.compile(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)")


def _toml_parts(dotted: str) -> tuple[str, ...]:
    return tuple(a or b or c for a, b, c in _TOML_PART.findall(dotted))


def toml_locator(text: str, table: tuple[str, ...] = ("tool", "kportable")) -> Locate:
    """Best-effort key path -> (line, column) for TOML: table headers and ``key =`` lines.

    ``[[tool.kportable.exemptions]]`` blocks are numbered, so ``("exemptions", 2, "reason")``
    finds the ``reason`` of the third block. Keys inside inline tables resolve to the line of
    the key that holds the inline table.
    """
    entries: list[tuple[tuple[str | int, ...], int]] = []
    current: tuple[str | int, ...] = ()
    array_counts: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        header = _TOML_HEADER.match(line)
        if header:
            parts = _toml_parts(header.group(2))
            if header.group(1) == "[[":
                index = array_counts.get(parts, 0)
                array_counts[parts] = index + 1
                current = (*parts, index)
            else:
                current = parts
            entries.append((current, number))
            continue
        key = _TOML_KEY.match(line)
        if key:
            entries.append(((*current, *_toml_parts(key.group(1))), number))

    def where(pointer: Pointer) -> tuple[int, int]:
        target = (*table, *pointer)
        best, best_len = 1, -1
        for path, number in entries:
            if len(path) > best_len and path == target[: len(path)] and len(path) >= len(table):
                best, best_len = number, len(path)
        return best, 1

    return where


@lru_cache(maxsize=1)
def config_schema() -> dict[str, Any]:
    text = resources.files("kportable.schemas").joinpath("config.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _type_name(value: object) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", type(None): "empty"}.get(
        type(value), f"a {type(value).__name__}"
    )


def schema_errors(data: object, path: str, where: Locate) -> list[tuple[int, int, str]]:
    """Every schema violation as (line, column, message), sorted by position."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(config_schema())
    out = []
    for err in validator.iter_errors(data):
        pointer = tuple(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = list(err.schema.get("properties", {}))
            for key in sorted(k for k in err.instance if k not in allowed):
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f"; known keys: {', '.join(allowed)}"
                line, column = where((*pointer, key))
                out.append((line, column, f"unknown key {key!r}{hint}"))
            continue
        line, column = where(pointer)
        key = ".".join(str(p) for p in pointer) or "(top level)"
        out.append((line, column, f"{key}: {_schema_message(err)}"))
    return sorted(set(out))


def _schema_message(err: Any) -> str:
    if err.validator == "oneOf" and err.context:
        best = min(err.context, key=lambda e: len(list(e.absolute_schema_path)))
        return str(best.message)
    if err.validator == "pattern" and err.schema.get("pattern") == "\\S":
        return "must not be empty"
    return str(err.message)


def _build(data: Mapping[str, Any], path: str, where: Locate, base_dir: str | None) -> Config:
    errors = schema_errors(data, path, where)
    if errors:
        listed = "\n".join(f"  {path}:{line}:{column}: {message}" for line, column, message in errors)
        raise ConfigError(f"invalid configuration {path}:\n{listed}")
    base = base_dir or os.getcwd()

    def rel(p: str) -> str:
        return p if os.path.isabs(p) else display(os.path.join(base, p))

    min_score = data.get("min-score")
    rules = data.get("rules", {})
    exemptions = []
    for i, item in enumerate(data.get("exemptions", ())):
        line, column = where(("exemptions", i))
        rule_names = item["rule"] if isinstance(item["rule"], list) else [item["rule"]]
        expires = None
        if "expires" in item:
            try:
                expires = date.fromisoformat(item["expires"])
            except ValueError:
                eline, ecol = where(("exemptions", i, "expires"))
                raise ConfigError(
                    f"{path}:{eline}:{ecol}: exemptions.{i}.expires: {item['expires']!r} is not a date"
                ) from None
        exemptions.append(
            Exemption(
                rules=tuple(rule_names),
                reason=item["reason"].strip(),
                kind=item.get("kind"),
                namespace=item.get("namespace"),
                name=item.get("name"),
                labels=dict(item.get("labels", {})),
                file=item.get("file"),
                expires=expires,
                source=path,
                line=line,
                column=column,
            )
        )
    return Config(
        path=path,
        select=tuple(data["select"]) if "select" in data else None,
        ignore=tuple(data.get("ignore", ())),
        targets=tuple(data.get("targets", ())),
        fail_on=Severity.parse(data["fail-on"]) if "fail-on" in data else None,
        min_score={"*": min_score} if isinstance(min_score, int) else dict(min_score or {}),
        exclude=tuple(data.get("exclude", ())),
        context=tuple(rel(p) for p in data.get("context", ())),
        namespace=data.get("namespace"),
        assume=tuple(data.get("assume", ())),
        severity_overrides={k: Severity.parse(v["severity"]) for k, v in rules.items() if "severity" in v},
        rule_options={k: dict(v["options"]) for k, v in rules.items() if "options" in v},
        exemptions=tuple(exemptions),
        allow_inline_suppressions=bool(data.get("allow-inline-suppressions", True)),
        baseline=rel(data["baseline"]) if "baseline" in data else None,
        values_profiles=tuple(
            (name, tuple(rel(f) for f in ([files] if isinstance(files, str) else files)))
            for name, files in data.get("values-profiles", {}).items()
        ),
        data=data,
        locate=where,
    )


# --------------------------------------------------------------------------- checks against what is installed


def known_assumptions() -> frozenset[str]:
    """The ``assume`` vocabulary (``kportable.assume.ASSUMPTIONS``); the only place config reads it."""
    from .assume import ASSUMPTIONS

    return frozenset(ASSUMPTIONS)


def check_config(config: Config, registry: Registry) -> None:
    """Check names and options against the installed rules and clouds; raise ``ConfigError`` at the line."""
    from .api import selector_matches
    from .rule import build_options

    problems: list[ConfigError] = []
    for key in ("select", "ignore"):
        for i, name in enumerate(config.data.get(key, ())):
            if not any(selector_matches(spec, name) for spec in registry.rules):
                problems.append(config.error((key, i), f"{key}: no rule matches {name!r}{_suggest(name, registry)}"))
    targets = {*registry.clouds, "portable"}
    known = ", ".join(sorted(targets))
    for i, target in enumerate(config.targets):
        if target not in targets:
            problems.append(config.error(("targets", i), f"unknown target {target!r}; known: {known}"))
    if isinstance(config.data.get("min-score"), dict):
        for target in config.min_score:
            if target not in targets:
                message = f"min-score: unknown target {target!r}; known: {known}"
                problems.append(config.error(("min-score", target), message))
    for name, settings in config.data.get("rules", {}).items():
        spec = registry.rule(name)
        if spec is None:
            problems.append(config.error(("rules", name), f"rules: unknown rule {name!r}{_suggest(name, registry)}"))
            continue
        options = settings.get("options", {})
        bad = []
        for option, value in options.items():
            try:
                build_options(spec, {option: value})
            except (ValueError, TypeError) as exc:
                bad.append(config.error(("rules", name, "options", option), str(exc)))
        if options and not bad:
            try:  # the options together (a dataclass may check one against another)
                build_options(spec, options)
            except (ValueError, TypeError) as exc:
                bad.append(config.error(("rules", name, "options"), str(exc)))
        problems.extend(bad)
    for i, ex in enumerate(config.exemptions):
        for name in ex.rules:
            if registry.rule(name) is None:
                problems.append(config.error(("exemptions", i, "rule"),
                                             f"exemption names unknown rule {name!r}{_suggest(name, registry)}"))
    vocabulary = known_assumptions()
    for i, fact in enumerate(config.assume):
        if fact not in vocabulary:
            problems.append(config.error(("assume", i),
                                         f"unknown assumption {fact!r}; known: {', '.join(sorted(vocabulary))}"))
    if problems:
        if len(problems) == 1:
            raise problems[0]
        raise ConfigError(f"invalid configuration {config.path}:\n" + "\n".join(f"  {p}" for p in problems))


def _suggest(name: str, registry: Registry) -> str:
    """A "did you mean" hint: the closest rule name, the first in rule order among equally close ones.

    ``difflib.get_close_matches`` breaks ties by the larger string, so every new rule with a higher
    id would take the hint over (``KP9`` -> ``KP209`` rather than ``KP009``).
    """
    names = [n for spec in registry.rules for n in spec.names]
    if not names:  # no rule loaded (a plugin failed): nothing to suggest
        return "; see `kportable plugins`"
    close = set(difflib.get_close_matches(name, names, n=len(names), cutoff=0.7))
    if not close:
        return "; see `kportable rules`"
    ratio = {n: difflib.SequenceMatcher(None, name, n).ratio() for n in close}
    best = max(ratio.values())
    return f" (did you mean {next(n for n in names if n in close and ratio[n] == best)!r}?)"


# --------------------------------------------------------------------------- config + flags -> RunOptions


@dataclass(frozen=True)
class Overrides:
    """What the command line said. ``None``/empty means "not given": the config, then the default, applies."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    fail_on: Severity | None = None
    namespace: str | None = None
    exclude: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    min_score: int | None = None
    baseline: str | None = None
    use_baseline: bool = True
    assume: frozenset[str] = frozenset()
    k8s_version: str | None = None
    schema_strict: bool = False
    schema_dirs: tuple[str, ...] = ()


def min_score_map(min_score: int | None, targets: Sequence[str]) -> dict[str, int]:
    """``--min-score N``: for the named ``--target``s, or for every target (``"*"``) when none is named."""
    if min_score is None:
        return {}
    return dict.fromkeys(targets, min_score) if targets else {"*": min_score}


def build_run_options(config: Config | None, cli: Overrides, **fixed: Any) -> RunOptions:
    """Merge config and flags into ``RunOptions``; ``fixed`` passes the other fields through (paths, jobs, ...)."""
    from .api import RunOptions
    from .baseline import load_baseline
    from .model import DEFAULT_NAMESPACE

    cfg = config or Config(path="")
    baseline_path = cli.baseline or (cfg.baseline if cli.use_baseline else None)
    min_score = min_score_map(cli.min_score, cli.targets) if cli.min_score is not None else dict(cfg.min_score)
    return RunOptions(
        select=cli.select if cli.select is not None else cfg.select,
        ignore=(*cfg.ignore, *cli.ignore),
        fail_on=cli.fail_on or cfg.fail_on or Severity.MINOR,
        namespace=cli.namespace or cfg.namespace or DEFAULT_NAMESPACE,
        exclude=(*cfg.exclude, *cli.exclude),
        context_paths=(*cfg.context, *cli.context),
        targets=cli.targets or cfg.targets,
        rule_options=cfg.rule_options,
        severity_overrides=cfg.severity_overrides,
        assume=frozenset(cfg.assume) | cli.assume,
        k8s_version=cli.k8s_version,
        schema_strict=cli.schema_strict,
        schema_dirs=cli.schema_dirs,
        exemptions=cfg.exemptions,
        allow_inline_suppressions=cfg.allow_inline_suppressions,
        baseline=load_baseline(baseline_path) if cli.use_baseline and baseline_path else None,
        min_score=min_score,
        **fixed,
    )


# --------------------------------------------------------------------------- kportable init

STARTER = """\
# kportable configuration: https://github.com/kportable/kportable/blob/main/docs/configuration.md
# Validated by schemas/config.schema.json. Command-line flags override these values:
# --select, --target, --fail-on and --min-score replace them; --ignore, --exclude and --context add.

# Rules: ids (KP101), slugs (missing-cpu-request) or id prefixes (KP1). Default: every rule on by default.
# select: [KP0, KP1]        # e.g. only the input and workload rules
ignore: []

# Clouds you run on or may move to (ties to others are still found, but not scored).
# targets: [eks, gke, aks]

# CI gates: exit 1 on an unsuppressed finding at or above this severity (blocker, major, minor, info) ...
fail-on: minor
# ... or on a workload scoring under this, for every target or per target.
# min-score: 80
# min-score: {portable: 70, eks: 90}

# Files and directories never linted (globs; raw Helm templates are not YAML).
exclude:
  - "charts/*/templates"

# Manifests read for cross-file rules (NetworkPolicy, PDB, quotas) but never reported on:
# what pre-commit does not pass when only one file changed.
# context: [k8s/]

# Per-rule severity and options (see `kportable explain RULE`).
# rules:
#   missing-cpu-limit:
#     severity: info

# Accepted findings: a rule, the objects it does not apply to, why, and until when.
# After `expires` the exemption stops applying and is itself reported (KP020).
exemptions: []
#  - rule: KP101
#    kind: Deployment
#    namespace: legacy
#    name: "billing-*"
#    reason: "vendor chart, sized by the vendor; tracked in OPS-123"
#    expires: 2027-06-30

# false: only exemptions in this file may suppress findings; `kportable.io/ignore`
# annotations and `# kportable: ignore[...]` comments are ignored and reported (KP021).
allow-inline-suppressions: true

# Findings recorded here do not count (kportable lint --write-baseline .kportable-baseline.json).
# baseline: .kportable-baseline.json
"""


def write_starter(directory: str | Path, *, force: bool = False) -> Path:
    """Write the commented starter config; refuse to overwrite an existing file unless ``force``."""
    path = Path(directory) / STARTER_NAME
    if path.exists() and not force:
        raise ConfigError(f"{display(path)} already exists; use --force to overwrite it")
    path.write_text(STARTER, encoding="utf-8")
    return path
