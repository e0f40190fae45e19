"""KP306 cloud-csi-volume."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import WORKLOAD_KINDS, Resource, as_dict, as_str, label
from kportable.positions import Pointer
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, tie_finding

_STATIC_PV_FIX = ("Keep the PersistentVolume (it names one cloud's disk, bucket or share) in that cloud's overlay, "
                  "and let the base claim storage through a PersistentVolumeClaim.")


@rule("KP306", "cloud-csi-volume", Severity.BLOCKER, target=Target.RESOURCE,
      kinds={"PersistentVolume", *WORKLOAD_KINDS}, clouds=ALL_CLOUDS)
def cloud_csi_volume(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports CSI inline volumes in pod specs and statically provisioned PersistentVolumes whose
    `csi.driver` is a cloud's driver: `s3.csi.aws.com` (Mountpoint for S3),
    `gcsfuse.csi.storage.gke.io` (Cloud Storage FUSE), `secrets-store-gke.csi.k8s.io`,
    `blob.csi.azure.com`, `ebs.csi.aws.com`, `disk.csi.azure.com`, ...

    ## Why is this bad?
    The driver is installed only on that cloud, so the pod cannot start elsewhere (the volume never
    mounts), and the bucket, disk or share it names belongs to one cloud account. The upstream
    Secrets Store driver `secrets-store.csi.k8s.io` is portable and not reported (its provider is,
    see KP604).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: trainer
    spec:
      containers:
      - name: trainer
        image: python:3.13
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: data
        csi:
          driver: gcsfuse.csi.storage.gke.io
          volumeAttributes:
            bucketName: training-data
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: trainer
    spec:
      containers:
      - name: trainer
        image: python:3.13
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: training-data
    ```

    ## References
    - https://kubernetes.io/docs/concepts/storage/ephemeral-volumes/#csi-ephemeral-volumes
    """
    sources: list[tuple[Pointer, object, str]] = []
    if res.kind == "PersistentVolume":
        sources.append((("spec", "csi"), res.spec.get("csi"), label(res)))
    else:
        workload = ctx.inventory.workload_of(res)
        if workload is None:
            return
        for pointer, vol in workload.volumes:
            if "csi" in vol:
                sources.append(((*pointer, "csi"), vol.get("csi"),
                                f"{label(res)} volume {as_str(vol.get('name')) or '?'!r}"))
    # a static PersistentVolume names one cloud's disk or share: the profiles' StorageClass advice does not apply
    fix = _STATIC_PV_FIX if res.kind == "PersistentVolume" else None
    for pointer, csi, subject in sources:
        driver = as_str(as_dict(csi).get("driver"))
        hit = lookup(ctx, "csi-driver", driver) if driver else None
        if driver and hit is not None:
            yield tie_finding(ctx, res, (*pointer, "driver"), hit,
                              f"{subject} CSI driver {driver!r} is {hit.first.what}", fix=fix)
