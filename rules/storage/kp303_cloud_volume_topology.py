"""KP303 cloud-volume-topology."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, as_dict, as_list, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import expression_findings


@rule("KP303", "cloud-volume-topology", Severity.BLOCKER, target=Target.RESOURCE,
      kinds={"StorageClass", "PersistentVolume"}, clouds=ALL_CLOUDS)
def cloud_volume_topology(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports StorageClass `allowedTopologies` and PersistentVolume `spec.nodeAffinity` terms that
    pin volumes to one cloud: cloud topology keys (`topology.ebs.csi.aws.com/zone`,
    `topology.gke.io/zone`, `topology.disk.csi.azure.com/zone`) and cloud zone names under the
    portable `topology.kubernetes.io/zone` key (`us-east-2c`, `us-central1-a`, `eastus2-1`).

    ## Why is this bad?
    The topology key is portable, its values are not: no node of another cloud is in `us-east-2c`,
    so volumes cannot be provisioned (or attached) and the pods that need them stay Pending.
    `volumeBindingMode: WaitForFirstConsumer` already provisions volumes in the zone the scheduler
    picks, on every cloud, without naming zones.

    ## Example
    ```yaml
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata:
      name: zonal
    provisioner: example.com/portable
    allowedTopologies:
    - matchLabelExpressions:
      - key: topology.kubernetes.io/zone
        values: [us-east-2c]
    ```

    ## Use instead
    ```yaml
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata:
      name: zonal
    provisioner: example.com/portable
    volumeBindingMode: WaitForFirstConsumer
    ```

    ## References
    - https://kubernetes.io/docs/concepts/storage/storage-classes/#allowed-topologies
    """
    if res.kind == "StorageClass":
        for i, term in enumerate(as_list(res.data.get("allowedTopologies"))):
            for j, expr in enumerate(as_list(as_dict(term).get("matchLabelExpressions"))):
                yield from expression_findings(
                    ctx, res, ("allowedTopologies", i, "matchLabelExpressions", j),
                    {**as_dict(expr), "operator": "In"}, f"{label(res)} allowedTopologies")
        return
    required = as_dict(as_dict(res.spec.get("nodeAffinity")).get("required"))
    for i, term in enumerate(as_list(required.get("nodeSelectorTerms"))):
        for j, expr in enumerate(as_list(as_dict(term).get("matchExpressions"))):
            yield from expression_findings(
                ctx, res, ("spec", "nodeAffinity", "required", "nodeSelectorTerms", i, "matchExpressions", j),
                expr, f"{label(res)} node affinity")
