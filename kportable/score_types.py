"""The shapes of per-workload portability scores (computed by ``kportable.score``).

Kept apart from the formula so that reports, gates and plugins can depend on the data without
importing the scoring code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .findings import ObjectRef

PORTABLE = "portable"
WORKLOAD_ROW = "workload"
NAMESPACE_ROW = "namespace"  # what no workload counts, per namespace (``workload`` is a Namespace ref)
CLUSTER_ROW = "cluster"  # what no workload counts among cluster-scoped objects
CLUSTER_REF = ObjectRef("Cluster", None, "cluster", "")


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
    """A row of the score matrix: its score per target (``eks``, ``gke``, ``aks``, ..., and
    ``portable``), 0-100.

    ``costs`` lists every deduction, so a score can explain itself. ``scope`` is ``workload`` for a
    workload's row, ``namespace`` for the findings of a namespace that no workload counts
    (``workload`` is then a ``Namespace`` ref) and ``cluster`` for those on cluster-scoped objects.
    """

    workload: ObjectRef
    scores: Mapping[str, int] = field(default_factory=dict)
    costs: tuple[ScoreCost, ...] = ()
    scope: str = WORKLOAD_ROW
    file: str = ""  # where a workload row's object was read (a file, a kustomize build, a chart render)

    @property
    def row_label(self) -> str:
        """How the matrix names the row: ``Deployment shop/web``, ``namespace shop (other objects)``."""
        ref = self.workload
        if self.scope == NAMESPACE_ROW:
            return f"namespace {ref.name} (other objects)"
        if self.scope == CLUSTER_ROW:
            return "cluster-scoped objects"
        return f"{ref.kind} {ref.namespace or '-'}/{ref.name}"


def row_labels(rows: Sequence[WorkloadScore]) -> dict[int, str]:
    """``id(row) -> label`` for a matrix: ``row_label``, with the file added where two rows would read
    the same (one Deployment built by several kustomize overlays, or rendered by two values files)."""
    counts = Counter(row.row_label for row in rows)
    return {id(row): row.row_label if counts[row.row_label] == 1 or not row.file else f"{row.row_label} ({row.file})"
            for row in rows}
