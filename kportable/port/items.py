"""From a cloud-tie finding to a port item: what to take out of the base, and how to recognise it.

A finding knows the object and the pointer of the offending key; the rule that found it does not
matter here. The pointer's *shape* decides the edit, using Kubernetes field semantics only:

- a map entry of ``metadata.annotations``/``labels`` (of the object or of a pod template), of a
  ``nodeSelector`` or of container ``resources`` limits/requests: remove the key;
- an item of ``matchExpressions`` (node affinity, Karpenter requirements), ``tolerations``,
  ``readinessGates``, ``finalizers`` or ``topologySpreadConstraints``: remove the list item;
- an optional field (``ingressClassName``, ``loadBalancerClass``, ``schedulerName``,
  ``runtimeClassName``): remove it;
- a ``storageClassName``/``storageClass`` value: replace it with the concept's neutral class name
  (``portable-rwo``), or remove it (cluster default) when no concept knows the class;
- a container ``image``: replace the registry by the reserved ``registry.invalid`` host, and map
  it back per overlay with kustomize ``images:``;
- anything else (the object's API group, a StorageClass provisioner, an inline cloud volume, a
  Service selector on cloud-managed pods, a pod label its own selector uses): the object cannot be
  made neutral in place, so it moves whole to the overlays.

Each item also lists its *candidates*: the (scope, subject, value) triples a profile's
``equivalences`` recognise a concept by, so no cloud name appears here either.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from ..findings import Finding
from ..inventory import Inventory
from ..load import JSON
from ..model import Resource, Workload, as_dict, as_list, as_str, scalar_text
from ..positions import Pointer

Candidate = tuple[str, str, str | None]

#: Placeholder registry of images taken out of the base (RFC 2606: ``.invalid`` never resolves, so a
#: base applied by mistake fails to pull instead of pulling a look-alike from Docker Hub).
NEUTRAL_REGISTRY = "registry.invalid"


class Action(enum.StrEnum):
    REMOVE = "remove"
    NEUTRAL = "neutral"
    IMAGE = "image"
    MOVE = "move"


@dataclass(frozen=True, slots=True)
class Item:
    """One cloud-specific thing of one object, and how port takes it out of the base.

    ``target`` is the pointer (inside the object) of what is removed or replaced: the map key, the
    list item, the field. ``preferred`` marks items of a preferred (soft) node affinity term.
    """

    finding: Finding
    resource: Resource
    action: Action
    target: Pointer
    candidates: tuple[Candidate, ...]
    reason: str = ""
    preferred: bool = False

    @property
    def value(self) -> JSON:
        return self.resource.get(*self.target)


_OPTIONAL_FIELDS = {
    "ingressClassName": "ingress-class",
    "loadBalancerClass": "load-balancer-class",
    "schedulerName": "scheduler-name",
    "runtimeClassName": "runtime-class",
}
_STORAGE_FIELDS = frozenset(("storageClassName", "storageClass"))
_EXPRESSION_LISTS = frozenset(("matchExpressions", "matchFields", "requirements"))
_ITEM_LISTS = {
    "tolerations": "toleration",
    "readinessGates": "readiness-gate",
    "finalizers": "finalizer",
    "topologySpreadConstraints": "node-label",
}
_METADATA_SCOPES = {
    ("Service", "annotations"): ("service-annotation",),
    ("Ingress", "annotations"): ("ingress-annotation",),
    ("Gateway", "annotations"): ("gateway-annotation",),
    ("ServiceAccount", "annotations"): ("service-account-annotation",),
    ("ServiceAccount", "labels"): ("service-account-label",),
    ("Namespace", "annotations"): ("namespace-annotation",),
    ("Namespace", "labels"): ("namespace-label",),
}
_POD_METADATA_SCOPES = {
    "annotations": ("pod-identity", "pod-annotation"),
    "labels": ("pod-identity", "pod-label"),
}
#: Annotations whose *value* is what a profile knows (the legacy spellings of two class fields).
_VALUE_ANNOTATIONS = {
    "kubernetes.io/ingress.class": "ingress-class",
    "volume.beta.kubernetes.io/storage-class": "storage-class",
}


def classify(finding: Finding, res: Resource, inventory: Inventory) -> Item:
    """The port item for ``finding`` on ``res`` (see the module docstring for the shapes)."""
    p = finding.pointer
    last = p[-1] if p else None
    workload = inventory.workload_of(res)
    if len(p) >= 3 and p[-3] == "metadata" and p[-2] in ("annotations", "labels") and isinstance(last, str):
        return _metadata_item(finding, res, workload, p, last, inventory)
    if len(p) >= 2 and p[-2] == "nodeSelector" and isinstance(last, str):
        return Item(finding, res, Action.REMOVE, p, (("node-label", last, scalar_text(res.get(*p))),))
    if len(p) >= 3 and p[-3] == "resources" and p[-2] in ("limits", "requests") and isinstance(last, str):
        return Item(finding, res, Action.REMOVE, p, (("extended-resource", last, None),))
    for i in range(len(p) - 2, -1, -1):
        part = p[i]
        if part in _EXPRESSION_LISTS and isinstance(p[i + 1], int):
            return _expression_item(finding, res, p[: i + 2])
        if isinstance(part, str) and part in _ITEM_LISTS and isinstance(p[i + 1], int):
            return _list_item(finding, res, p[: i + 2], _ITEM_LISTS[part])
    if isinstance(last, str) and last in _OPTIONAL_FIELDS:
        return Item(finding, res, Action.REMOVE, p, ((_OPTIONAL_FIELDS[last], scalar_text(res.get(*p)) or "", None),))
    if isinstance(last, str) and last in _STORAGE_FIELDS:
        return Item(finding, res, Action.NEUTRAL, p, tuple(_storage_candidates(inventory, scalar_text(res.get(*p)))))
    if last == "image" and len(p) >= 3 and p[-3] in ("containers", "initContainers") and isinstance(res.get(*p), str):
        return Item(finding, res, Action.IMAGE, p, (("image", str(res.get(*p)), None),))
    return _move(finding, res, inventory, "the tie is the object itself" if _is_identity(p)
                 else f"{finding.path or 'the object'} cannot be made neutral in place")


def _is_identity(p: Pointer) -> bool:
    return not p or p[0] in ("apiVersion", "kind", "provisioner") or p[:2] in (
        ("spec", "group"), ("spec", "controller"), ("spec", "controllerName"), ("spec", "provider"),
        ("metadata", "name"))


def _move(finding: Finding, res: Resource, inventory: Inventory, reason: str) -> Item:
    return Item(finding, res, Action.MOVE, (), tuple(_object_candidates(res, inventory)), reason)


def _object_candidates(res: Resource, inventory: Inventory) -> Iterator[Candidate]:
    """What recognises a moved object as a concept: a StorageClass's provisioner, an IngressClass's
    controller (a concept may bring the target's own object, or need none)."""
    if res.kind == "StorageClass":
        provisioner = as_str(res.data.get("provisioner"))
        if provisioner:
            yield ("storage-provisioner", provisioner, None)
    elif res.kind == "IngressClass":
        controller = as_str(res.spec.get("controller"))
        if controller:
            yield ("ingress-controller", controller, None)


def _metadata_item(finding: Finding, res: Resource, workload: Workload | None, p: Pointer, key: str,
                   inventory: Inventory) -> Item:
    place = str(p[-2])
    value = scalar_text(res.get(*p))
    on_pod = workload is not None and p[:-3] == workload.template and workload.template != ()
    if res.kind == "Pod" and p[:-3] == ():
        on_pod = True
    if on_pod and place == "labels" and workload is not None and _selected_label(workload, key, inventory):
        return Item(finding, res, Action.MOVE, (), (), f"pod label {key!r} is used by the workload's own selector")
    if key in _VALUE_ANNOTATIONS and place == "annotations" and value is not None:
        scope = _VALUE_ANNOTATIONS[key]
        action = Action.NEUTRAL if scope == "storage-class" else Action.REMOVE
        return Item(finding, res, action, p, ((scope, value, None),))
    scopes = _POD_METADATA_SCOPES[place] if on_pod else _METADATA_SCOPES.get((res.kind, place), ())
    return Item(finding, res, Action.REMOVE, p, tuple((s, key, value) for s in scopes))


def _selected_label(workload: Workload, key: str, inventory: Inventory) -> bool:
    """Whether a selector relies on pod label ``key``: the workload's own, or a Service's that selects it."""
    selector = as_dict(workload.selector)
    keys = set(as_dict(selector.get("matchLabels")))
    keys.update(as_str(as_dict(e).get("key")) or "" for e in as_list(selector.get("matchExpressions")))
    for service in inventory.selecting(workload, "Service"):
        keys.update(as_dict(service.spec.get("selector")))
    return key in keys


def _expression_item(finding: Finding, res: Resource, expr_pointer: Pointer) -> Item:
    expr = as_dict(res.get(*expr_pointer))
    key = as_str(expr.get("key")) or ""
    values = [scalar_text(v) for v in as_list(expr.get("values"))] or [None]
    operator = as_str(expr.get("operator")) or "In"
    candidates = tuple(("node-label", key, v) for v in values) if operator == "In" else (("node-label", key, None),)
    preferred = "preferredDuringSchedulingIgnoredDuringExecution" in expr_pointer
    return Item(finding, res, Action.REMOVE, expr_pointer, candidates, preferred=preferred)


def _list_item(finding: Finding, res: Resource, item_pointer: Pointer, scope: str) -> Item:
    raw = res.get(*item_pointer)
    entry = as_dict(raw)
    if scope == "toleration":
        candidates: tuple[Candidate, ...] = ((scope, as_str(entry.get("key")) or "", scalar_text(entry.get("value"))),)
    elif scope == "readiness-gate":
        candidates = ((scope, as_str(entry.get("conditionType")) or "", None),)
    elif scope == "node-label":
        candidates = ((scope, as_str(entry.get("topologyKey")) or "", None),)
    else:
        candidates = ((scope, scalar_text(raw) or "", None),)
    return Item(finding, res, Action.REMOVE, item_pointer, candidates)


def _storage_candidates(inventory: Inventory, name: str | None) -> Iterator[Candidate]:
    if not name:
        return
    yield ("storage-class", name, None)
    bundled = inventory.storage_class(name)
    provisioner = as_str(bundled.data.get("provisioner")) if bundled is not None else None
    if provisioner:
        yield ("storage-provisioner", provisioner, None)
