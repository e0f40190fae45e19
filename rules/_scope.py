"""Shared by the cross-resource hygiene rules: naming objects, namespace-level findings, selectors.

- A namespace-level finding (no default-deny, no quota, no LimitRange) needs a place in a file:
  ``namespace_anchor`` picks the Namespace object when the bundle has it (and it is not a
  ``--context`` input), else the first reported workload of that namespace in input order.
  ``namespace_related`` lists the namespace's reported workloads, so the finding counts against
  each of them in the scores.
- ``describe_selector`` renders a label selector as a person would write it; ``near_miss`` finds
  the workload whose labels a selector that matches nothing was probably meant for.
- ``replication`` counts the pods a workload keeps at its lowest (the HPA minimum when one scales
  it), for PodDisruptionBudget and quota arithmetic.
- ``OperatorPods`` answers "does some custom resource of this namespace carry these labels?":
  pods that an operator creates from a custom resource (a ``Prometheus``, an ``Alertmanager``, an
  Argo ``Rollout``) are not in the bundle, so a policy or budget that selects them would otherwise
  look like it selects nothing.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kportable.findings import ObjectRef
from kportable.inventory import Inventory
from kportable.load import JSON
from kportable.model import Resource, Workload, as_dict, as_list, label, str_map
from kportable.positions import Pointer
from kportable.selectors import Selector

from ._custom import is_custom

SCALABLE_KINDS = frozenset(("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"))
NEAR_MISS_CUTOFF = 0.6  # difflib ratio above which a differing label value reads as a typo

# Where custom resources that stand for pods keep the pod labels, besides metadata.labels.
_POD_LABEL_POINTERS: tuple[Pointer, ...] = (
    ("spec", "podMetadata", "labels"),
    ("spec", "template", "metadata", "labels"),
    ("spec", "podTemplate", "metadata", "labels"),
)


def namespace_anchor(inventory: Inventory, namespace: str) -> tuple[Resource, Pointer] | None:
    """Where a finding about ``namespace`` lands: its Namespace object, else its first reported workload."""
    ns_obj = inventory.get("Namespace", None, namespace)
    if ns_obj is not None and not ns_obj.context:
        return ns_obj, ("metadata", "name")
    for w in inventory.workloads_in(namespace):
        if not w.resource.context:
            pointer: Pointer = ("metadata", "namespace") if "namespace" in as_dict(w.resource.data.get("metadata")) \
                else ("metadata",)
            return w.resource, pointer
    return None


def namespace_related(inventory: Inventory, namespace: str) -> tuple[ObjectRef, ...]:
    """The reported workloads of ``namespace``, for ``related=``."""
    return tuple(w.ref for w in inventory.workloads_in(namespace) if not w.resource.context)


def workload_names(workloads: Iterable[Workload], limit: int = 3) -> str:
    """``Deployment 'shop/web', StatefulSet 'shop/db' and 2 more``: each object once, even when the
    bundle defines it more than once (the builds of several overlays of one base)."""
    names = list(dict.fromkeys(label(w) for w in workloads))
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


def describe_selector(raw: JSON) -> str:
    """A label selector as text: ``app=web, tier in (a, b), !legacy``; ``{}`` for the empty one."""
    spec = as_dict(raw)
    parts = [f"{k}={v}" for k, v in sorted(str_map(spec.get("matchLabels")).items())]
    for expr in as_list(spec.get("matchExpressions")):
        e = as_dict(expr)
        key, op = e.get("key"), e.get("operator")
        values = ", ".join(str(v) for v in as_list(e.get("values")))
        if op == "In":
            parts.append(f"{key} in ({values})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({values})")
        elif op == "Exists":
            parts.append(f"{key}")
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ", ".join(parts) if parts else "{}"


class OperatorPods:
    """Custom resources per namespace with the labels their operator-made pods are likely to carry.

    Built on first use with one pass over the bundle, then answered per namespace, so an
    inventory rule that asks for every policy stays linear.
    """

    def __init__(self, inventory: Inventory) -> None:
        self._inventory = inventory
        self._index: Mapping[str, list[tuple[Resource, list[dict[str, str]]]]] | None = None

    def _build(self) -> Mapping[str, list[tuple[Resource, list[dict[str, str]]]]]:
        index: dict[str, list[tuple[Resource, list[dict[str, str]]]]] = defaultdict(list)
        for res in self._inventory.resources:
            if res.namespace is None or not is_custom(res):
                continue
            label_sets = [dict(res.labels)] if res.labels else []
            for pointer in _POD_LABEL_POINTERS:
                labels = str_map(res.get(*pointer))
                if labels:
                    label_sets.append(labels)
            if label_sets:
                index[res.namespace].append((res, label_sets))
        return index

    def matching(self, namespace: str, selector: Selector) -> Resource | None:
        """The first custom resource of ``namespace`` with a label set that ``selector`` matches."""
        if selector.matches_nothing or selector.is_empty:
            return None
        if self._index is None:
            self._index = self._build()
        for res, label_sets in self._index.get(namespace, ()):
            if any(selector.matches(labels) for labels in label_sets):
                return res
        return None


def near_miss(inventory: Inventory, namespace: str, selector: Selector) -> str:
    """A hint for a selector that matches nothing: a workload whose labels differ in one close value.

    Returns ``"; Deployment 'shop/frontend' has app=frontend"`` when some workload of ``namespace``
    matches every ``matchLabels`` pair but one, and that one's value is close to the wanted one
    (a likely typo); ``""`` otherwise.
    """
    wanted = dict(selector.match_labels)
    if not wanted:
        return ""
    best: tuple[float, str] = (NEAR_MISS_CUTOFF, "")
    for w in inventory.workloads_in(namespace):
        labels = w.pod_labels
        differing = [k for k, v in wanted.items() if labels.get(k) != v]
        if len(differing) != 1 or differing[0] not in labels:
            continue
        key = differing[0]
        ratio = difflib.SequenceMatcher(None, wanted[key], labels[key]).ratio()
        if ratio > best[0]:
            best = (ratio, f"; {label(w)} has {key}={labels[key]}")
    return best[1]


def hpa_min_replicas(hpa: Resource) -> int | None:
    """``spec.minReplicas`` (Kubernetes' default 1 when unset); ``None`` when it is not a number."""
    value = hpa.spec.get("minReplicas")
    if value is None:
        return 1
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class Replication:
    """How many pods a workload keeps, and why kportable thinks so (for messages)."""

    count: int
    reason: str


def replication(inventory: Inventory, workload: Workload) -> Replication | None:
    """The pods a scalable workload keeps at its lowest: the HPA minimum when autoscaled, else ``replicas``."""
    if workload.kind == "Pod":
        return Replication(1, "1 pod")
    if workload.kind not in SCALABLE_KINDS:
        return None
    hpas = inventory.hpas_for(workload)
    if hpas:
        lows = [(hpa_min_replicas(h), h) for h in hpas]
        known = [(low, h) for low, h in lows if low is not None]
        if len(known) != len(lows):
            return None
        low, hpa = min(known, key=lambda pair: pair[0])
        return Replication(low, f"{low} at the minReplicas of {label(hpa)}")
    replicas = workload.replicas
    if replicas is None:
        return None
    return Replication(replicas, f"{replicas} replica{'s' if replicas != 1 else ''}")
