"""Pieces the report formats share: severity levels, counts, one-line messages, the score matrix."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..findings import Finding, ObjectRef, Severity
from ..score_types import PORTABLE, WorkloadScore

# SARIF ``level`` (and GitHub code scanning's Error/Warning/Note). Code scanning fails a pull
# request's check on ``error`` by default, so blocker and major (runs but behaves differently)
# block, minor (needs per-cloud tweaking) warns, info notes.
SARIF_LEVEL = {Severity.BLOCKER: "error", Severity.MAJOR: "error", Severity.MINOR: "warning", Severity.INFO: "note"}


def plural(n: int, word: str) -> str:
    """``1 file``, ``2 files``: a count and its noun (regular plurals only)."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def sentence(text: str) -> str:
    """``text`` ending with a full stop (messages are written without one)."""
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def finding_text(f: Finding) -> str:
    """The message a CI annotation shows: what is wrong, then the portable alternative."""
    text = sentence(f.message)
    return f"{text} Fix: {sentence(f.fix)}" if f.fix else text


def object_text(f: Finding) -> str:
    """``finding_text`` led by the object (``Deployment shop/web: ...``) unless the message names it."""
    text = finding_text(f)
    if f.obj is None or f.obj.name in f.message:
        return text
    return f"{f.obj.label}: {text}"


def related_refs(f: Finding) -> list[ObjectRef]:
    """The objects a finding also counts against (``Finding.related``), once each, in a stable order
    (namespace, kind, name), so reports are byte-identical whatever order a rule found them in."""
    return sorted(set(f.related), key=lambda r: (r.namespace or "", r.kind, r.name, r.api_version))


def worst_first(findings: Iterable[Finding]) -> list[Finding]:
    """Blockers first, then by file and line (stable for the same input)."""
    return sorted(findings, key=lambda f: (-f.severity.rank, *f.sort_key()))


@dataclass(frozen=True, slots=True)
class ScoreMatrix:
    """Workloads x targets. ``targets`` lists cloud ids sorted, ``portable`` last."""

    targets: tuple[str, ...]
    rows: tuple[WorkloadScore, ...]


def score_matrix(scores: Sequence[WorkloadScore]) -> ScoreMatrix:
    """Rows worst first (lowest score on any target), then by workload; deterministic."""
    names = {t for ws in scores for t in ws.scores}
    targets = tuple(sorted(t for t in names if t != PORTABLE)) + ((PORTABLE,) if PORTABLE in names else ())
    rows = sorted(scores, key=lambda ws: (min(ws.scores.values(), default=100), ws.workload))
    return ScoreMatrix(targets, tuple(rows))


def score_dict(s: WorkloadScore) -> dict[str, Any]:
    """One workload's scores as JSON-compatible data (the ``scores`` key of the JSON report)."""
    ref = s.workload
    return {
        "workload": {"kind": ref.kind, "namespace": ref.namespace, "name": ref.name, "apiVersion": ref.api_version},
        "scope": s.scope,
        "file": s.file or None,
        "scores": dict(s.scores),
        "costs": [
            {"target": c.target, "points": c.points, "rule_id": c.rule_id, "fingerprint": c.fingerprint}
            for c in s.costs
        ],
    }
