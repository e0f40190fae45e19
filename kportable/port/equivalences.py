"""Equivalences: each platform's side of a neutral concept, as data in its cloud profile.

A concept (``internal-load-balancer``, ``block-storage``, ``workload-identity``, ...) has no home of
its own: it exists because profiles declare their side of it under ``equivalences``. A side says
how the platform *expresses* the concept (``match``: tie-style matchers on a scope, used when the
platform is the source of a port) and what to *write* for it (``set``: annotations, labels, node
selectors, tolerations, an ingress class, an image registry; ``objects``: whole objects such as
the StorageClass behind a neutral name). A value concept (a StorageClass name) also has a
``neutral`` value the base uses; every side that gives one must give the same.

A side with nothing to write means "this platform does it by default" (an internet-facing load
balancer); a platform that does not declare a concept at all has no equivalent, and port writes a
TODO entry instead. So a plugin adds a port target by declaring its side of the concepts, and
nothing in ``kportable.port`` names a cloud.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..clouds import SCOPES, CloudProfile, Matcher, ProfileDataError, compile_matcher
from ..errors import PluginError

#: Where a write lands: a map key of the receiving object's metadata, the pod spec, or a field.
WRITE_PLACES = ("annotations", "labels", "node-selector", "tolerations", "ingress-class", "image-registry")
#: Which object receives a write: the one the concept was found on, the ServiceAccount its pods run
#: as, or the pod templates of the workloads involved.
WRITE_TARGETS = ("object", "service-account", "pod-template")
_KEYED = frozenset(("annotations", "labels", "node-selector", "tolerations"))
_POD_PLACES = frozenset(("node-selector", "tolerations"))
PLACEHOLDER = "REPLACE-ME"


@dataclass(frozen=True, slots=True)
class Recognizer:
    """``where`` scope plus a key matcher (key scopes) and/or a value matcher."""

    where: str
    key: Matcher | None
    value: Matcher | None

    def matches(self, where: str, subject: str, value: str | None) -> bool:
        if where != self.where:
            return False
        if SCOPES.get(where, ("key", ""))[0] == "key" or self.key is not None:
            if self.key is None or not self.key.matches(subject):
                return False
            return self.value is None or (value is not None and self.value.matches(value))
        return self.value is not None and self.value.matches(subject)


@dataclass(frozen=True, slots=True)
class Write:
    """One value to write: ``at`` a place, ``on`` an object, ``key`` (map places) and ``value``."""

    at: str
    on: str
    key: str
    value: str
    effect: str = ""

    def render(self, name: str, namespace: str | None) -> str:
        """``value`` with ``{name}`` and ``{namespace}`` of the receiving object filled in."""
        return self.value.replace("{name}", name).replace("{namespace}", namespace or "default")

    @property
    def needs_input(self) -> bool:
        return PLACEHOLDER in self.value


@dataclass(frozen=True, slots=True)
class Side:
    """One platform's side of one concept."""

    concept: str
    cloud: str
    description: str
    neutral: str | None
    match: tuple[Recognizer, ...]
    writes: tuple[Write, ...]
    objects: tuple[Mapping[str, Any], ...]
    note: str

    def recognizes(self, where: str, subject: str, value: str | None) -> bool:
        return any(r.matches(where, subject, value) for r in self.match)

    def objects_for(self, neutral: str | None) -> list[dict[str, Any]]:
        """The side's objects with ``{neutral}`` replaced (deep copies)."""
        return [_fill(obj, neutral or "") for obj in self.objects]


def _fill(value: Any, neutral: str) -> Any:
    if isinstance(value, str):
        return value.replace("{neutral}", neutral)
    if isinstance(value, Mapping):
        return {k: _fill(v, neutral) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, neutral) for v in value]
    return value


def compile_equivalences(raw: object, cloud: str = "") -> dict[str, Side]:
    """Compile a profile's ``equivalences`` mapping (already schema-checked) into sides.

    Raises ``ProfileDataError`` with the pointer of the offending key for what the schema cannot
    say: a regex that does not compile or is not anchored, a scope used with the wrong subject.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ProfileDataError(("equivalences",), "'equivalences' must be a mapping")
    return {name: _side(cloud, name, body) for name, body in raw.items()}


def _side(cloud: str, name: str, body: object) -> Side:
    base: tuple[str | int, ...] = ("equivalences", name)
    if not isinstance(body, Mapping):
        raise ProfileDataError(base, f"equivalence {name!r} must be a mapping")
    recognizers = []
    for i, item in enumerate(body.get("match") or ()):
        pointer = (*base, "match", i)
        if not isinstance(item, Mapping) or not isinstance(item.get("where"), str):
            raise ProfileDataError(pointer, f"equivalence {name!r}: a match needs 'where'")
        where = item["where"]
        subject = SCOPES.get(where, ("key" if "key" in item else "value", ""))[0]
        if subject == "key" and "key" not in item:
            raise ProfileDataError(pointer, f"equivalence {name!r}: scope {where!r} matches a key, give 'key:'")
        if subject == "value" and "key" in item:
            raise ProfileDataError(pointer, f"equivalence {name!r}: scope {where!r} matches a value, give 'value:'")
        key = compile_matcher(item["key"], (*pointer, "key")) if "key" in item else None
        value = compile_matcher(item["value"], (*pointer, "value")) if "value" in item else None
        recognizers.append(Recognizer(where, key, value))
    writes = []
    for i, item in enumerate(body.get("set") or ()):
        pointer = (*base, "set", i)
        if not isinstance(item, Mapping):
            raise ProfileDataError(pointer, f"equivalence {name!r}: a write is a mapping")
        at = str(item.get("at"))
        if at not in WRITE_PLACES:
            raise ProfileDataError((*pointer, "at"),
                                   f"equivalence {name!r}: 'at' must be one of {', '.join(WRITE_PLACES)}")
        on = str(item.get("on", "pod-template" if at in _POD_PLACES else "object"))
        if at in _POD_PLACES and on != "pod-template":
            raise ProfileDataError((*pointer, "on"), f"equivalence {name!r}: {at} writes land on the pod template")
        key = item.get("key")
        if at in _KEYED and not isinstance(key, str):
            raise ProfileDataError(pointer, f"equivalence {name!r}: writes at {at} need 'key'")
        writes.append(Write(at, on, key if isinstance(key, str) else "", str(item.get("value", "")),
                            str(item.get("effect", ""))))
    objects = tuple(o for o in body.get("objects") or () if isinstance(o, Mapping))
    neutral = body.get("neutral")
    return Side(
        concept=name,
        cloud=cloud,
        description=" ".join(str(body.get("description", "")).split()),
        neutral=neutral if isinstance(neutral, str) else None,
        match=tuple(recognizers),
        writes=tuple(writes),
        objects=objects,
        note=" ".join(str(body.get("note", "")).split()),
    )


@dataclass(frozen=True)
class Equivalences:
    """Every registered profile's sides, by cloud then concept (profile order, then file order)."""

    sides: Mapping[str, Mapping[str, Side]]

    @classmethod
    def of(cls, profiles: Iterable[CloudProfile]) -> Equivalences:
        """Compile the sides of ``profiles``; raises ``PluginError`` when two profiles give one concept
        different neutral values (the base could not name one value for every overlay)."""
        sides: dict[str, dict[str, Side]] = {}
        neutrals: dict[str, tuple[str, str]] = {}
        for profile in profiles:
            try:
                compiled = compile_equivalences(profile.data.get("equivalences"), profile.id)
            except ProfileDataError as exc:
                raise PluginError(f"{profile.source}: invalid cloud profile {profile.id!r}: {exc.message}") from None
            sides[profile.id] = compiled
            for name, side in compiled.items():
                if side.neutral is None:
                    continue
                seen = neutrals.setdefault(name, (side.neutral, profile.id))
                if seen[0] != side.neutral:
                    raise PluginError(
                        f"cloud profiles {seen[1]!r} and {profile.id!r} give concept {name!r} different neutral "
                        f"values ({seen[0]!r}, {side.neutral!r}); port needs one")
        return cls(sides)

    def side(self, cloud: str, concept: str) -> Side | None:
        return self.sides.get(cloud, {}).get(concept)

    def recognize(self, clouds: Iterable[str], candidates: Iterable[tuple[str, str, str | None]]) -> Side | None:
        """The first side of one of ``clouds`` (in that order) recognising one of the (where, subject,
        value) ``candidates``."""
        options = tuple(candidates)
        for cloud in clouds:
            for side in self.sides.get(cloud, {}).values():
                if any(side.recognizes(*c) for c in options):
                    return side
        return None

    def neutral(self, concept: str) -> str | None:
        for by_concept in self.sides.values():
            side = by_concept.get(concept)
            if side is not None and side.neutral:
                return side.neutral
        return None
