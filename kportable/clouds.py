"""Cloud profiles: what ties a manifest to one target platform, as data.

A profile is a YAML document validated against ``schemas/cloud-profile.schema.json``. The
generic cloud rules read every registered profile, so a plugin adds a target (OpenShift, an
on-prem distribution) by returning one more ``CloudProfile`` from ``kportable_cloud_profiles``.

A profile lists *ties*: a matcher (``exact``, ``prefix`` or ``regex``) on a map key or a field
value, the places (``where``) in a manifest where the match means something, the effect of the
tie on another cloud, what it is, and the portable alternative. The ties are compiled once,
when the profile is built, into one index per ``where`` scope (a dict for exact strings and a
single combined regular expression that rejects non-matching strings in one C call), so a rule
asks ``profile.lookup("service-annotation", key, value)`` and never compiles anything per
resource.

Within one profile and one scope the first tie in file order that matches wins: put specific
entries before catch-alls.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import InitVar, dataclass, field
from functools import cache
from typing import Any, Literal

from .errors import PluginError
from .findings import Effect, Severity

Subject = Literal["key", "value"]

#: Every ``where`` scope a tie can name, what the rules read there, and whether the tie matches
#: the map *key* found there (with an optional constraint on its value) or a field *value*.
#: Plugin profiles may add private scopes prefixed ``x-`` for their own rules.
SCOPES: Mapping[str, tuple[Subject, str]] = {
    "service-annotation": ("key", "Service metadata.annotations"),
    "load-balancer-class": ("value", "Service spec.loadBalancerClass"),
    "ingress-annotation": ("key", "Ingress metadata.annotations"),
    "ingress-class": ("value", "Ingress spec.ingressClassName and the kubernetes.io/ingress.class annotation"),
    "ingress-controller": ("value", "IngressClass spec.controller"),
    "gateway-annotation": ("key", "Gateway metadata.annotations"),
    "gateway-class": ("value", "Gateway spec.gatewayClassName"),
    "gateway-controller": ("value", "GatewayClass spec.controllerName"),
    "selector": ("key", "Service spec.selector and Istio Gateway spec.selector (label key, optional value)"),
    "finalizer": ("value", "metadata.finalizers of any object"),
    "readiness-gate": ("value", "pod spec readinessGates[].conditionType"),
    "storage-provisioner": ("value", "StorageClass provisioner"),
    "storage-parameter": ("key", "StorageClass parameters (read only for the cloud whose provisioner the class uses)"),
    "storage-class": ("value", "storageClassName of PVCs, volumeClaimTemplates and ephemeral volumes"),
    "volume-type": ("key", "in-tree volume type keys of pod volumes and PersistentVolume specs"),
    "csi-driver": ("value", "csi.driver of inline pod volumes and PersistentVolumes"),
    "service-account-annotation": ("key", "ServiceAccount metadata.annotations"),
    "service-account-label": ("key", "ServiceAccount metadata.labels"),
    "pod-identity": ("key", "pod template labels and annotations that bind a cloud identity"),
    "pod-annotation": ("key", "other pod template annotations"),
    "pod-label": ("key", "other pod template labels"),
    "namespace-label": ("key", "Namespace metadata.labels"),
    "namespace-annotation": ("key", "Namespace metadata.annotations"),
    "node-label": (
        "key",
        "node label keys (optional value) in nodeSelector, node affinity, topology spread constraints, "
        "Karpenter requirements, StorageClass allowedTopologies and PersistentVolume node affinity",
    ),
    "toleration": ("key", "pod spec tolerations[].key (optional value)"),
    "extended-resource": ("key", "container resources requests/limits names"),
    "runtime-class": ("value", "pod spec runtimeClassName"),
    "scheduler-name": ("value", "pod spec schedulerName"),
    "api-group": ("value", "the API group of an object's apiVersion, a CRD's spec.group, Karpenter nodeClassRef.group"),
    "image": ("value", "container image references"),
    "secret-provider": ("value", "Secrets Store CSI SecretProviderClass spec.provider"),
    "secret-store-provider": ("key", "External Secrets SecretStore/ClusterSecretStore spec.provider keys"),
    "kube-system-configmap": ("value", "names of ConfigMaps in kube-system that configure a cloud add-on"),
    "rbac-subject": (
        "key", "RoleBinding/ClusterRoleBinding subjects: the key is the subject kind (User, Group), the value its name"
    ),
    "auth-principal": (
        "value", "cloud principals that auth configuration maps to Kubernetes names (aws-auth entries, AccessEntry)"
    ),
}

EFFECTS: Mapping[str, Effect] = {"blocker": Effect.BLOCKER, "adaptation": Effect.ADAPTATION, "info": Effect.INFO}
DEFAULT_SEVERITY: Mapping[Effect, Severity] = {
    Effect.BLOCKER: Severity.BLOCKER,
    Effect.ADAPTATION: Severity.MINOR,
    Effect.INFO: Severity.INFO,
}
_MATCH_KINDS = ("exact", "prefix", "regex")


@dataclass(frozen=True, slots=True)
class Matcher:
    """One string test: ``exact`` equality, ``prefix`` (``startswith``) or ``regex``.

    Regexes must start with ``^`` and are applied with ``re.match``, so a combined alternation of
    all of a scope's patterns (the prefilter) accepts exactly what the individual matchers accept.
    """

    kind: str
    pattern: str
    regex: re.Pattern[str] | None = None

    def matches(self, text: str) -> bool:
        if self.kind == "exact":
            return text == self.pattern
        if self.kind == "prefix":
            return text.startswith(self.pattern)
        assert self.regex is not None
        return self.regex.match(text) is not None

    def anchored_source(self) -> str:
        """A regex source that matches at position 0 exactly when this matcher matches."""
        if self.kind == "exact":
            return re.escape(self.pattern) + r"\Z"
        if self.kind == "prefix":
            return re.escape(self.pattern)
        return f"(?:{self.pattern})"

    def describe(self) -> str:
        return f"{self.kind} {self.pattern!r}"


@dataclass(frozen=True, slots=True)
class Tie:
    """One compiled profile entry: what to match, where, how bad it is and what to do instead.

    ``primary`` matches the subject of the scope (the map key for key scopes, the value for value
    scopes); ``constraint``, on key scopes only, must match the value found under that key.
    """

    id: str
    cloud: str
    where: tuple[str, ...]
    subject: Subject
    primary: Matcher
    constraint: Matcher | None
    effect: Effect
    severity: Severity
    what: str
    reason: str
    fix: str
    source: str = ""
    removed_in: str | None = None
    order: int = 0

    def accepts(self, subject: str, value: str | None) -> bool:
        if not self.primary.matches(subject):
            return False
        if self.constraint is None:
            return True
        return value is not None and self.constraint.matches(value)


@dataclass(frozen=True, slots=True)
class ScopeIndex:
    """The ties of one ``where`` scope of one profile, ready for fast lookups."""

    exact: Mapping[str, tuple[Tie, ...]]
    scan: tuple[Tie, ...]
    prefilter: re.Pattern[str] | None

    def lookup(self, subject: str, value: str | None = None) -> Tie | None:
        """The first tie (in file order) whose matchers accept ``subject`` (and ``value``)."""
        best: Tie | None = None
        for tie in self.exact.get(subject, ()):
            if tie.constraint is None or (value is not None and tie.constraint.matches(value)):
                best = tie
                break
        if self.prefilter is not None and self.prefilter.match(subject) is not None:
            limit = best.order if best is not None else None
            for tie in self.scan:
                if limit is not None and tie.order > limit:
                    break
                if tie.accepts(subject, value):
                    return tie
        return best

    @classmethod
    def build(cls, ties: Sequence[Tie]) -> ScopeIndex:
        exact: dict[str, list[Tie]] = {}
        scan: list[Tie] = []
        for tie in sorted(ties, key=lambda t: t.order):
            if tie.primary.kind == "exact":
                exact.setdefault(tie.primary.pattern, []).append(tie)
            else:
                scan.append(tie)
        prefilter: re.Pattern[str] | None = None
        if scan:
            try:
                prefilter = re.compile("|".join(t.primary.anchored_source() for t in scan))
            except re.error:  # e.g. two regexes defining the same group name: scan every tie instead
                prefilter = re.compile("")
        return cls({k: tuple(v) for k, v in exact.items()}, tuple(scan), prefilter)


@dataclass(frozen=True, slots=True)
class KubernetesVersions:
    """Minor versions a cloud supports (``"1.34"``), oldest first: standard and extended/LTS support."""

    supported: tuple[str, ...] = ()
    extended: tuple[str, ...] = ()


@dataclass(frozen=True)
class CloudProfile:
    """One target platform: ``id`` (``eks``), display ``name`` and the validated profile ``data``.

    The ties in ``data["ties"]`` are compiled when the profile is built (``lookup`` is then a dict
    access and at most one combined regex match per scope); malformed data raises ``PluginError``.
    """

    id: str
    name: str
    data: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    extends: str | None = None
    compiled: InitVar[tuple[Tie, ...] | None] = None
    _scopes: Mapping[str, ScopeIndex] = field(init=False, repr=False, compare=False, default_factory=dict)
    _ties: tuple[Tie, ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self, compiled: tuple[Tie, ...] | None) -> None:
        ties = compiled if compiled is not None else compile_ties(self.id, self.data.get("ties"), self.source)
        by_scope: dict[str, list[Tie]] = {}
        for tie in ties:
            for where in tie.where:
                by_scope.setdefault(where, []).append(tie)
        object.__setattr__(self, "_ties", ties)
        object.__setattr__(self, "_scopes", {w: ScopeIndex.build(ts) for w, ts in by_scope.items()})

    @property
    def description(self) -> str:
        value = self.data.get("description")
        return value if isinstance(value, str) else ""

    @property
    def kubernetes_versions(self) -> KubernetesVersions:
        raw = self.data.get("kubernetes_versions")
        raw = raw if isinstance(raw, Mapping) else {}
        return KubernetesVersions(_strings(raw.get("supported")), _strings(raw.get("extended")))

    @property
    def ties(self) -> tuple[Tie, ...]:
        """Every compiled tie, in file order."""
        return self._ties

    def scope(self, where: str) -> ScopeIndex | None:
        return self._scopes.get(where)

    def lookup(self, where: str, subject: str, value: str | None = None) -> Tie | None:
        """The first tie of scope ``where`` matching ``subject`` (a key or a value) and ``value``."""
        index = self._scopes.get(where)
        return None if index is None else index.lookup(subject, value)


def _strings(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list | tuple) else ()


# --------------------------------------------------------------------------- compiling


class _TieError(Exception):
    def __init__(self, pointer: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.pointer = pointer
        self.message = message


def _matcher(raw: object, pointer: tuple[str | int, ...]) -> Matcher:
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise _TieError(pointer, "a matcher is a mapping with exactly one of exact, prefix, regex")
    kind, pattern = next(iter(raw.items()))
    if kind not in _MATCH_KINDS or not isinstance(pattern, str):
        raise _TieError(pointer, f"a matcher is one of exact, prefix, regex with a string, not {kind!r}")
    if kind != "regex":
        return Matcher(kind, pattern)
    if not pattern.startswith("^"):
        raise _TieError((*pointer, kind), f"regex {pattern!r} must be anchored with ^")
    try:
        return Matcher(kind, pattern, re.compile(pattern))
    except re.error as exc:
        raise _TieError((*pointer, kind), f"regex {pattern!r} does not compile: {exc}") from None


#: Raised (with the pointer of the offending key) for malformed profile data; ``profile_error`` turns it
#: into the ``PluginError`` users see. Shared with ``kportable.port.equivalences``.
ProfileDataError = _TieError


def compile_matcher(raw: object, pointer: tuple[str | int, ...] = ()) -> Matcher:
    """One ``{exact|prefix|regex: ...}`` matcher of profile data; raises ``ProfileDataError``."""
    return _matcher(raw, pointer)


def profile_error(cloud: str, source: str, shadow: object, exc: _TieError) -> PluginError:
    """The ``PluginError`` for ``exc``, naming ``source`` and the line of the offending key."""
    return PluginError(f"{_where(source, shadow, exc.pointer)}invalid cloud profile {cloud!r}: {exc.message}")


def _tie(cloud: str, raw: object, index: int) -> Tie:
    base: tuple[str | int, ...] = ("ties", index)
    if not isinstance(raw, Mapping):
        raise _TieError(base, "a tie is a mapping")
    tie_id = raw.get("id")
    if not isinstance(tie_id, str) or not tie_id:
        raise _TieError(base, "a tie needs an 'id'")
    where_raw = raw.get("where")
    if not isinstance(where_raw, list) or not where_raw or not all(isinstance(w, str) for w in where_raw):
        raise _TieError((*base, "where"), f"tie {tie_id}: 'where' must be a non-empty list of scopes")
    subjects = set()
    for i, w in enumerate(where_raw):
        if w in SCOPES:
            subjects.add(SCOPES[w][0])
        elif not w.startswith("x-"):
            raise _TieError((*base, "where", i), f"tie {tie_id}: unknown scope {w!r}")
    if len(subjects) > 1:
        raise _TieError((*base, "where"), f"tie {tie_id}: mixes key scopes and value scopes")
    subject: Subject = "key" if "key" in raw else "value"
    if subjects and subject not in subjects:
        expected = subjects.pop()
        raise _TieError((*base, subject), f"tie {tie_id}: scope {where_raw[0]!r} matches a {expected}, "
                                          f"give '{expected}:'")
    if subject not in raw:
        raise _TieError(base, f"tie {tie_id}: give 'key:' or 'value:'")
    primary = _matcher(raw[subject], (*base, subject))
    constraint = _matcher(raw["value"], (*base, "value")) if subject == "key" and "value" in raw else None
    effect = EFFECTS.get(str(raw.get("effect")))
    if effect is None:
        raise _TieError((*base, "effect"), f"tie {tie_id}: effect must be one of {', '.join(EFFECTS)}")
    severity = DEFAULT_SEVERITY[effect]
    if "severity" in raw:
        try:
            severity = Severity.parse(str(raw["severity"]))
        except ValueError as exc:
            raise _TieError((*base, "severity"), f"tie {tie_id}: {exc}") from None
    texts = {}
    for name in ("what", "reason", "fix"):
        text = raw.get(name)
        if not isinstance(text, str) or not text.strip():
            raise _TieError((*base, name), f"tie {tie_id}: '{name}' must be a non-empty string")
        texts[name] = " ".join(text.split())
    removed = raw.get("removed_in")
    return Tie(
        id=tie_id,
        cloud=cloud,
        where=tuple(where_raw),
        subject=subject,
        primary=primary,
        constraint=constraint,
        effect=effect,
        severity=severity,
        what=texts["what"],
        reason=texts["reason"],
        fix=texts["fix"],
        source=str(raw.get("source", "")),
        removed_in=removed if isinstance(removed, str) else None,
        order=index,
    )


def compile_ties(cloud: str, raw: object, source: str = "", shadow: object = None) -> tuple[Tie, ...]:
    """Compile a profile's ``ties`` list, raising ``PluginError`` (with file and line when
    ``shadow``, the loader's position index, is given) for the first malformed entry."""
    if raw is None:
        return ()
    try:
        if not isinstance(raw, list):
            raise _TieError(("ties",), "'ties' must be a list")
        ties = tuple(_tie(cloud, item, i) for i, item in enumerate(raw))
        seen: dict[str, int] = {}
        for tie in ties:
            if tie.id in seen:
                raise _TieError(("ties", tie.order, "id"), f"duplicate tie id {tie.id!r}")
            seen[tie.id] = tie.order
            _check_examples(tie, raw[tie.order])
    except _TieError as exc:
        where = _where(source, shadow, exc.pointer)
        raise PluginError(f"{where}invalid cloud profile {cloud!r}: {exc.message}") from None
    return ties


def _check_examples(tie: Tie, raw: Mapping[str, Any]) -> None:
    """``examples: {match: [...], no_match: [...]}`` document a tie and are checked at load."""
    examples = raw.get("examples")
    if not isinstance(examples, Mapping):
        return
    for expected, name in ((True, "match"), (False, "no_match")):
        for i, sample in enumerate(examples.get(name) or ()):
            if isinstance(sample, str) and tie.primary.matches(sample) != expected:
                verb = "should match" if expected else "should not match"
                raise _TieError(("ties", tie.order, "examples", name, i),
                                f"tie {tie.id}: {tie.primary.describe()} {verb} example {sample!r}")


def _where(source: str, shadow: object, pointer: Sequence[str | int]) -> str:
    if not source:
        return ""
    if shadow is None:
        return f"{source}: "
    from .positions import locate

    pos = locate(shadow, tuple(pointer))  # type: ignore[arg-type]  # the loader's Entry
    return f"{source}:{pos.line}: "


# --------------------------------------------------------------------------- loading


def load_profile(text: str, *, source: str) -> CloudProfile:
    """Parse and validate one profile document (YAML) into a ``CloudProfile``.

    Every problem is a ``PluginError`` naming ``source`` and the line of the offending key:
    YAML syntax, a schema violation (``cloud-profile.schema.json``), a regex that does not
    compile or contradicts its own examples, a duplicate tie id.
    """
    from .load import parse_bytes

    parsed = parse_bytes(source, text.encode("utf-8"))
    if parsed.problems:
        problem = parsed.problems[0]
        raise PluginError(f"{source}:{problem.line}: cloud profile is not valid YAML: {problem.message}")
    if len(parsed.documents) != 1:
        raise PluginError(f"{source}: a cloud profile is exactly one YAML document, found {len(parsed.documents)}")
    doc = parsed.documents[0]
    data = doc.data
    _validate_schema(data, source, doc.shadow)
    assert isinstance(data, dict)
    ties = compile_ties(data["id"], data.get("ties"), source, doc.shadow)  # errors name the line
    from .port.equivalences import compile_equivalences  # port (issue 11): checked at load, like the ties

    try:
        compile_equivalences(data.get("equivalences"))
    except ProfileDataError as exc:
        raise profile_error(data["id"], source, doc.shadow, exc) from None
    extends = data.get("extends")
    return CloudProfile(
        id=data["id"],
        name=str(data.get("name", data["id"])),
        data=data,
        source=source,
        extends=extends if isinstance(extends, str) else None,
        compiled=ties,
    )


def profile_schema() -> dict[str, Any]:
    """The JSON Schema of cloud profiles (``schemas/cloud-profile.schema.json``)."""
    import json
    from importlib import resources

    text = resources.files("kportable.schemas").joinpath("cloud-profile.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _profile_predicate() -> Callable[[Any], bool] | None:
    """The profile schema as a compiled "valid?" predicate (``schema_fastpath``), ``None`` if it cannot be."""
    from .schema_fastpath import FastCompiler, Unsupported

    try:
        return FastCompiler().compile(profile_schema())
    except Unsupported:
        return None


def _validate_schema(data: object, source: str, shadow: object) -> None:
    fast = _profile_predicate()
    if fast is not None and fast(data):
        return  # valid: jsonschema (35 ms to import, 40 ms to validate at start-up) only explains problems
    import jsonschema

    validator = jsonschema.Draft202012Validator(profile_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return
    pointer = tuple(error.absolute_path)
    message = error.message
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        extra = sorted(_unexpected_keys(error.instance, error.schema))
        if extra:
            pointer = (*pointer, extra[0])
            message = f"unknown key {extra[0]!r}"
    path = "/".join(str(p) for p in pointer) or "(top level)"
    raise PluginError(f"{_where(source, shadow, pointer)}invalid cloud profile at {path}: {message}")


def _unexpected_keys(instance: Mapping[str, Any], schema: Mapping[str, Any]) -> Iterable[str]:
    known = set(schema.get("properties", {}))
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return (k for k in instance if k not in known and not any(p.search(k) for p in patterns))
