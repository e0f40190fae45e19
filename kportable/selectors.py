"""Label selectors with the exact Kubernetes semantics.

Two shapes exist in the API:

- the *equality map* of ``Service.spec.selector`` and ``ReplicationController.spec.selector``:
  every pair must match; an empty or missing map selects **nothing** (a Service without a
  selector gets its endpoints by hand);
- ``LabelSelector`` (``matchLabels`` + ``matchExpressions``, all ANDed) used by Deployments,
  NetworkPolicies, PDBs...: an *empty* selector ``{}`` selects **everything** in the
  namespace, a *null* (missing) selector selects **nothing**.

Operators: ``In`` (key present and value in values), ``NotIn`` (key absent, or value not in
values), ``Exists``, ``DoesNotExist``. ``In``/``NotIn`` need a non-empty ``values``;
``Exists``/``DoesNotExist`` must have none. An invalid selector is rejected by the API
server, so it selects nothing here and ``problems`` says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .model import scalar_text

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    operator: str
    values: frozenset[str]

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.operator
        if op == "In":
            return self.key in labels and labels[self.key] in self.values
        if op == "NotIn":
            return self.key not in labels or labels[self.key] not in self.values
        if op == "Exists":
            return self.key in labels
        return self.key not in labels  # DoesNotExist


@dataclass(frozen=True, slots=True)
class Selector:
    """A parsed selector. ``matches_nothing`` is True for null or invalid selectors."""

    match_labels: tuple[tuple[str, str], ...] = ()
    requirements: tuple[Requirement, ...] = ()
    matches_nothing: bool = False
    problems: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True for ``{}``: selects every pod of the namespace."""
        return not self.matches_nothing and not self.match_labels and not self.requirements

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.matches_nothing:
            return False
        for key, value in self.match_labels:
            if labels.get(key) != value:
                return False
        return all(req.matches(labels) for req in self.requirements)


NOTHING = Selector(matches_nothing=True)
EVERYTHING = Selector()


def parse_label_selector(raw: object, *, empty_matches_all: bool = True) -> Selector:
    """Parse a ``LabelSelector`` (``matchLabels`` / ``matchExpressions``).

    ``raw is None`` (missing) selects nothing. ``{}`` selects everything unless
    ``empty_matches_all`` is False (``policy/v1beta1`` PDBs, where an empty selector matched nothing).
    """
    if raw is None:
        return NOTHING
    if not isinstance(raw, dict):
        return Selector(matches_nothing=True, problems=("selector is not a mapping",))
    problems: list[str] = []
    labels: list[tuple[str, str]] = []
    match_labels = raw.get("matchLabels")
    if match_labels is not None:
        if not isinstance(match_labels, dict):
            problems.append("matchLabels is not a mapping")
        else:
            for key, value in match_labels.items():
                text = scalar_text(value)
                if text is None:
                    problems.append(f"matchLabels[{key!r}] is not a string")
                else:
                    labels.append((key, text))
    requirements: list[Requirement] = []
    expressions = raw.get("matchExpressions")
    if expressions is not None:
        if not isinstance(expressions, list):
            problems.append("matchExpressions is not a list")
        else:
            for i, expr in enumerate(expressions):
                req, problem = _requirement(expr, i)
                if problem:
                    problems.append(problem)
                elif req is not None:
                    requirements.append(req)
    if problems:
        return Selector(tuple(labels), tuple(requirements), True, tuple(problems))
    if not labels and not requirements and not empty_matches_all:
        return NOTHING
    return Selector(tuple(sorted(labels)), tuple(requirements))


def _requirement(expr: object, index: int) -> tuple[Requirement | None, str | None]:
    where = f"matchExpressions[{index}]"
    if not isinstance(expr, dict):
        return None, f"{where} is not a mapping"
    key, op, values = expr.get("key"), expr.get("operator"), expr.get("values")
    if not isinstance(key, str) or not key:
        return None, f"{where}.key is missing"
    if op not in OPERATORS:
        return None, f"{where}.operator {op!r} is not one of {', '.join(OPERATORS)}"
    texts: list[str] = []
    if values is not None:
        if not isinstance(values, list):
            return None, f"{where}.values is not a list"
        for v in values:
            text = scalar_text(v)
            if text is None:
                return None, f"{where}.values holds a non-string"
            texts.append(text)
    if op in ("In", "NotIn") and not texts:
        return None, f"{where}: operator {op} needs a non-empty values list"
    if op in ("Exists", "DoesNotExist") and texts:
        return None, f"{where}: operator {op} must not have values"
    return Requirement(key, op, frozenset(texts)), None


def parse_equality_selector(raw: object) -> Selector:
    """Parse a Service-style ``selector: {key: value}`` map; empty or missing selects nothing."""
    if not isinstance(raw, dict) or not raw:
        return NOTHING
    labels = []
    for key, value in raw.items():
        text = scalar_text(value)
        if text is None:
            return Selector(matches_nothing=True, problems=(f"selector[{key!r}] is not a string",))
        labels.append((key, text))
    return Selector(tuple(sorted(labels)))
