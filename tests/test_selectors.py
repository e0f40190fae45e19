"""Label selector semantics, checked against the Kubernetes definitions."""

from __future__ import annotations

import pytest

from kportable.selectors import parse_equality_selector, parse_label_selector

WEB = {"app": "web", "tier": "front"}


@pytest.mark.parametrize(
    ("raw", "labels", "expected"),
    [
        ({}, WEB, True),  # empty selector: everything
        ({}, {}, True),
        ({"matchLabels": {"app": "web"}}, WEB, True),
        ({"matchLabels": {"app": "api"}}, WEB, False),
        ({"matchLabels": {"app": "web", "tier": "back"}}, WEB, False),  # ANDed
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}, WEB, True),
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["api"]}]}, WEB, False),
        ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["api"]}]}, WEB, True),
        ({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}, WEB, True),  # absent key
        ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}, WEB, False),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, WEB, True),
        ({"matchExpressions": [{"key": "env", "operator": "Exists"}]}, WEB, False),
        ({"matchExpressions": [{"key": "env", "operator": "DoesNotExist"}]}, WEB, True),
        ({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, WEB, False),
        (
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}],
            },
            WEB,
            False,
        ),
        ({"matchLabels": {"version": 2}}, {"version": "2"}, True),  # numbers are compared as label strings
    ],
)
def test_label_selector(raw, labels, expected):
    assert parse_label_selector(raw).matches(labels) is expected


def test_null_selector_matches_nothing():
    assert parse_label_selector(None).matches(WEB) is False
    assert parse_label_selector(None).matches_nothing


@pytest.mark.parametrize(
    "raw",
    [
        {"matchExpressions": [{"key": "app", "operator": "In", "values": []}]},  # In needs values
        {"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["x"]}]},  # Exists has none
        {"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["web"]}]},
        {"matchLabels": ["app", "web"]},
        "app=web",
    ],
)
def test_invalid_selectors_match_nothing_and_say_why(raw):
    selector = parse_label_selector(raw)
    assert selector.matches_nothing
    assert not selector.matches(WEB)
    if isinstance(raw, dict):
        assert selector.problems


def test_empty_v1beta1_pdb_selector_matches_nothing():
    assert parse_label_selector({}, empty_matches_all=False).matches(WEB) is False


def test_service_equality_selector():
    assert parse_equality_selector({"app": "web"}).matches(WEB)
    assert not parse_equality_selector({"app": "web", "tier": "back"}).matches(WEB)
    assert not parse_equality_selector({}).matches(WEB)  # no selector: endpoints managed by hand
    assert not parse_equality_selector(None).matches(WEB)
