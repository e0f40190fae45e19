"""Schema validation: the only adapter around kubernetes-validate's schemas and jsonschema.

kubernetes-validate bundles the JSON Schemas of every Kubernetes minor it supports
(``kubernetes_validate/kubernetes-json-schema/v1.35.0-local[-strict]/``): one
``_definitions.json`` per version (all types, ``$defs``, each top-level kind tagged with
``x-kubernetes-group-version-kind``) and one small file per kind
(``deployment-apps-v1.json``) that ``$ref``\\ s into it. We read those files directly instead of
calling ``kubernetes_validate.validate``, which stops at the first error, compares versions as
strings and raises exceptions whose ``str()`` is empty.

Everything is lazy and cached per process: a version's ``_definitions.json`` is parsed the first
time an object needs it, a kind file the first time its kind appears, and each validator is
built once per (version, strict, group/version/kind). Validation first asks a compiled
predicate (``schema_fastpath``) and runs jsonschema's ``iter_errors`` only for objects that
fail it, turning the error tree into one actionable message per problem.
"""

from __future__ import annotations

import difflib
import enum
import importlib.util
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .crd_schemas import crd_kind, crd_schema_source
from .errors import UserError
from .k8s_versions import (
    BUILTIN_GROUPS,
    KubeVersion,
    VersionWindow,
    api_removal,
    default_version,
    parse_version,
    version_priority,
)
from .model import Resource, split_api_version
from .positions import Pointer, format_pointer
from .schema_dir import SchemaDirectory
from .schema_fastpath import Check, FastCompiler, Unsupported
from .schema_source import SchemaSource

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

SCHEMA_PACKAGE = "kubernetes_validate"
SCHEMA_FOLDER = "kubernetes-json-schema"
DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
MAX_PROBLEMS_PER_OBJECT = 20
SCHEMA_RULE = "KP002"  # the rule whose run adds schema coverage to the summary

_FOLDER_RE = re.compile(r"^v(\d+)\.(\d+)\.\d+-local$")
_LOADED: list[str] = []


def loaded_schema_files() -> tuple[str, ...]:
    """Bundled schema files parsed so far in this process (for tests and benchmarks of laziness)."""
    return tuple(_LOADED)


# --------------------------------------------------------------------------- versions


@cache
def schema_root() -> Path:
    """The bundled schema folder, found without importing kubernetes_validate (which imports jsonschema)."""
    spec = importlib.util.find_spec(SCHEMA_PACKAGE)
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not locations:
        raise UserError("kubernetes-validate is not installed; reinstall kportable")
    return Path(locations[0]) / SCHEMA_FOLDER


@cache
def _version_folders() -> dict[KubeVersion, str]:
    root = schema_root()
    if not root.is_dir():
        return {}
    found = {}
    for entry in root.iterdir():
        match = _FOLDER_RE.match(entry.name)
        if match:
            found[KubeVersion(int(match.group(1)), int(match.group(2)))] = entry.name
    return dict(sorted(found.items()))


def bundled_versions() -> tuple[KubeVersion, ...]:
    """The Kubernetes minors whose schemas are installed, oldest first."""
    return tuple(_version_folders())


def supported_range() -> str:
    versions = bundled_versions()
    return f"{versions[0]} to {versions[-1]}" if versions else "none (kubernetes-validate has no schemas)"


def resolve_version(requested: str | None, windows: Sequence[VersionWindow] = ()) -> KubeVersion:
    """The Kubernetes minor a run validates against.

    An explicit ``requested`` (``--k8s-version``) must be one of the bundled minors, else
    ``UserError`` (exit 2) lists the range. Without it: the oldest minor in standard support on
    any target cloud (``k8s_versions.default_version``), clamped into the bundled range.
    """
    versions = bundled_versions()
    if not versions:
        raise UserError("kubernetes-validate is installed without schemas; reinstall it")
    if requested is not None:
        try:
            version = parse_version(requested)
        except ValueError as exc:
            raise UserError(f"--k8s-version: {exc}") from None
        if version not in versions:
            raise UserError(
                f"--k8s-version {requested}: kportable has schemas for Kubernetes {supported_range()} "
                "(from kubernetes-validate); choose a version in that range"
            )
        return version
    wanted = default_version(windows)
    return min(max(wanted, versions[0]), versions[-1])


# --------------------------------------------------------------------------- problems


class Problem(enum.StrEnum):
    """The kind of a schema violation."""

    UNKNOWN_FIELD = "unknown-field"
    WRONG_TYPE = "wrong-type"
    MISSING_FIELD = "missing-field"
    NOT_ALLOWED = "not-allowed"  # enum / const
    INVALID = "invalid"  # any other keyword, or a schema that cannot be applied


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One schema violation: where (a pointer inside the object), what, and what to do."""

    pointer: Pointer
    message: str
    fix: str = ""
    kind: Problem = Problem.INVALID


_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}


def _json_type(value: object) -> str:
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


def _where(pointer: Pointer) -> str:
    return f"`{format_pointer(pointer)}`" if pointer else "the object"


def _preview(value: object) -> str:
    """``an object``, ``a list`` or the value as JSON, shortened."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + '..."'


def _got(value: object) -> str:
    """``string "3"``, ``an object``, ``null``: what a wrong-typed field holds."""
    if value is None or isinstance(value, dict | list):
        return _preview(value)
    return f"{_json_type(value)} {_preview(value)}"


def _closest(word: str, candidates: Iterable[str]) -> str | None:
    options = [c for c in candidates if isinstance(c, str)]
    for c in options:
        if c.lower() == word.lower():
            return c
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return match[0] if match else None


def _expected(types: object) -> list[str]:
    names = [types] if isinstance(types, str) else [t for t in types if isinstance(t, str)] if isinstance(
        types, list) else []
    return [t for t in names if t != "null"] or names


def _type_fix(pointer: Pointer, expected: Sequence[str], value: object) -> str:
    field = format_pointer(pointer) or "the value"
    if "string" in expected and isinstance(value, bool | int | float) and value is not None:
        text = json.dumps(value) if not isinstance(value, bool) else ("true" if value else "false")
        return f'Quote it: `{field}: "{text}"`.'
    if expected and expected[0] in ("integer", "number") and isinstance(value, str):
        return f"Write `{field}` as a number, without quotes."
    if expected == ["array"]:
        return f"Make `{field}` a YAML list (items starting with `- `)."
    if expected == ["object"]:
        return f"Make `{field}` a mapping of keys to values."
    return f"Give `{field}` a value of type {' or '.join(expected)}."


def _explain(error: ValidationError) -> Iterator[SchemaProblem]:
    """Turn one jsonschema error (and its oneOf/anyOf context) into actionable problems."""
    from jsonschema.exceptions import best_match

    keyword = error.validator
    pointer: Pointer = tuple(error.absolute_path)
    value = error.instance
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if keyword == "additionalProperties" and isinstance(value, dict):
        props = schema.get("properties") or {}
        patterns = [re.compile(p) for p in (schema.get("patternProperties") or {})]
        for key in value:
            if key in props or any(p.search(key) for p in patterns):
                continue
            guess = _closest(key, props)
            hint = f" (did you mean `{guess}`?)" if guess else ""
            yield SchemaProblem(
                (*pointer, key),
                f"unknown field `{key}` in {_where(pointer)}{hint}",
                f"Rename `{key}` to `{guess}`." if guess else
                f"Remove `{key}`, or move it to the level where it belongs (check its indentation).",
                Problem.UNKNOWN_FIELD,
            )
        return
    if keyword == "required" and isinstance(value, dict):
        for name in error.validator_value if isinstance(error.validator_value, list) else ():
            if name not in value:
                yield SchemaProblem(pointer, f"{_where(pointer)} is missing required field `{name}`",
                                    f"Add `{name}` to {_where(pointer)}.", Problem.MISSING_FIELD)
        return
    if keyword == "type":
        expected = _expected(error.validator_value)
        yield SchemaProblem(
            pointer,
            f"{_where(pointer)} has the wrong type: expected {' or '.join(expected)}, got {_got(value)}",
            _type_fix(pointer, expected, value),
            Problem.WRONG_TYPE,
        )
        return
    if keyword in ("enum", "const"):
        allowed = error.validator_value if keyword == "enum" else [error.validator_value]
        allowed_list = allowed if isinstance(allowed, list) else [allowed]
        shown = ", ".join(json.dumps(a) for a in allowed_list[:8]) + (", ..." if len(allowed_list) > 8 else "")
        guess = _closest(value, [a for a in allowed_list if isinstance(a, str)]) if isinstance(value, str) else None
        hint = f" (did you mean {json.dumps(guess)}?)" if guess else ""
        yield SchemaProblem(pointer, f"{_where(pointer)} is {_preview(value)}, not one of {shown}{hint}",
                            f"Use one of {shown}.", Problem.NOT_ALLOWED)
        return
    if keyword in ("oneOf", "anyOf"):
        if value is None:
            return  # null matches every branch of an int-or-string union; the API server reads it as unset
        context = list(error.context or ())
        if not context:
            yield SchemaProblem(pointer, f"{_where(pointer)} matches more than one of the allowed forms",
                                "Keep the fields of only one of the alternatives.")
            return
        if all(c.validator == "type" and not c.relative_path for c in context):
            expected = [t for c in context for t in _expected(c.validator_value)]
            unique = list(dict.fromkeys(expected))
            yield SchemaProblem(
                pointer,
                f"{_where(pointer)} has the wrong type: expected {' or '.join(unique)}, got {_got(value)}",
                _type_fix(pointer, unique, value),
                Problem.WRONG_TYPE,
            )
            return
        yield from _explain(best_match(context))
        return
    text = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    yield SchemaProblem(pointer, f"{_where(pointer)}: {text}", "Fix the value so that it matches the schema.")


def explain_errors(errors: Iterable[ValidationError]) -> tuple[SchemaProblem, ...]:
    """De-duplicated problems of one object, in document order, capped at ``MAX_PROBLEMS_PER_OBJECT``."""
    seen: dict[tuple[Pointer, str], SchemaProblem] = {}
    for error in errors:
        for problem in _explain(error):
            seen.setdefault((problem.pointer, problem.message), problem)
    ordered = sorted(seen.values(), key=lambda p: (tuple(str(x) for x in p.pointer), p.message))
    if len(ordered) > MAX_PROBLEMS_PER_OBJECT:
        extra = len(ordered) - MAX_PROBLEMS_PER_OBJECT
        ordered = [*ordered[:MAX_PROBLEMS_PER_OBJECT],
                   SchemaProblem((), f"{extra} more schema errors in this object are not shown",
                                 "Fix the errors above and lint again.")]
    return tuple(ordered)


# --------------------------------------------------------------------------- validators


class ObjectValidator:
    """Validates whole objects of one (group, version, kind) against one schema.

    The jsonschema validator is built on first use: most objects pass the fast predicate and
    never need it.
    """

    def __init__(self, schema: Mapping[str, Any], origin: str, fast: Check | None,
                 make: Callable[[], Validator]) -> None:
        self.schema = schema
        self.origin = origin
        self._fast = fast
        self._make = make
        self._slow: Validator | None = None

    def fast_valid(self, data: object) -> bool | None:
        """The compiled predicate's answer (``None`` when the schema has no fast path)."""
        return None if self._fast is None else self._fast(data)

    def jsonschema_valid(self, data: object) -> bool:
        """jsonschema's answer, bypassing the fast path (for tests and benchmarks)."""
        return not any(True for _ in self._jsonschema().iter_errors(data))  # type: ignore[arg-type]

    def _jsonschema(self) -> Validator:
        if self._slow is None:
            self._slow = self._make()
        return self._slow

    def problems(self, data: object) -> tuple[SchemaProblem, ...]:
        try:
            if self._fast is not None and self._fast(data):
                return ()
            errors = list(self._jsonschema().iter_errors(data))  # type: ignore[arg-type]
        except RecursionError:
            return (SchemaProblem((), "the object nests too deeply to be validated",
                                  "Flatten the object; no Kubernetes API nests this deep."),)
        except Exception as exc:  # a broken third-party schema (bad $ref, bad regex): say so, do not crash
            return (SchemaProblem((), f"the schema from {self.origin} cannot be applied: {type(exc).__name__}: "
                                      f"{exc}", "Fix or remove that schema."),)
        return explain_errors(errors)


def _validator_for(schema: Mapping[str, Any], registry: Any = None) -> Validator:
    from jsonschema import validators

    cls = validators.validator_for(schema, default=validators.Draft202012Validator)
    return cls(schema, registry=registry) if registry is not None else cls(schema)


def _compiles(pattern: object) -> bool:
    try:
        re.compile(str(pattern))
    except re.error:
        return False
    return True


def without_foreign_patterns(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """``schema`` minus the ``pattern``\\ s Python's ``re`` cannot compile.

    CRD patterns are Go RE2 (``^(?i)(abort|warn)?$`` puts a flag mid-pattern, which Python
    rejects); jsonschema would refuse the whole schema for one of them. Those patterns are not
    checked; everything else still is.
    """

    def clean(node: object) -> tuple[object, bool]:
        if isinstance(node, Mapping):
            changed = False
            out: dict[str, Any] = {}
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str) and not _compiles(value):
                    changed = True
                    continue
                new, sub = clean(value)
                changed = changed or sub
                out[key] = new
            return (out, True) if changed else (node, False)
        if isinstance(node, list):
            items = [clean(v) for v in node]
            if any(sub for _, sub in items):
                return [v for v, _ in items], True
        return node, False

    cleaned, changed = clean(schema)
    return cleaned if changed and isinstance(cleaned, Mapping) else schema


def standalone_validator(schema: Mapping[str, Any], origin: str) -> ObjectValidator | str:
    """A validator for a schema from a plugin, a file or a CRD; a problem string if it is not a valid schema."""
    from jsonschema import validators
    from jsonschema.exceptions import SchemaError

    schema = without_foreign_patterns(schema)
    cls = validators.validator_for(schema, default=validators.Draft202012Validator)
    fast: Check | None = None
    if cls is validators.Draft202012Validator:
        try:
            fast = FastCompiler().compile(schema)
        except Unsupported:
            fast = None
    if fast is None:  # a schema the fast path accepts is well-formed enough; the meta-check costs ~100 ms
        try:
            cls.check_schema(dict(schema))
        except SchemaError as exc:
            return f"the schema from {origin} is not a valid JSON Schema: {exc.message}"
    return ObjectValidator(schema, origin, fast, lambda: _validator_for(schema))


GVK = tuple[str, str, str]  # (group, version, kind)


class BundledSchemas:
    """The schemas bundled for one Kubernetes minor, strict or not. Shared per process (``bundled``)."""

    def __init__(self, version: KubeVersion, strict: bool) -> None:
        folder = _version_folders()[version] + ("-strict" if strict else "")
        self.version = version
        self.strict = strict
        self._folder = schema_root() / folder
        self._defs: dict[str, Any] | None = None
        self._index: dict[GVK, str] | None = None
        self._compiler: FastCompiler | None = None
        self._registry: Any = None
        self._validators: dict[GVK, ObjectValidator | None] = {}

    def _read(self, name: str) -> Any:
        entry = self._folder / name
        data = json.loads(entry.read_text(encoding="utf-8"))
        _LOADED.append(f"{self._folder.name}/{name}")
        return data

    @property
    def definitions(self) -> dict[str, Any]:
        if self._defs is None:
            self._defs = self._read("_definitions.json")
        return self._defs

    @property
    def index(self) -> dict[GVK, str]:
        """(group, version, kind) of every kind this minor serves -> its ``$defs`` name."""
        if self._index is None:
            index: dict[GVK, str] = {}
            for name, node in self.definitions.get("$defs", {}).items():
                for gvk in node.get("x-kubernetes-group-version-kind", ()) if isinstance(node, dict) else ():
                    key = (gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", ""))
                    if key[1] and key[2]:
                        index.setdefault(key, name)
            self._index = index
        return self._index

    def served(self, group: str, version: str, kind: str) -> bool:
        return (group, version, kind) in self.index

    def versions_of(self, group: str, kind: str) -> tuple[str, ...]:
        """The apiVersions that serve ``kind`` of ``group`` at this minor (``apps/v1``), preferred first."""
        found = sorted((v for g, v, k in self.index if g == group and k == kind),
                       key=lambda v: (tuple(-x for x in version_priority(v)), v))
        return tuple(f"{group}/{v}" if group else v for v in found)

    def kinds_of(self, group: str) -> tuple[str, ...]:
        return tuple(sorted({k for g, _, k in self.index if g == group}))

    def validator(self, group: str, version: str, kind: str) -> ObjectValidator | None:
        key = (group, version, kind)
        if key in self._validators:
            return self._validators[key]
        def_name = self.index.get(key)
        found = None if def_name is None else self._build(key, def_name)
        self._validators[key] = found
        return found

    def _build(self, key: GVK, def_name: str) -> ObjectValidator:
        group, version, kind = key
        short = group.split(".")[0]
        name = f"{kind.lower()}-{short}-{version}.json" if group else f"{kind.lower()}-{version}.json"
        schema: dict[str, Any]
        try:
            schema = self._read(name)
            declared = schema.get("x-kubernetes-group-version-kind") or [{}]
            if not any(d.get("group", "") == group and d.get("kind") == kind for d in declared):
                raise FileNotFoundError(name)
        except (FileNotFoundError, OSError, ValueError):
            schema = {"$schema": DRAFT_2020_12, "$ref": f"{DEFINITIONS_URI}#/$defs/{def_name}"}
        origin = f"Kubernetes {self.version}{' (strict)' if self.strict else ''} schema of {kind}"
        if self._compiler is None:
            defs = self.definitions
            self._compiler = FastCompiler({"/api/_definitions.json": defs, DEFINITIONS_URI: defs})
        try:
            fast: Check | None = self._compiler.compile(schema)
        except Unsupported:
            fast = None
        return ObjectValidator(schema, origin, fast, lambda: _validator_for(schema, self._jsonschema_registry()))

    def _jsonschema_registry(self) -> Any:
        if self._registry is None:
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT202012

            defs = Resource.from_contents(self.definitions, default_specification=DRAFT202012)
            self._registry = Registry().with_resource(DEFINITIONS_URI, defs)
        return self._registry


_BUNDLES: dict[tuple[KubeVersion, bool], BundledSchemas] = {}


def bundled(version: KubeVersion, strict: bool = False) -> BundledSchemas:
    """The process-wide, lazily loaded schemas of ``version`` (parsed once however many runs use them)."""
    key = (version, strict)
    if key not in _BUNDLES:
        _BUNDLES[key] = BundledSchemas(version, strict)
    return _BUNDLES[key]


# --------------------------------------------------------------------------- catalog


class Status(enum.Enum):
    """What the catalog can do with an object of some apiVersion and kind."""

    VALIDATE = "validate"  # a schema was found
    REMOVED = "removed"  # a built-in apiVersion removed at this version (KP008 reports it)
    NOT_SERVED = "not-served"  # a built-in group that does not serve this kind/version (KP003)
    NO_SCHEMA = "no-schema"  # a custom resource nobody provided a schema for (counted, skipped)
    BROKEN = "broken"  # a schema was provided but cannot be used (KP002 says why)


@dataclass(frozen=True, slots=True)
class Lookup:
    """The catalog's answer for one apiVersion and kind."""

    status: Status
    validator: ObjectValidator | None = None
    served_as: tuple[str, ...] = ()  # NOT_SERVED: apiVersions that do serve this kind
    known_kinds: tuple[str, ...] = ()  # NOT_SERVED: the kinds the group serves
    served_from: KubeVersion | None = None  # NOT_SERVED: the first later bundled minor that serves it
    problem: str = ""  # BROKEN


class SchemaCatalog:
    """Where the schema of each object of one run comes from, for one Kubernetes minor.

    Built-in groups use the bundled schemas of ``version``. Custom resources use, in this order:
    ``--schema-dir`` files, ``CustomResourceDefinition`` objects of the input (``crds``),
    then plugin schemas. A plugin schema for a built-in kind replaces the bundled one only with
    ``override=True`` (the plugin manager rejects it otherwise). Lookups are cached per apiVersion
    and kind.
    """

    def __init__(
        self,
        version: KubeVersion,
        *,
        strict: bool = False,
        sources: Sequence[SchemaSource] = (),
        directory: SchemaDirectory | None = None,
        crds: Sequence[Resource] = (),
    ) -> None:
        self.version = version
        self.strict = strict
        self.bundle = bundled(version, strict)
        self._dirs = directory
        self._crds: dict[tuple[str, str], list[Resource]] = {}
        for crd in crds:
            identity = crd_kind(crd)
            if identity is not None:
                self._crds.setdefault(identity, []).append(crd)
        self._plugin: dict[GVK, SchemaSource] = {}
        self._overrides: dict[GVK, SchemaSource] = {}
        for source in sources:
            key = (source.group, source.version, source.kind)
            if source.group in BUILTIN_GROUPS:
                if source.override:
                    self._overrides.setdefault(key, source)
            else:
                self._plugin.setdefault(key, source)
        self._lookups: dict[tuple[str, str], Lookup] = {}

    def lookup(self, api_version: str, kind: str) -> Lookup:
        key = (api_version, kind)
        found = self._lookups.get(key)
        if found is None:
            found = self._lookup(api_version, kind)
            self._lookups[key] = found
        return found

    def _lookup(self, api_version: str, kind: str) -> Lookup:
        group, version = split_api_version(api_version)
        gvk = (group, version, kind)
        if group in BUILTIN_GROUPS:
            override = self._overrides.get(gvk)
            if override is not None:
                return self._standalone(override.schema, override.origin or "a plugin")
            removal = api_removal(api_version, kind)
            if removal is not None and removal.removed_in <= self.version:
                return Lookup(Status.REMOVED)
            validator = self.bundle.validator(group, version, kind)
            if validator is not None:
                return Lookup(Status.VALIDATE, validator)
            if api_version == "v1" and kind == "List":
                return Lookup(Status.NO_SCHEMA)
            return Lookup(Status.NOT_SERVED, served_as=self.bundle.versions_of(group, kind),
                          known_kinds=self.bundle.kinds_of(group), served_from=self._served_from(gvk))
        if self._dirs is not None:
            from_dir = self._dirs.find(group, version, kind)
            if from_dir is not None:
                if from_dir.schema is None:
                    return Lookup(Status.BROKEN, problem=from_dir.problem)
                return self._standalone(from_dir.schema, from_dir.path)
        source = self._crd_schema(group, version, kind) or self._plugin.get(gvk)
        if source is not None:
            return self._standalone(source.schema, source.origin or "a plugin")
        return Lookup(Status.NO_SCHEMA)

    def _served_from(self, gvk: GVK) -> KubeVersion | None:
        """The first bundled minor after ours that serves ``gvk`` (only the newest is read when none does)."""
        later = [v for v in bundled_versions() if v > self.version]
        if not later or not bundled(later[-1]).served(*gvk):
            return None
        return next(v for v in later if bundled(v).served(*gvk))

    def _standalone(self, schema: Mapping[str, Any], origin: str) -> Lookup:
        made = standalone_validator(schema, origin)
        if isinstance(made, str):
            return Lookup(Status.BROKEN, problem=made)
        return Lookup(Status.VALIDATE, made)

    def _crd_schema(self, group: str, version: str, kind: str) -> SchemaSource | None:
        """The schema of the first CRD of the input that defines (group, kind) and serves ``version``."""
        for crd in self._crds.get((group, kind), ()):
            source = crd_schema_source(crd, version, strict=self.strict)
            if source is not None:
                return source
        return None

    def problems(self, resource: Resource) -> tuple[SchemaProblem, ...]:
        """Schema problems of ``resource`` (none when it has no usable schema)."""
        found = self.lookup(resource.api_version, resource.kind)
        if found.validator is None:
            return ()
        return found.validator.problems(resource.data)


@dataclass(frozen=True, slots=True)
class SchemaCoverage:
    """How much of a run schema validation covered, for the summary.

    ``skipped`` counts custom resources nobody provided a schema for (not an error: pass one
    with ``--schema-dir``, a plugin, or the CRD itself); ``skipped_kinds`` names them by
    ``apiVersion kind``, most frequent first.
    """

    k8s_version: str
    strict: bool
    validated: int = 0
    skipped: int = 0
    skipped_kinds: tuple[tuple[str, int], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "k8s_version": self.k8s_version,
            "strict": self.strict,
            "validated": self.validated,
            "skipped_no_schema": self.skipped,
            "skipped_kinds": dict(self.skipped_kinds),
        }


def coverage(catalog: SchemaCatalog, resources: Iterable[Resource]) -> SchemaCoverage:
    """Count the reported resources validated and skipped (no schema) by ``catalog``."""
    validated = 0
    skipped: dict[str, int] = {}
    for res in resources:
        status = catalog.lookup(res.api_version, res.kind).status
        if status is Status.VALIDATE:
            validated += 1
        elif status is Status.NO_SCHEMA:
            name = f"{res.api_version} {res.kind}"
            skipped[name] = skipped.get(name, 0) + 1
    kinds = tuple(sorted(skipped.items(), key=lambda item: (-item[1], item[0])))
    return SchemaCoverage(str(catalog.version), catalog.strict, validated, sum(skipped.values()), kinds)
