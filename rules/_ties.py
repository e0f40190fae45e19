"""Shared logic of the generic cloud rules: ask every registered profile, build the finding.

A cloud rule knows *where* it looks (a scope such as ``service-annotation``) and hands each key or
value it finds to ``lookup``, which asks every profile in ``ctx.clouds`` (built-in or from a plugin)
and returns one ``Hit`` naming all the clouds the string ties the object to. ``tie_finding`` turns a
hit into a ``Finding`` with the clouds, the effect, a severity consistent with it and the portable
alternative, so every cloud rule reports the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kportable.clouds import Tie
from kportable.findings import Effect, Finding, ObjectRef, Severity
from kportable.model import Resource, as_dict, as_list, as_str, scalar_text
from kportable.positions import Pointer
from kportable.rule import RuleContext

_EFFECT_RANK = {Effect.INFO: 0, Effect.ADAPTATION: 1, Effect.BLOCKER: 2}
MAX_SHOWN = 90  # characters of a value quoted in a message


@dataclass(frozen=True, slots=True)
class Hit:
    """The ties one string matched, one per profile that knows it (profile order).

    ``clouds`` (sorted), ``effect`` and ``severity`` (the strongest of the ties) are worked out
    once: a run asks for the same hits thousands of times.
    """

    ties: tuple[Tie, ...]
    clouds: tuple[str, ...] = field(init=False)
    effect: Effect = field(init=False)
    severity: Severity = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "clouds", tuple(sorted({t.cloud for t in self.ties})))
        object.__setattr__(self, "effect", max((t.effect for t in self.ties), key=_EFFECT_RANK.__getitem__))
        object.__setattr__(self, "severity", max((t.severity for t in self.ties), key=lambda s: s.rank))

    @property
    def first(self) -> Tie:
        return self.ties[0]

    @property
    def removed_in(self) -> str | None:
        return next((t.removed_in for t in self.ties if t.removed_in), None)


Answers = dict[tuple[str, str, str | None], Hit | None]


def lookup(ctx: RuleContext[Any], where: str, subject: str, value: str | None = None) -> Hit | None:
    """The ties of scope ``where`` that ``subject`` (a key, with ``value``, or a value) matches."""
    answers = _answers(ctx)
    key = (where, subject, value)
    if key in answers:
        return answers[key]
    return _ask(ctx, answers, key)


def _answers(ctx: RuleContext[Any]) -> Answers:
    """This run's answers. Manifests repeat the same keys and values (70k lookups, 18k distinct at
    10k documents), so each is asked of the profiles once. The memo holds ``clouds``, so its id
    names it for as long as the memo lives."""
    clouds = ctx.clouds
    memo: tuple[object, Answers] = ctx.inventory.memo(("ties.lookup", id(clouds)), lambda: (clouds, {}))
    return memo[1]


def _ask(ctx: RuleContext[Any], answers: Answers, key: tuple[str, str, str | None]) -> Hit | None:
    where, subject, value = key
    found = []
    for profile in ctx.clouds.values():
        tie = profile.lookup(where, subject, value)
        if tie is not None:
            found.append(tie)
    hit = answers[key] = Hit(tuple(found)) if found else None
    return hit


def lookup_in(ctx: RuleContext[Any], clouds: Iterable[str], where: str, subject: str,
              value: str | None = None) -> Hit | None:
    """Like ``lookup``, but only in the profiles ``clouds`` (e.g. the cloud of a StorageClass's provisioner)."""
    found = []
    for cloud in clouds:
        profile = ctx.clouds.get(cloud)
        tie = profile.lookup(where, subject, value) if profile is not None else None
        if tie is not None:
            found.append(tie)
    return Hit(tuple(found)) if found else None


def shown(text: str) -> str:
    """A value as quoted in a message (long values shortened, so a message stays one line)."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= MAX_SHOWN else one_line[: MAX_SHOWN - 1] + "…"


def pair(key: str, value: str | None) -> str:
    """``'key: value'`` (or ``'key'``), quoted for a message."""
    return repr(key if not value else f"{key}: {shown(value)}")


def cloud_names(ctx: RuleContext[Any], clouds: Iterable[str]) -> str:
    return " and ".join(ctx.clouds[c].name if c in ctx.clouds else c for c in clouds)


def severity_for(effect: Effect, hit: Hit) -> Severity:
    """A severity consistent with ``effect`` when a rule changes a tie's effect (e.g. a preferred affinity)."""
    if effect is hit.effect:
        return hit.severity
    if effect is Effect.INFO:
        return Severity.INFO
    if effect is Effect.BLOCKER:
        return Severity.BLOCKER
    return Severity.MAJOR if hit.severity in (Severity.MAJOR, Severity.BLOCKER) and hit.effect is Effect.ADAPTATION \
        else Severity.MINOR


def tie_finding(
    ctx: RuleContext[Any],
    res: Resource,
    pointer: Sequence[str | int],
    hit: Hit,
    message: str,
    *,
    effect: Effect | None = None,
    severity: Severity | None = None,
    fix: str | None = None,
    related: Iterable[ObjectRef] = (),
) -> Finding:
    """The finding for ``hit`` at ``pointer`` of ``res``: clouds, effect, severity and fix from the profiles
    (a rule that changes the effect gets a consistent severity unless it passes one)."""
    chosen = effect or hit.effect
    return ctx.finding(
        res,
        pointer,
        message,
        fix=fix if fix is not None else hit.first.fix,
        clouds=hit.clouds,
        effect=chosen,
        severity=severity or severity_for(chosen, hit),
        related=related,
    )


def map_findings(
    ctx: RuleContext[Any],
    res: Resource,
    where: str,
    mapping: object,
    base: Pointer,
    subject: str,
    *,
    skip: frozenset[str] = frozenset(),
) -> Iterator[Finding]:
    """One finding per entry of a string map (annotations, labels, selector) that a profile knows.

    ``subject`` names the map in the message (``"Service 'web' annotation"``).
    """
    if not isinstance(mapping, dict):
        return
    answers = _answers(ctx)  # looked up once per map: labels and annotations are most of all lookups
    for key, raw in mapping.items():
        if not isinstance(key, str) or key in skip:
            continue
        value = raw if raw.__class__ is str else scalar_text(raw)
        question = (where, key, value)
        hit = answers[question] if question in answers else _ask(ctx, answers, question)
        if hit is not None:
            yield tie_finding(ctx, res, (*base, key), hit, f"{subject} {pair(key, value)} is {hit.first.what}")


# --------------------------------------------------------------------------- node selector expressions

NEGATIVE_OPERATORS = frozenset(("NotIn", "DoesNotExist"))


def expression_findings(
    ctx: RuleContext[Any],
    res: Resource,
    pointer: Pointer,
    expression: object,
    subject: str,
    *,
    effect: Effect | None = None,
) -> Iterator[Finding]:
    """Findings for one ``{key, operator, values}`` node selector requirement.

    A tie on the key alone is reported once, at ``key``; otherwise each value a profile recognises
    (an instance type, a zone) is reported at its own line. ``NotIn``/``DoesNotExist`` keep pods
    *away* from cloud nodes and schedule fine elsewhere, so they are informational; ``effect``
    (e.g. adaptation for a preferred term) caps the others.
    """
    expr = as_dict(expression)
    key = as_str(expr.get("key"))
    if not key:
        return
    operator = as_str(expr.get("operator")) or "In"
    chosen = Effect.INFO if operator in NEGATIVE_OPERATORS else effect
    verb = "avoids" if operator in NEGATIVE_OPERATORS else "requires"
    key_hit = lookup(ctx, "node-label", key)
    if key_hit is not None:
        yield tie_finding(ctx, res, (*pointer, "key"), key_hit,
                          f"{subject} {verb} node label {key!r} ({operator}), {key_hit.first.what}",
                          effect=_cap(chosen, key_hit))
        return
    if operator in ("Exists", "DoesNotExist", "Gt", "Lt"):
        return
    for k, raw in enumerate(as_list(expr.get("values"))):
        value = raw if isinstance(raw, str) else None
        if not value:
            continue
        hit = lookup(ctx, "node-label", key, value)
        if hit is not None:
            yield tie_finding(ctx, res, (*pointer, "values", k), hit,
                              f"{subject} {verb} {key} {operator} {value!r}, {hit.first.what}",
                              effect=_cap(chosen, hit))


def _cap(effect: Effect | None, hit: Hit) -> Effect:
    """``effect`` as a ceiling on the hit's own effect (an INFO tie stays INFO in a required term)."""
    if effect is None:
        return hit.effect
    return effect if _EFFECT_RANK[effect] < _EFFECT_RANK[hit.effect] else hit.effect
