"""KP302 cloud-storage-parameter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, as_dict, label, scalar_text
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup_in, pair, tie_finding
from ._storage import provisioner_hit


@rule("KP302", "cloud-storage-parameter", Severity.MINOR, target=Target.RESOURCE,
      kinds={"StorageClass"}, clouds=ALL_CLOUDS)
def cloud_storage_parameter(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports the `parameters` of a cloud StorageClass that only its cloud's driver understands:
    EBS `type`, `iops`, `iopsPerGB`, `encrypted`, `kmsKeyId`; EFS `fileSystemId`; Persistent Disk
    `type: pd-ssd`, `replication-type`; Filestore `tier`, `network`; Azure `skuName`,
    `cachingMode`, `resourceGroup`; in-tree `zone`/`zones`. Parameters are read against the profile
    of the cloud the provisioner belongs to, since a key like `type` means different things to
    different drivers.

    ## Why is this bad?
    The parameters encode one cloud's disk types, performance tiers, encryption keys and network
    names. Moving the class to another cloud is not a matter of changing the provisioner: each
    parameter needs its own equivalent (or has none). `csi.storage.k8s.io/fstype` is portable and
    not reported.

    ## Example
    ```yaml
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata:
      name: regional
    provisioner: pd.csi.storage.gke.io
    parameters:
      type: pd-ssd
      replication-type: regional-pd
    ```

    ## Use instead
    ```yaml
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata:
      name: local
    provisioner: rancher.io/local-path
    parameters:
      csi.storage.k8s.io/fstype: ext4
    volumeBindingMode: WaitForFirstConsumer
    ```

    ## References
    - https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/parameters.md
    - https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/gce-pd-csi-driver
    - https://github.com/kubernetes-sigs/azuredisk-csi-driver/blob/master/docs/driver-parameters.md
    """
    parameters = as_dict(res.data.get("parameters"))
    if not parameters:
        return
    _, owner = provisioner_hit(ctx, res)
    if owner is None:
        return
    for key, raw in parameters.items():
        value = scalar_text(raw)
        hit = lookup_in(ctx, owner.clouds, "storage-parameter", key, value)
        if hit is not None:
            yield tie_finding(ctx, res, ("parameters", key), hit,
                              f"{label(res)} parameter {pair(key, value)} is {hit.first.what}")
