"""CI gates: the exit status of a run, from its findings and its scores.

Kept apart from the CLI so reports (SARIF ``invocations[].exitCode``, the PR comment) state the
same status the process exits with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .findings import ObjectRef
from .score_types import WorkloadScore, row_labels

if TYPE_CHECKING:
    from .api import RunResult

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

ANY_TARGET = "*"


@dataclass(frozen=True, slots=True, order=True)
class ScoreViolation:
    """A workload scoring under the minimum for one target."""

    workload: ObjectRef
    target: str
    score: int
    minimum: int
    row: str = field(default="", compare=False)  # the matrix row's label (``WorkloadScore.row_label``)

    def describe(self) -> str:
        return f"{self.row or self.workload} scores {self.score} for {self.target}, under the minimum {self.minimum}"


def minimum_for(min_score: Mapping[str, int], target: str) -> int | None:
    """The minimum score for ``target``: its own entry, else the ``"*"`` entry, else none."""
    if target in min_score:
        return min_score[target]
    return min_score.get(ANY_TARGET)


def score_violations(scores: Iterable[WorkloadScore], min_score: Mapping[str, int]) -> tuple[ScoreViolation, ...]:
    """Every (workload, target) whose score is under its minimum, sorted."""
    if not min_score:
        return ()
    rows = list(scores)
    labels = row_labels(rows)
    out = []
    for ws in rows:
        for target, score in ws.scores.items():
            minimum = minimum_for(min_score, target)
            if minimum is not None and score < minimum:
                out.append(ScoreViolation(ws.workload, target, score, minimum, labels[id(ws)]))
    return tuple(sorted(out))


def exit_status(result: RunResult) -> int:
    """3 when the run is incomplete (rule crash, plugin error); 1 when a finding reaches
    ``--fail-on`` or a workload scores under ``--min-score``; else 0."""
    if result.internal_error:
        return EXIT_INTERNAL
    if result.failed() or score_violations(result.scores, result.options.min_score):
        return EXIT_FINDINGS
    return EXIT_OK
