"""A JSON Schema compiled to Python closures that only answer "valid or not?", fast.

jsonschema walks a schema with a generic dispatcher per keyword and per instance; for the
Kubernetes schemas, which use a handful of keywords (type, properties, additionalProperties,
required, items, enum, $ref, oneOf), that costs about 0.5 ms per Deployment: more than parsing
it. Most objects are valid, so ``validate.py`` asks this compiled predicate first and runs
jsonschema's ``iter_errors`` (for the messages) only on objects the predicate rejects.

The predicate must agree with jsonschema's Draft 2020-12 validator without a format checker
(``tests/test_schema_fastpath.py`` compares them). A schema using a validation keyword this
module does not implement raises ``Unsupported``; the caller then validates with jsonschema
alone. Annotations (description, format, default, ``x-kubernetes-*``) are ignored, as
jsonschema ignores them.

Most of the time goes to walking objects, so the closures are shaped for the Kubernetes schemas:
a node with only object (or array) keywords and a ``type`` such as ``["object", "null"]`` is one
closure that tests the instance's type itself, and a property, map value or item whose schema is
only a ``type`` is tested inline (``value.__class__ in allowed``) instead of through a call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from typing import Any

Check = Callable[[Any], bool]

# Draft 2020-12 validation keywords this compiler does not implement: their presence makes the
# whole schema fall back to jsonschema.
UNSUPPORTED = frozenset((
    "dependentRequired", "dependentSchemas", "dependencies", "unevaluatedProperties", "unevaluatedItems",
    "prefixItems", "contains", "minContains", "maxContains", "multipleOf", "$dynamicRef", "$recursiveRef",
    "additionalItems",
))

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
    "integer": (int,),
    "number": (int, float),
}


_DICT: frozenset[type] = frozenset((dict,))
_LIST: frozenset[type] = frozenset((list,))
_OBJECT_KEYWORDS = ("properties", "additionalProperties", "required", "patternProperties", "minProperties",
                    "maxProperties", "propertyNames")
_ARRAY_KEYWORDS = ("items", "minItems", "maxItems", "uniqueItems")
# keywords that constrain a value (the rest, description, format, x-kubernetes-*, then and else
# without if, are annotations)
_VALIDATION_KEYWORDS = frozenset((
    "type", "enum", "const", "$ref", "allOf", "anyOf", "oneOf", "not", "if", *_OBJECT_KEYWORDS, *_ARRAY_KEYWORDS,
    "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
))


class Unsupported(Exception):
    """The schema uses something the fast path does not implement; validate with jsonschema instead."""


def _always(_: Any) -> bool:
    return True


def _never(_: Any) -> bool:
    return False


def _is_number(v: Any) -> bool:
    t = type(v)
    return t is int or t is float


def _type_check(spec: object) -> tuple[Check, frozenset[type] | None]:
    """The predicate of a ``type`` keyword, and its set of Python types when membership is the whole test."""
    names = [spec] if isinstance(spec, str) else list(spec) if isinstance(spec, list) else None
    if names is None or not all(isinstance(n, str) and n in _PY_TYPES for n in names):
        raise Unsupported(f"type {spec!r}")
    allowed = frozenset(t for n in names for t in _PY_TYPES[n])
    if "integer" in names and "number" not in names:
        def integer_or(v: Any) -> bool:
            t = type(v)
            return t in allowed or (t is float and bool(v.is_integer()))
        return integer_or, None

    def of_type(v: Any) -> bool:
        return type(v) in allowed

    return of_type, allowed


def _scalar_equal(a: Any, b: Any) -> bool:
    """jsonschema's equality for scalars: booleans never equal numbers, 1 == 1.0."""
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and bool(a == b)
    if a is None or b is None:
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    return _is_number(a) and _is_number(b) and bool(a == b)


def _enum_check(values: object) -> Check:
    if not isinstance(values, list):
        raise Unsupported("enum must be a list")
    if any(isinstance(v, dict | list) for v in values):
        raise Unsupported("enum of objects or arrays")
    if all(isinstance(v, str) for v in values):
        strings = frozenset(values)

        def in_strings(v: Any) -> bool:
            return type(v) is str and v in strings

        return in_strings
    options = tuple(values)

    def in_values(v: Any) -> bool:
        return not isinstance(v, dict | list) and any(_scalar_equal(v, o) for o in options)

    return in_values


def _all(checks: Sequence[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks

        def both(v: Any) -> bool:
            return first(v) and second(v)

        return both
    items = tuple(checks)

    def every(v: Any) -> bool:
        return all(c(v) for c in items)

    return every


class FastCompiler:
    """Compiles schema nodes of one set of documents; ``$ref`` targets are compiled once and shared.

    ``documents`` maps the document part of a ``$ref`` (``/api/_definitions.json``) to its root;
    ``#...`` refs resolve in the root the referring node came from.
    """

    def __init__(self, documents: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._documents = dict(documents or {})
        self._compiled: dict[int, Check] = {}
        self._cells: dict[int, list[Check]] = {}
        self._pending: set[int] = set()
        self._keep: list[object] = []  # keeps compiled nodes alive so their ids stay unique
        # checks that only test the value's Python type: callers inline ``type(v) in allowed``
        self._types: dict[Check, frozenset[type]] = {}

    def compile(self, schema: object, root: Mapping[str, Any] | None = None) -> Check:
        """The predicate of ``schema`` (whose ``#`` refs resolve in ``root``, by default itself)."""
        if root is None:
            root = schema if isinstance(schema, Mapping) else {}
        return self._node(schema, root)

    # ------------------------------------------------------------------ nodes

    def _node(self, node: object, root: Mapping[str, Any]) -> Check:
        if node is True:
            return _always
        if node is False:
            return _never
        if not isinstance(node, Mapping):
            raise Unsupported(f"schema node of type {type(node).__name__}")
        key = id(node)
        done = self._compiled.get(key)
        if done is not None:
            return done
        if key in self._pending:  # a recursive $ref: bind late through a cell
            cell = self._cells.setdefault(key, [])

            def late(v: Any) -> bool:
                return cell[0](v)

            return late
        self._pending.add(key)
        try:
            check = self._build(node, root)
        finally:
            self._pending.discard(key)
        self._compiled[key] = check
        self._keep.append(node)
        if key in self._cells:
            self._cells[key].append(check)
        return check

    def _build(self, node: Mapping[str, Any], root: Mapping[str, Any]) -> Check:
        for keyword in node:
            if keyword in UNSUPPORTED:
                raise Unsupported(keyword)
        checks: list[Check] = []
        type_check, allowed = _type_check(node["type"]) if "type" in node else (None, None)
        has_object = any(k in node for k in _OBJECT_KEYWORDS)
        has_array = any(k in node for k in _ARRAY_KEYWORDS)
        text = _string(node)
        num = _number(node)
        # A node with only object (or only array) keywords and no type, or type ``object`` (``array``),
        # is one closure that tests the instance's type itself instead of a dispatch and a type check.
        alone = (has_object + has_array + (text is not None) + (num is not None)) == 1
        if alone and has_object and (type_check is None or (allowed is not None and dict in allowed)):
            checks.append(self._object(node, root, other=None if allowed is None else allowed - _DICT))
        elif alone and has_array and (type_check is None or (allowed is not None and list in allowed)):
            checks.append(self._array(node, root, other=None if allowed is None else allowed - _LIST))
        else:
            obj = self._object(node, root, other=None) if has_object else None
            arr = self._array(node, root, other=None) if has_array else None
            typed = [c for c in (obj, arr, text, num) if c is not None]
            if type_check is not None and not typed:
                checks.append(type_check)
                if allowed is not None and len(node.keys() & _VALIDATION_KEYWORDS) == 1:
                    self._types[type_check] = allowed
            elif typed:
                checks.append(_dispatch(type_check, obj, arr, text, num))
        if "enum" in node:
            checks.append(_enum_check(node["enum"]))
        if "const" in node:
            checks.append(_enum_check([node["const"]]))
        if "$ref" in node:
            checks.append(self._ref(node["$ref"], root))
        if "allOf" in node:
            checks.extend(self._node(s, root) for s in _schemas(node["allOf"], "allOf"))
        if "anyOf" in node:
            alternatives = tuple(self._node(s, root) for s in _schemas(node["anyOf"], "anyOf"))

            def any_of(v: Any) -> bool:
                return any(c(v) for c in alternatives)

            checks.append(any_of)
        if "oneOf" in node:
            choices = tuple(self._node(s, root) for s in _schemas(node["oneOf"], "oneOf"))

            def one_of(v: Any) -> bool:
                hits = 0
                for c in choices:
                    if c(v):
                        hits += 1
                        if hits > 1:
                            return False
                return hits == 1

            checks.append(one_of)
        if "not" in node:
            negated = self._node(node["not"], root)

            def not_(v: Any) -> bool:
                return not negated(v)

            checks.append(not_)
        if "if" in node:  # then/else without if are ignored, as jsonschema ignores them
            condition = self._node(node["if"], root)
            then = self._node(node["then"], root) if "then" in node else _always
            otherwise = self._node(node["else"], root) if "else" in node else _always

            def if_then_else(v: Any) -> bool:
                return then(v) if condition(v) else otherwise(v)

            checks.append(if_then_else)
        return _all(checks)

    def _ref(self, ref: object, root: Mapping[str, Any]) -> Check:
        if not isinstance(ref, str):
            raise Unsupported("$ref must be a string")
        doc, _, fragment = ref.partition("#")
        target_root = root if not doc else self._documents.get(doc)
        if target_root is None:
            raise Unsupported(f"$ref to another document {doc!r}")
        target: object = target_root
        if fragment:
            if not fragment.startswith("/"):
                raise Unsupported(f"$ref anchor {fragment!r}")
            for raw in fragment[1:].split("/"):
                part = raw.replace("~1", "/").replace("~0", "~")
                if isinstance(target, Mapping) and part in target:
                    target = target[part]
                elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                    target = target[int(part)]
                else:
                    raise Unsupported(f"unresolvable $ref {ref!r}")
        return self._node(target, target_root)

    def _object(self, node: Mapping[str, Any], root: Mapping[str, Any], *, other: frozenset[type] | None) -> Check:
        """The object keywords of ``node``. A non-object instance is valid when its type is in ``other``
        (``None``: any type, as without a ``type`` keyword)."""
        props: dict[str, Check | frozenset[type]] = {}
        raw_props = node.get("properties", {})
        if not isinstance(raw_props, Mapping):
            raise Unsupported("properties must be an object")
        for name, sub in raw_props.items():
            check = self._node(sub, root)
            props[name] = self._types.get(check, check)  # a type-only check becomes its set of types
        patterns: tuple[tuple[re.Pattern[str], Check], ...] = ()
        if "patternProperties" in node:
            raw = node["patternProperties"]
            if not isinstance(raw, Mapping):
                raise Unsupported("patternProperties must be an object")
            patterns = tuple((_regex(p), self._node(s, root)) for p, s in raw.items())
        additional = node.get("additionalProperties", True)
        extra: Check | None = None if additional is True else self._node(additional, root)
        extra_types = self._types.get(extra) if extra is not None else None  # a map of strings (labels)
        required = node.get("required", [])
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise Unsupported("required must be a list of strings")
        required_keys = tuple(required)
        min_props = _count(node, "minProperties")
        max_props = _count(node, "maxProperties")
        if "propertyNames" in node:
            names = self._node(node["propertyNames"], root)
            inner = self._object({k: v for k, v in node.items() if k != "propertyNames"}, root, other=other)

            def check_names(v: Any) -> bool:
                if v.__class__ is dict:
                    for k in v:
                        if not names(k):
                            return False
                return inner(v)

            return check_names
        get = props.get
        frozen = frozenset
        any_other = other is None
        others = other or frozenset()

        if not patterns and min_props is None and max_props is None:
            # the Kubernetes shape: properties, maybe required, maybe additionalProperties

            def check_properties(v: Any) -> bool:
                if v.__class__ is not dict:
                    return any_other or v.__class__ in others
                for k, val in v.items():
                    c = get(k)
                    if c is None:
                        if extra_types is not None:
                            if val.__class__ not in extra_types:
                                return False
                        elif extra is not None and not extra(val):
                            return False
                    elif c.__class__ is frozen:
                        if val.__class__ not in c:
                            return False
                    elif not c(val):  # type: ignore[operator]
                        return False
                for r in required_keys:  # noqa: SIM110 - a loop, not all() over a generator: this runs per object
                    if r not in v:
                        return False
                return True

            return check_properties

        def check_object(v: Any) -> bool:
            if v.__class__ is not dict:
                return any_other or v.__class__ in others
            for k, val in v.items():
                c = get(k)
                if c is not None:
                    if c.__class__ is frozen:
                        if val.__class__ not in c:
                            return False
                    elif not c(val):  # type: ignore[operator]
                        return False
                    if not patterns:
                        continue
                matched = False
                for pattern, pc in patterns:
                    if pattern.search(k):
                        matched = True
                        if not pc(val):
                            return False
                if c is None and not matched and extra is not None and not extra(val):
                    return False
            for r in required_keys:
                if r not in v:
                    return False
            if min_props is not None and len(v) < min_props:
                return False
            return max_props is None or len(v) <= max_props

        return check_object

    def _array(self, node: Mapping[str, Any], root: Mapping[str, Any], *, other: frozenset[type] | None) -> Check:
        """The array keywords of ``node``; a non-array instance is valid when its type is in ``other``."""
        items = node.get("items", True)
        if isinstance(items, list):
            raise Unsupported("items as a list")
        item_check = None if items is True else self._node(items, root)
        item_types = self._types.get(item_check) if item_check is not None else None
        min_items = _count(node, "minItems")
        max_items = _count(node, "maxItems")
        unique = node.get("uniqueItems", False)
        if not isinstance(unique, bool):
            raise Unsupported(f"uniqueItems {unique!r}")
        any_other = other is None
        others = other or frozenset()

        def check_array(v: Any) -> bool:
            if v.__class__ is not list:
                return any_other or v.__class__ in others
            if min_items is not None and len(v) < min_items:
                return False
            if max_items is not None and len(v) > max_items:
                return False
            if item_types is not None:
                for item in v:
                    if item.__class__ not in item_types:
                        return False
            elif item_check is not None:
                for item in v:
                    if not item_check(item):
                        return False
            return not unique or _unique(v)

        return check_array


# ``uniqueItems`` as jsonschema decides it (``jsonschema._utils.uniq``, with its equality: ``True``
# is not ``1``, ``1`` is ``1.0``, lists and objects compare by content): sort and compare
# neighbours, or compare every pair when the items do not sort.
_TRUE, _FALSE = object(), object()


def _unbool(value: Any) -> Any:
    return _TRUE if value is True else _FALSE if value is False else value


def _equal(one: Any, two: Any) -> bool:
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(i, j) for i, j in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(k in two and _equal(v, two[k]) for k, v in one.items())
    return bool(_unbool(one) == _unbool(two))


def _unique(items: list[Any]) -> bool:
    try:
        ordered = sorted(_unbool(i) for i in items)
        return not any(_equal(a, b) for a, b in pairwise(ordered))
    except (NotImplementedError, TypeError):
        seen: list[Any] = []
        for item in items:
            value = _unbool(item)
            if any(_equal(s, value) for s in seen):
                return False
            seen.append(value)
        return True


def _schemas(value: object, keyword: str) -> list[object]:
    if not isinstance(value, list) or not value:
        raise Unsupported(f"{keyword} must be a non-empty list")
    return value


def _count(node: Mapping[str, Any], keyword: str) -> int | None:
    value = node.get(keyword)
    if value is None:
        return None
    if type(value) is not int or value < 0:
        raise Unsupported(f"{keyword} {value!r}")
    return value


def _regex(pattern: object) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise Unsupported("pattern must be a string")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise Unsupported(f"pattern {pattern!r}: {exc}") from None


def _string(node: Mapping[str, Any]) -> Check | None:
    if not any(k in node for k in ("minLength", "maxLength", "pattern")):
        return None
    min_len = _count(node, "minLength")
    max_len = _count(node, "maxLength")
    pattern = _regex(node["pattern"]) if "pattern" in node else None

    def check_string(v: str) -> bool:
        if min_len is not None and len(v) < min_len:
            return False
        if max_len is not None and len(v) > max_len:
            return False
        return pattern is None or pattern.search(v) is not None

    return check_string


def _bound(node: Mapping[str, Any], keyword: str) -> float | None:
    value = node.get(keyword)
    if value is None:
        return None
    if not _is_number(value):
        raise Unsupported(f"{keyword} {value!r}")
    return float(value) if isinstance(value, float) else value


def _number(node: Mapping[str, Any]) -> Check | None:
    keys = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    if not any(k in node for k in keys):
        return None
    low, high = _bound(node, "minimum"), _bound(node, "maximum")
    xlow, xhigh = _bound(node, "exclusiveMinimum"), _bound(node, "exclusiveMaximum")

    def check_number(v: float) -> bool:
        if low is not None and v < low:
            return False
        if high is not None and v > high:
            return False
        if xlow is not None and v <= xlow:
            return False
        return xhigh is None or v < xhigh

    return check_number


def _dispatch(
    type_check: Check | None, obj: Check | None, arr: Check | None, text: Check | None, num: Check | None
) -> Check:
    """One closure that applies the keyword group of the instance's JSON type, then the type test."""

    def check(v: Any) -> bool:
        t = type(v)
        if t is dict:
            if obj is not None and not obj(v):
                return False
        elif t is list:
            if arr is not None and not arr(v):
                return False
        elif t is str:
            if text is not None and not text(v):
                return False
        elif (t is int or t is float) and num is not None and not num(v):
            return False
        return type_check is None or type_check(v)

    return check
