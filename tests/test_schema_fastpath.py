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


@pytest.mark.parametrize(
    "schema",
    [{"uniqueItems": True}, {"type": "object", "propertyNames": {"maxLength": 3}}, {"$ref": "other.json#/x"},
     {"type": "strin"}, {"required": "a"}, {"pattern": "(?i"}, {"if": {"type": "string"}}],
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
