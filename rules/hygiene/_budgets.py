"""PodDisruptionBudget semantics shared by KP701-KP704: pod counts and budgets that block eviction.

The disruption controller computes ``disruptionsAllowed = healthy - desiredHealthy`` where
``desiredHealthy`` is ``minAvailable`` (a percentage of the expected pods, rounded *up*) or
``expected - maxUnavailable`` (a percentage rounded up too). ``expected`` is the sum of the
scale of the pods' controllers; a percentage or ``maxUnavailable`` on pods whose controller has
no scale (DaemonSet, Job, bare Pod) cannot be computed and allows no disruption at all. With
every pod healthy, a budget blocks every voluntary eviction when ``desiredHealthy >= expected``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kportable.inventory import Inventory
from kportable.load import JSON
from kportable.model import Resource, Workload, label
from kportable.positions import Pointer

from .._scope import SCALABLE_KINDS, replication

REPLICATED_KINDS = frozenset(("Deployment", "StatefulSet"))
_PERCENT = re.compile(r"^([0-9]+)%$")


def is_pdb(resource: Resource) -> bool:
    return resource.kind == "PodDisruptionBudget" and resource.group == "policy"


def int_or_percent(value: JSON) -> tuple[bool, int] | None:
    """(is_percent, number) for an IntOrString budget field; ``None`` when absent or invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (False, value) if value >= 0 else None
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if match:
            return True, int(match.group(1))
    return None


@dataclass(frozen=True, slots=True)
class Blocking:
    """Why a budget allows no voluntary eviction, and the field to change."""

    pointer: Pointer
    reason: str


def blocking(inventory: Inventory, pdb: Resource, selected: Sequence[Workload]) -> Blocking | None:
    """Whether ``pdb`` blocks every voluntary eviction of the pods it selects, with every pod healthy."""
    spec = pdb.spec
    unscalable = [w for w in selected if w.kind not in SCALABLE_KINDS]
    if "maxUnavailable" in spec:
        parsed = int_or_percent(spec.get("maxUnavailable"))
        if parsed is None:
            return None
        pointer: Pointer = ("spec", "maxUnavailable")
        if parsed[1] == 0:
            return Blocking(pointer, f"maxUnavailable: {spec.get('maxUnavailable')} lets no pod be evicted")
        if unscalable:
            return Blocking(pointer, _needs_scale("maxUnavailable", unscalable[0]))
        return None
    parsed = int_or_percent(spec.get("minAvailable"))
    if parsed is None:
        return None
    is_percent, number = parsed
    pointer = ("spec", "minAvailable")
    raw = spec.get("minAvailable")
    if is_percent and number >= 100:
        return Blocking(pointer, f"minAvailable: {raw} keeps every pod, so none can be evicted")
    if is_percent and unscalable:
        return Blocking(pointer, _needs_scale("a percentage minAvailable", unscalable[0]))
    counts = [replication(inventory, w) for w in selected]
    if not counts or any(c is None for c in counts):
        return None
    total = sum(c.count for c in counts if c is not None)
    if total <= 0:
        return None
    desired = math.ceil(number * total / 100) if is_percent else number
    if desired < total:
        return None
    detail = "; ".join(f"{label(w)}: {c.reason}" for w, c in zip(selected, counts, strict=True) if c)
    rounding = f" ({number}% of {total} rounds up to {desired})" if is_percent else ""
    return Blocking(
        pointer,
        f"minAvailable: {raw} needs {desired} of its {total} pod{'s' if total != 1 else ''} up{rounding}, "
        f"so none can be evicted ({detail})",
    )


def _needs_scale(what: str, workload: Workload) -> str:
    return (
        f"{what} needs the pods' controller to have a scale, and {label(workload)} has none, "
        "so the budget allows no eviction of its pods"
    )
