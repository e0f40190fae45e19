"""KP301 cloud-storage-provisioner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, as_str, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, tie_finding
from ._storage import provisioner_hit, removal_note

# The driver field of the classes that, like StorageClass, name a storage driver.
_DRIVER_FIELDS = {"VolumeSnapshotClass": "driver", "VolumeAttributesClass": "driverName"}


@rule("KP301", "cloud-storage-provisioner", Severity.BLOCKER, target=Target.RESOURCE,
      kinds={"StorageClass", *_DRIVER_FIELDS}, clouds=ALL_CLOUDS)
def cloud_storage_provisioner(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a StorageClass whose `provisioner` is a cloud's storage driver: CSI drivers
    (`ebs.csi.aws.com`, `efs.csi.aws.com`, `pd.csi.storage.gke.io`, `filestore.csi.storage.gke.io`,
    `disk.csi.azure.com`, `file.csi.azure.com`, ...) and the in-tree provisioners
    (`kubernetes.io/aws-ebs`, `kubernetes.io/gce-pd`, `kubernetes.io/azure-disk`), naming the
    Kubernetes version that removed the in-tree code. VolumeSnapshotClass `driver` and
    VolumeAttributesClass `driverName` fields that name a cloud driver are reported the same way.
    An in-tree provisioner a profile ties is reported here only: KP011 (`removed-volume-plugin`)
    leaves it to this rule and reports the in-tree provisioners no cloud profile ties.

    ## Why is this bad?
    The driver exists only on that cloud, so every claim of the class stays Pending elsewhere.
    StorageClasses are cluster infrastructure: shipping them in an application bundle ties the
    bundle to one cloud, where a neutral class name defined by each cluster (or the cluster
    default) would work everywhere.

    ## Example
    ```yaml
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata:
      name: fast
    provisioner: ebs.csi.aws.com
    parameters:
      type: gp3
    volumeBindingMode: WaitForFirstConsumer
    ```

    ## Use instead
    ```yaml
    # the application only names a neutral class that every cluster defines
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: data
    spec:
      storageClassName: fast-rwo
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 10Gi}
    ```

    ## References
    - https://kubernetes.io/docs/concepts/storage/storage-classes/
    - https://kubernetes.io/docs/concepts/storage/volumes/
    """
    if res.kind in _DRIVER_FIELDS:
        field = _DRIVER_FIELDS[res.kind]
        driver = as_str(res.data.get(field))
        found = lookup(ctx, "csi-driver", driver) or lookup(ctx, "storage-provisioner", driver) if driver else None
        if driver and found is not None:
            # the profiles' fixes speak of StorageClasses; a snapshot or attributes class is shipped the same way
            yield tie_finding(ctx, res, (field,), found,
                              f"{label(res)} {field} {driver!r} is {found.first.what}",
                              fix=f"Ship the {res.kind} in a per-cloud overlay (one name, each cloud's CSI "
                                  "driver) and refer to it by that name from the base.")
        return
    provisioner, hit = provisioner_hit(ctx, res)
    if hit is not None:
        yield tie_finding(
            ctx, res, ("provisioner",), hit,
            f"{label(res)} provisioner {provisioner!r} is {hit.first.what}{removal_note(hit)}",
        )
