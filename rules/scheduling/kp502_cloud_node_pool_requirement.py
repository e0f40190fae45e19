"""KP502 cloud-node-pool-requirement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, as_dict, as_list, as_str, label
from kportable.positions import Pointer
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import expression_findings, lookup, tie_finding

KARPENTER_GROUP = "karpenter.sh"


@rule("KP502", "cloud-node-pool-requirement", Severity.BLOCKER, target=Target.RESOURCE,
      kinds={"NodePool", "NodeClaim", "Provisioner"}, clouds=ALL_CLOUDS)
def cloud_node_pool_requirement(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports what ties a Karpenter `NodePool` (or `NodeClaim`, or a v1beta1 `Provisioner`) to one
    cloud: a `nodeClassRef` (or `providerRef`) to a cloud node class (`karpenter.k8s.aws`
    EC2NodeClass, `karpenter.azure.com` AKSNodeClass), and requirements on cloud instance labels or
    cloud values (`node.kubernetes.io/instance-type In [c5.large, m5.large]`, AWS zones).
    Requirements on Karpenter's own labels (`karpenter.sh/capacity-type`) tie the pool no tighter
    than Karpenter itself and are not reported.

    ## Why is this bad?
    Karpenter itself runs on EKS and as AKS node auto-provisioning, but a NodePool only launches
    nodes its node class describes: an EC2NodeClass reference or EC2 instance types cannot be
    satisfied by any other provider, so pods waiting for that pool stay Pending. `NotIn`
    requirements only exclude instances and are informational.

    ## Example
    ```yaml
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: default
    spec:
      template:
        spec:
          requirements:
          - key: node.kubernetes.io/instance-type
            operator: In
            values: [c5.large, m5.large]
          nodeClassRef:
            group: karpenter.k8s.aws
            kind: EC2NodeClass
            name: default
    ```

    ## Use instead
    ```yaml
    # requirements on portable keys; the node class reference is set per cloud by an overlay
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: default
    spec:
      template:
        spec:
          requirements:
          - key: kubernetes.io/arch
            operator: In
            values: [amd64]
          - key: karpenter.sh/capacity-type
            operator: In
            values: [on-demand]
    ```

    ## References
    - https://karpenter.sh/docs/concepts/nodepools/
    - https://learn.microsoft.com/azure/aks/node-autoprovision
    """
    if res.group != KARPENTER_GROUP:
        return
    spec = res.spec
    base: Pointer = ("spec",)
    if res.kind == "NodePool":
        spec = as_dict(as_dict(spec.get("template")).get("spec"))
        base = ("spec", "template", "spec")
    subject = label(res)
    for ref_key in ("nodeClassRef", "providerRef"):
        ref = as_dict(spec.get(ref_key))
        group = as_str(ref.get("group")) or as_str(ref.get("apiVersion"))
        if not group:
            continue
        group = group.split("/", 1)[0]
        hit = lookup(ctx, "api-group", group)
        if hit is not None:
            pointer = (*base, ref_key, "group" if "group" in ref else "apiVersion")
            kind = as_str(ref.get("kind")) or "node class"
            yield tie_finding(ctx, res, pointer, hit,
                              f"{subject} {ref_key} {kind} of group {group!r} is {hit.first.what}")
    # A requirement that ties the pool no tighter than Karpenter itself (karpenter.sh/capacity-type:
    # EKS and AKS, like the NodePool's own API group, reported by KP601) adds nothing.
    own = lookup(ctx, "api-group", KARPENTER_GROUP)
    native = set(own.clouds) if own is not None else set()
    for i, expr in enumerate(as_list(spec.get("requirements"))):
        for finding in expression_findings(ctx, res, (*base, "requirements", i), expr, f"{subject} requirement"):
            if not native or not native.issubset(finding.clouds):
                yield finding
