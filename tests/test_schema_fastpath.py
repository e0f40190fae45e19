"""The compiled fast path must say "valid" exactly when jsonschema does (Draft 2020-12, no format checker)."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from kportable.k8s_versions import parse_version
from kportable.schema_fastpath import FastCompiler, Unsupported
from kportable.validate import SchemaCatalog

SCHEMAS: list[dict[str, Any]] = [
    {"type": ["integer", "null"]},
    {"type": "number", "minimum": 1, "exclusiveMaximum": 10},
    {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-z]"},
    {"enum": ["a", "b"]},
    {"enum": [1, True, None, "x"]},
    {"const": 0},
    {"oneOf": [{"type": ["string", "null"]}, {"type": ["integer", "null"]}]},
    {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "integer"}, "maxItems": 2}]},
    {"allOf": [{"type": "object", "required": ["a"]}, {"not": {"required": ["b"]}}]},
    {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
    {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"},
     "minProperties": 1, "maxProperties": 3},
    {"type": "object", "patternProperties": {"^x-": {"type": "boolean"}}, "properties": {"x-a": {"const": True}},
     "additionalProperties": False},
    {"type": "array", "items": {"$ref": "#/$defs/node"}, "minItems": 1,
     "$defs": {"node": {"type": "object", "properties": {"children": {"type": "array",
                                                                      "items": {"$ref": "#/$defs/node"}}}}}},
    {"properties": {"n": {"type": "integer"}}, "required": ["n"]},
    # the fused shapes: object/array keywords with the type test inlined, type-only properties and items
    {"type": "object", "properties": {"a": {"type": ["string", "null"]}, "n": {"type": "number"}}},
    {"properties": {"a": {"type": "boolean", "description": "annotations do not count"}}},
    {"type": "array", "items": {"type": "string"}},
    {"type": ["object", "null"], "properties": {"a": {"type": ["array", "null"], "items": {"type": "integer"}}}},
    {"type": ["array", "string"], "items": {"type": ["object", "null"], "required": ["a"]}},
    {"items": {"type": ["integer", "string"]}, "maxItems": 3},
    {"type": ["object", "array"], "properties": {"a": {"type": "string"}}, "items": {"type": "string"}},
    {"type": "object", "properties": {"a": {"type": "string", "enum": ["a", "ab"]}}, "required": ["a"]},
    # if/then/else, propertyNames and uniqueItems (the cloud-profile schema uses them)
    {"if": {"type": "object", "required": ["a"]}, "then": {"required": ["b"]}, "else": {"type": ["string", "null"]}},
    {"if": {"type": "string"}, "then": {"maxLength": 1}},
    {"type": "object", "else": {"required": ["a"]}, "then": {"required": ["zz"]}},
    {"type": "object", "propertyNames": {"pattern": "^[a-z]+$", "maxLength": 2},
     "properties": {"a": {"type": "string"}}},
    {"propertyNames": {"enum": ["a", "b", "n"]}},
    {"type": "array", "uniqueItems": True},
    {"type": ["array", "null"], "items": {"type": ["string", "integer", "boolean", "number"]}, "uniqueItems": True},
    {"items": {"type": "object"}, "uniqueItems": True, "maxItems": 3},
    {"uniqueItems": False},
    True,
    False,
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-20, 20) | st.floats(-20, 20, allow_nan=False) | st.sampled_from(
        ["", "a", "ab", "abcd", "abcde", "Zz", "x-a", "x-b", "n", "children"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["a", "b", "n", "x-a", "x-b", "children", "zz"]), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(value=json_values, index=st.integers(0, len(SCHEMAS) - 1))
def test_fast_path_agrees_with_jsonschema(value: Any, index: int) -> None:
    schema = SCHEMAS[index]
    fast = FastCompiler().compile(schema)
    assert fast(value) == Draft202012Validator(schema).is_valid(value), (schema, value)


small_lists = st.lists(
    st.recursive(st.sampled_from([0, 1, 1.0, 0.0, True, False, None, "a", "1"]),
                 lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(["a", "b"]), inner,
                                                                               max_size=2), max_leaves=4),
    max_size=5,
)


@settings(max_examples=500, deadline=None)
@given(value=small_lists)
def test_unique_items_as_jsonschema_decides(value: list[Any]) -> None:
    schema = {"uniqueItems": True}
    assert FastCompiler().compile(schema)(value) == Draft202012Validator(schema).is_valid(value), value


@pytest.mark.parametrize("value", [[[1], [True], [1]], [1, True], [0, False, 0.0], [{"a": 1}, {"a": 1.0}],
                                   [[1, "a"], ["a", 1]], [None, None], [1, "1"]])
def test_unique_items_edge_cases(value: list[Any]) -> None:
    schema = {"uniqueItems": True}
    assert FastCompiler().compile(schema)(value) == Draft202012Validator(schema).is_valid(value)


@pytest.mark.parametrize(
    "schema",
    [{"contains": {"type": "string"}}, {"type": "object", "dependentRequired": {"a": ["b"]}}, {"$ref": "other.json#/x"},
     {"type": "strin"}, {"required": "a"}, {"pattern": "(?i"}, {"prefixItems": [{"type": "string"}]},
     {"uniqueItems": "yes"}],
)
def test_unsupported_schemas_raise(schema: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        FastCompiler().compile(schema)


def kubernetes_objects(*roots: Path) -> list[dict[str, Any]]:
    from kportable.api import RunOptions, build_inventory, read_all
    from kportable.sources import expand

    items, _ = expand(tuple(str(r) for r in roots))
    inventory, _ = build_inventory(read_all(items, RunOptions(jobs=1)), [], "default")
    return [r.data for r in inventory.resources]


def mutations(obj: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """A few broken variants of ``obj``: a leaf of the wrong type, an unknown key, a dropped key."""
    out = []
    paths: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in node:
                paths.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for i, item in enumerate(node):
                paths.append((node, i))
                walk(item)

    for change in ("retype", "unknown", "drop"):
        variant = copy.deepcopy(obj)
        paths.clear()
        walk(variant)
        if not paths:
            continue
        parent, key = paths[rng.randrange(len(paths))]
        if change == "retype":
            parent[key] = rng.choice([7, "seven", [], {}, True, 1.5])
        elif change == "unknown" and isinstance(parent, dict):
            parent["unknownField"] = 1
        elif change == "drop" and isinstance(parent, dict):
            del parent[key]
        out.append(variant)
    return out


@pytest.mark.corpus
@pytest.mark.parametrize("strict", [False, True])
def test_fast_path_agrees_on_the_corpora(real_corpus: Path, seeds_corpus: Path, strict: bool) -> None:
    catalog = SchemaCatalog(parse_version("1.35"), strict=strict)
    rng = random.Random(1)
    checked = disagreements = invalid = 0
    for obj in kubernetes_objects(real_corpus, seeds_corpus):
        validator = catalog.lookup(str(obj.get("apiVersion")), str(obj.get("kind"))).validator
        if validator is None:
            continue
        for variant in [obj, *mutations(obj, rng)]:
            checked += 1
            fast = validator.fast_valid(variant)
            assert fast is not None
            invalid += not fast
            if fast != validator.jsonschema_valid(variant):
                disagreements += 1
    assert checked > 2000
    assert invalid > 500  # the mutations do break objects, so both answers are exercised
    assert disagreements == 0


def test_fast_path_agrees_on_cloud_profiles() -> None:
    """Cloud profiles are checked with the compiled predicate first (start-up): it must agree with
    jsonschema on the built-in profiles and on many broken variants of them."""
    from importlib import resources

    from kportable.clouds import profile_schema
    from kportable.load import parse_bytes

    schema = profile_schema()
    fast = FastCompiler().compile(schema)
    slow = Draft202012Validator(schema)
    folder = resources.files("kportable_rules").joinpath("clouds")
    profiles = [parse_bytes(e.name, e.read_bytes()).documents[0].data
                for e in sorted(folder.iterdir(), key=lambda e: e.name) if e.name.endswith(".yaml")]
    assert profiles
    rng = random.Random(7)
    invalid = 0
    for data in profiles:
        assert fast(data)
        assert slow.is_valid(data)
        for _ in range(60):
            for variant in mutations(data, rng):
                verdict = fast(variant)
                invalid += not verdict
                assert verdict == slow.is_valid(variant), variant
    assert invalid > 50  # the mutations do break profiles
