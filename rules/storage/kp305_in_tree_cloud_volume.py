"""KP305 in-tree-cloud-volume."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import WORKLOAD_KINDS, Resource, as_dict, as_str, label
from kportable.positions import Pointer
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, shown, tie_finding
from ._storage import removal_note

# The field that names the cloud disk or share, per in-tree volume type.
_IDENTIFIERS = ("volumeID", "pdName", "diskURI", "diskName", "shareName", "secretName")


@rule("KP305", "in-tree-cloud-volume", Severity.BLOCKER, target=Target.RESOURCE,
      kinds={"PersistentVolume", *WORKLOAD_KINDS}, clouds=ALL_CLOUDS)
def in_tree_cloud_volume(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports in-tree cloud volume types in pod specs and PersistentVolumes:
    `awsElasticBlockStore`, `gcePersistentDisk`, `azureDisk` and `azureFile`, with the Kubernetes
    version that removed the in-tree plugin and the disk or share they name. This rule owns the
    in-tree volume types a cloud profile ties: KP011 (`removed-volume-plugin`) leaves them to it
    and reports the removed plugins no cloud profile ties (`gitRepo`, `cephfs`, `rbd`, ...).

    ## Why is this bad?
    The in-tree plugins were removed upstream (`awsElasticBlockStore` and `azureDisk` in 1.27,
    `gcePersistentDisk` in 1.28, `azureFile` in 1.30); they still work on their own cloud only
    because CSI migration translates them to the cloud's CSI driver. On any other cluster the
    volume cannot be mounted, and the disk it names lives in one zone of one cloud account anyway.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: data
        awsElasticBlockStore:
          volumeID: vol-0123456789abcdef0
          fsType: ext4
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: web-data
    ```

    ## References
    - https://kubernetes.io/docs/concepts/storage/volumes/
    - https://kubernetes.io/blog/2022/09/26/storage-in-tree-to-csi-migration-status-update-1.25/
    """
    sources: list[tuple[Pointer, dict[str, Any], str]] = []
    if res.kind == "PersistentVolume":
        sources.append((("spec",), res.spec, label(res)))
    else:
        workload = ctx.inventory.workload_of(res)
        if workload is None:
            return
        for pointer, vol in workload.volumes:
            sources.append((pointer, vol, f"{label(res)} volume {as_str(vol.get('name')) or '?'!r}"))
    for pointer, body, subject in sources:
        for key, value in body.items():
            if not isinstance(value, dict):
                continue
            hit = lookup(ctx, "volume-type", key)
            if hit is None:
                continue
            ident = next((as_str(as_dict(value).get(f)) for f in _IDENTIFIERS if as_str(value.get(f))), None)
            names = f" ({shown(ident)})" if ident else ""
            yield tie_finding(ctx, res, (*pointer, key), hit,
                              f"{subject} is {hit.first.what}{names}{removal_note(hit)}")
