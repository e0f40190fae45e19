"""``jsonindent.dumps`` writes exactly what ``json.dumps(indent=..., ensure_ascii=False)`` writes."""

from __future__ import annotations

import enum
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kportable.report.jsonindent import dumps


class Colour(enum.StrEnum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=8) | st.sampled_from([Colour.RED, Level.HIGH, "é\n\"\\"])
)
keys = st.text(max_size=5) | st.integers(-5, 5) | st.floats(allow_nan=False) | st.booleans() | st.none()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(keys, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=500, deadline=None)
@given(value=values, indent=st.sampled_from([0, 1, 2, 4]))
def test_same_text_as_json(value: Any, indent: int) -> None:
    assert dumps(value, indent) == json.dumps(value, indent=indent, ensure_ascii=False)


def test_special_floats_and_empty_containers() -> None:
    value = {"a": [math.nan, math.inf, -math.inf, 1e300, -0.0], "b": {}, "c": [], "d": [[], {}],
             1: None, False: 2, None: 3, 2.5: 4}
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("bad", [{"a": object()}, [{1, 2}], {(1, 2): "tuple key"}, b"bytes"])
def test_rejects_what_json_rejects(bad: Any) -> None:
    with pytest.raises(TypeError):
        json.dumps(bad, indent=2)
    with pytest.raises(TypeError):
        dumps(bad)
