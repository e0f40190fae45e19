"""KP501 cloud-node-selector."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Effect, Finding, Severity
from kportable.model import Workload, as_dict, as_list, as_str, label, scalar_text
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import expression_findings, lookup, pair, tie_finding

_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
_PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"


@rule("KP501", "cloud-node-selector", Severity.BLOCKER, target=Target.WORKLOAD, clouds=ALL_CLOUDS)
def cloud_node_selector(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports pod placement on one cloud's nodes: `nodeSelector` and node affinity on cloud node
    labels (EKS node groups, Fargate and capacity type, GKE node pools, Spot, compute classes,
    accelerators, AKS agent pools and spot pools, Karpenter AWS/Azure labels, virtual nodes), and
    cloud values under portable keys (`node.kubernetes.io/instance-type: m5.large`,
    `topology.kubernetes.io/zone: us-east-2c`, regions). Topology spread constraints and pod
    (anti-)affinity on cloud-only topology keys are reported too.

    ## Why is this bad?
    A `nodeSelector` or a required affinity term on a label no node carries leaves the pod Pending
    forever: blocker. A preferred term only loses its placement intent elsewhere: adaptation. A
    `NotIn`/`DoesNotExist` term (as in AWS add-on charts keeping pods off Fargate) schedules fine
    on any cloud: informational. Spreading on a cloud-only key finds a single domain elsewhere.
    Portable keys with portable values (`kubernetes.io/arch`, `kubernetes.io/os`, zones spread
    without naming them) are not reported.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: batch
    spec:
      selector:
        matchLabels: {app: batch}
      template:
        metadata:
          labels: {app: batch}
        spec:
          nodeSelector:
            cloud.google.com/gke-spot: "true"
            node.kubernetes.io/instance-type: n2-standard-8
          containers:
          - name: batch
            image: busybox:1.36
    ```

    ## Use instead
    ```yaml
    # your own node labels, set on the matching pool of every cloud
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: batch
    spec:
      selector:
        matchLabels: {app: batch}
      template:
        metadata:
          labels: {app: batch}
        spec:
          nodeSelector:
            kubernetes.io/arch: amd64
            example.com/capacity: spot
          topologySpreadConstraints:
          - maxSkew: 1
            topologyKey: topology.kubernetes.io/zone
            whenUnsatisfiable: ScheduleAnyway
            labelSelector:
              matchLabels: {app: batch}
          containers:
          - name: batch
            image: busybox:1.36
    ```

    ## References
    - https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/
    - https://kubernetes.io/docs/reference/labels-annotations-taints/
    """
    subject = label(w)
    for key, raw in as_dict(w.pod_spec.get("nodeSelector")).items():
        value = scalar_text(raw)
        hit = lookup(ctx, "node-label", key, value)
        if hit is not None:
            yield tie_finding(ctx, w.resource, w.spec_pointer("nodeSelector", key), hit,
                              f"{subject} nodeSelector {pair(key, value)} is {hit.first.what}")
    affinity = as_dict(w.pod_spec.get("affinity"))
    node = as_dict(affinity.get("nodeAffinity"))
    required = as_dict(node.get(_REQUIRED))
    for i, term in enumerate(as_list(required.get("nodeSelectorTerms"))):
        for j, expr in enumerate(as_list(as_dict(term).get("matchExpressions"))):
            yield from expression_findings(
                ctx, w.resource, w.spec_pointer("affinity", "nodeAffinity", _REQUIRED, "nodeSelectorTerms", i,
                                                "matchExpressions", j),
                expr, f"{subject} required node affinity")
    for i, item in enumerate(as_list(node.get(_PREFERRED))):
        preference = as_dict(as_dict(item).get("preference"))
        for j, expr in enumerate(as_list(preference.get("matchExpressions"))):
            yield from expression_findings(
                ctx, w.resource, w.spec_pointer("affinity", "nodeAffinity", _PREFERRED, i, "preference",
                                                "matchExpressions", j),
                expr, f"{subject} preferred node affinity", effect=Effect.ADAPTATION)
    for i, constraint in enumerate(as_list(w.pod_spec.get("topologySpreadConstraints"))):
        yield from _topology_key(ctx, w, as_dict(constraint), ("topologySpreadConstraints", i),
                                 f"{subject} topology spread constraint")
    for kind in ("podAffinity", "podAntiAffinity"):
        section = as_dict(affinity.get(kind))
        for i, term in enumerate(as_list(section.get(_REQUIRED))):
            yield from _topology_key(ctx, w, as_dict(term), ("affinity", kind, _REQUIRED, i), f"{subject} {kind}")
        for i, item in enumerate(as_list(section.get(_PREFERRED))):
            term = as_dict(as_dict(item).get("podAffinityTerm"))
            yield from _topology_key(ctx, w, term, ("affinity", kind, _PREFERRED, i, "podAffinityTerm"),
                                     f"{subject} {kind}")


def _topology_key(ctx: RuleContext[Any], w: Workload, term: dict[str, Any], base: tuple[str | int, ...],
                  subject: str) -> Iterator[Finding]:
    """Spreading or co-locating on a cloud-only key groups every node elsewhere into one domain."""
    key = as_str(term.get("topologyKey"))
    hit = lookup(ctx, "node-label", key) if key else None
    if key and hit is not None:
        yield tie_finding(ctx, w.resource, w.spec_pointer(*base, "topologyKey"), hit,
                          f"{subject} topologyKey {key!r} is {hit.first.what}",
                          effect=Effect.ADAPTATION if hit.effect is not Effect.INFO else Effect.INFO)
