"""The shapes of per-workload portability scores (computed by ``kportable.score``).

Kept apart from the formula so that reports, gates and plugins can depend on the data without
importing the scoring code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .findings import ObjectRef

PORTABLE = "portable"


@dataclass(frozen=True, slots=True)
class ScoreCost:
    """Points one finding costs one workload on one target."""

    target: str
    points: float
    rule_id: str
    fingerprint: str
    message: str
    obj: ObjectRef | None


@dataclass(frozen=True)
class WorkloadScore:
    """A workload's score per target (``eks``, ``gke``, ``aks``, ..., and ``portable``), 0-100.

    ``costs`` lists every deduction, so a score can explain itself.
    """

    workload: ObjectRef
    scores: Mapping[str, int] = field(default_factory=dict)
    costs: tuple[ScoreCost, ...] = ()
