"""Which workloads a cloud custom resource belongs to, so its finding counts against them in the scores.

A TargetGroupBinding, BackendConfig, ManagedCertificate, SecurityGroupPolicy or PodMonitoring is not
part of the core workload graph, yet the workload it serves cannot move without it. Three generic
links, all inside the resource's namespace and all through the inventory's indexes:

- a label selector in ``spec.selector`` or ``spec.podSelector`` (SecurityGroupPolicy, PodMonitoring,
  ServiceMonitor): the workloads whose pods it selects;
- ``spec.serviceRef`` / ``spec.targetRef`` naming a Service (TargetGroupBinding, GKE policies): the
  workloads behind that Service;
- its name written in an annotation value of a Service or Ingress (BackendConfig, FrontendConfig,
  ManagedCertificate): the workloads behind that Service or Ingress.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kportable.findings import ObjectRef
from kportable.model import DEFAULT_NAMESPACE, Resource, Workload, as_dict, as_str
from kportable.rule import RuleContext
from kportable.selectors import parse_label_selector

_TOKENS = re.compile(r"[^A-Za-z0-9._-]+")


def related_workloads(ctx: RuleContext[Any], res: Resource) -> tuple[ObjectRef, ...]:
    """The workloads ``res`` serves, in a deterministic order without duplicates."""
    if res.namespace is None:  # cluster-scoped: node classes, cluster configs
        return ()
    seen: dict[ObjectRef, None] = {}
    for w in _linked(ctx, res, res.namespace or DEFAULT_NAMESPACE):
        seen.setdefault(w.ref)
    return tuple(seen)


def _linked(ctx: RuleContext[Any], res: Resource, ns: str) -> Iterator[Workload]:
    inventory = ctx.inventory
    spec = res.spec
    for key in ("selector", "podSelector"):
        raw = spec.get(key)
        if isinstance(raw, dict) and raw:
            yield from inventory.select(ns, parse_label_selector(raw))
    for key in ("serviceRef", "targetRef"):
        ref = as_dict(spec.get(key))
        name = as_str(ref.get("name"))
        if name and as_str(ref.get("kind")) in (None, "Service"):
            service = inventory.get("Service", ns, name)
            if service is not None:
                yield from inventory.selected_workloads(service)
    for service in inventory.in_namespace(ns, "Service"):
        if _mentions(service, res.name):
            yield from inventory.selected_workloads(service)
    for ingress in inventory.in_namespace(ns, "Ingress"):
        if _mentions(ingress, res.name):
            for backend in inventory.backends_of(ingress):
                if backend.target is not None:
                    yield from inventory.selected_workloads(backend.target)


def _mentions(obj: Resource, name: str) -> bool:
    return any(name in _TOKENS.split(value) for value in obj.annotations.values() if name in value)
