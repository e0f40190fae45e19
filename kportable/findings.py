"""Findings: what a rule reports, with everything a person needs to act on it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Literal


class Severity(enum.StrEnum):
    """Portability impact, from worst to mildest.

    - ``blocker``: will not admit or run on an affected cluster;
    - ``major``: runs, but behaves differently (e.g. an internal load balancer becomes public);
    - ``minor``: needs cloud-specific tweaking;
    - ``info``: worth knowing, costs nothing.
    """

    BLOCKER = "blocker"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: blocker=4 ... info=1."""
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse a severity name (case-insensitive); raises ``ValueError`` naming the choices."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r}; choose one of {choices}") from None


_RANK = {Severity.BLOCKER: 4, Severity.MAJOR: 3, Severity.MINOR: 2, Severity.INFO: 1}


class Effect(enum.StrEnum):
    """What a cloud tie means when the workload moves to another cloud.

    - ``blocker``: will not work elsewhere as written (pod unschedulable, PVC pending, CRD unknown);
    - ``adaptation``: applies elsewhere but needs a per-cloud change or silently behaves differently;
    - ``info``: cloud-flavoured but works anywhere (e.g. a public registry hosted by a cloud).
    """

    BLOCKER = "blocker"
    ADAPTATION = "adaptation"
    INFO = "info"


@dataclass(frozen=True, slots=True, order=True)
class ObjectRef:
    """The identity of a Kubernetes object: ``Kind namespace/name`` (namespace ``None`` if cluster-scoped)."""

    kind: str
    namespace: str | None
    name: str
    api_version: str = ""

    def __str__(self) -> str:
        ns = self.namespace if self.namespace is not None else "-"
        return f"{self.kind} {ns}/{self.name}"

    @property
    def label(self) -> str:
        """How messages name the object: ``Deployment 'shop/web'``, ``StorageClass 'fast'`` (cluster-scoped)."""
        name = self.name if self.namespace is None else f"{self.namespace}/{self.name}"
        return f"{self.kind} {name!r}"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding lands: file (as given on the command line or relative), 1-based line and column.

    ``origin`` is the file a person edits when the input was rendered (a Helm template named by
    ``# Source:``, a kustomize base); ``origin_line`` is the line there when known. Contract:
    ``origin_line is not None`` means ``origin`` is a path (relative to the working directory) of
    a file that exists; ``kportable.render.origins.edit_target`` picks the place to annotate.
    """

    path: str
    line: int
    column: int = 1
    end_line: int | None = None
    origin: str | None = None
    origin_line: int | None = None


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding does not count: in the file (annotation/comment), a config exemption, or a baseline."""

    kind: Literal["inSource", "external"]
    source: str
    justification: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by one rule at one place.

    ``clouds`` are the cloud-profile ids the object is tied to (empty for hygiene findings, which
    concern every cluster); ``effect`` says how bad the tie is. ``fix`` is the portable alternative.
    """

    rule_id: str
    slug: str
    severity: Severity
    message: str
    location: Location
    obj: ObjectRef | None = None
    pointer: tuple[str | int, ...] = ()
    path: str = ""
    clouds: tuple[str, ...] = ()
    effect: Effect | None = None
    fix: str = ""
    category: str = ""
    suppressed: Suppression | None = None
    related: tuple[ObjectRef, ...] = field(default=())

    @property
    def fingerprint(self) -> str:
        """Stable identity: rule + object + key path (not the line), so it survives unrelated edits."""
        obj = "" if self.obj is None else f"{self.obj.kind}|{self.obj.namespace}|{self.obj.name}"
        where = self.path if self.obj is not None else f"{self.location.path}:{self.location.line}"
        raw = f"{self.rule_id}|{obj}|{where}|{self.location.path if self.obj is None else ''}"
        import hashlib  # here, not at the top: OpenSSL's start-up costs ~15 ms and only reports need it

        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """Deterministic order: file, line, column, rule, object, message."""
        loc = self.location
        return (loc.path, loc.line, loc.column, self.rule_id, str(self.obj or ""), self.message)

    def with_suppression(self, suppression: Suppression) -> Finding:
        return replace(self, suppressed=suppression)

    def with_severity(self, severity: Severity) -> Finding:
        return replace(self, severity=severity)
