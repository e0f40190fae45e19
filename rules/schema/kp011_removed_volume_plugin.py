"""KP011 removed-volume-plugin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.k8s_versions import IntreeVolumeRemoval, KubeVersion, intree_provisioner_removal, intree_volume_removal
from kportable.model import WORKLOAD_KINDS, Resource, as_str, label
from kportable.positions import Pointer
from kportable.rule import RuleContext, Target, rule

from .._ties import lookup
from ._versions import run_version


@rule("KP011", "removed-volume-plugin", Severity.BLOCKER, target=Target.RESOURCE, category="schema",
      kinds={*WORKLOAD_KINDS, "PersistentVolume", "StorageClass"})
def removed_volume_plugin(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a volume that needs an in-tree plugin Kubernetes removed or deprecated.
    It checks pod volumes, PersistentVolumes and StorageClass provisioners against the target
    version (`--k8s-version`): `gitRepo`
    (off from 1.33, gone in 1.36), `cephfs` and `rbd` (1.31), `glusterfs`, `cinder`, and the
    cloud disks `awsElasticBlockStore`, `azureDisk`, `gcePersistentDisk`, `azureFile`
    (1.27-1.30).

    One finding per volume: a plugin or provisioner that a cloud profile ties to its cloud (the
    cloud disks and `kubernetes.io/aws-ebs`, `kubernetes.io/gce-pd`, `kubernetes.io/azure-disk`,
    `kubernetes.io/azure-file` with the built-in profiles) is reported by the storage rules
    instead, as a cloud tie that names the removal: KP305 (`in-tree-cloud-volume`) for volumes,
    KP301 (`cloud-storage-provisioner`) for provisioners. Such a volume still mounts on its own
    cloud through CSI migration and nowhere else, which a tie scores and a removal cannot.
    This rule reports the in-tree plugins no profile ties.

    ## Why is this bad?
    Without the plugin the kubelet cannot mount the volume and the pod stays in
    `ContainerCreating`. The cloud disk types still mount only through CSI migration, which
    needs that cloud's CSI driver: on any other cloud, or a cluster without the driver, the
    pod never starts.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: docs
    spec:
      containers:
      - name: web
        image: nginx:1.27
        volumeMounts:
        - {name: site, mountPath: /usr/share/nginx/html}
      volumes:
      - name: site
        gitRepo:
          repository: https://github.com/example/site.git
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: docs
    spec:
      initContainers:
      - name: clone
        image: alpine/git:2.45.2
        args: [clone, --depth=1, "https://github.com/example/site.git", /site]
        volumeMounts:
        - {name: site, mountPath: /site}
      containers:
      - name: web
        image: nginx:1.27
        volumeMounts:
        - {name: site, mountPath: /usr/share/nginx/html}
      volumes:
      - name: site
        emptyDir: {}
    ```

    ## References
    - https://kubernetes.io/docs/concepts/storage/volumes/
    - https://github.com/kubernetes/enhancements/issues/5040
    - https://kubernetes.io/blog/2021/12/10/storage-in-tree-to-csi-migration-status-update/
    """
    version = run_version(ctx)
    if res.kind == "StorageClass":
        provisioner = as_str(res.get("provisioner"))
        removal = intree_provisioner_removal(provisioner) if provisioner else None
        if removal is not None and lookup(ctx, "storage-provisioner", provisioner or "") is None:  # else KP301
            yield from _report(ctx, res, ("provisioner",), f"{label(res)} provisions with the in-tree "
                               f"{provisioner} plugin", removal, version)
        return
    if res.kind == "PersistentVolume":
        for key in res.spec:
            removal = intree_volume_removal(key)
            if removal is not None and not _cloud_volume(ctx, key):
                yield from _report(ctx, res, ("spec", key), f"{label(res)} uses the in-tree "
                                   f"{key} plugin", removal, version)
        return
    workload = ctx.inventory.workload_of(res)
    if workload is None:
        return
    for pointer, volume in workload.volumes:
        name = as_str(volume.get("name")) or str(pointer[-1])
        for key in volume:
            removal = intree_volume_removal(key)
            if removal is not None and isinstance(volume.get(key), dict) and not _cloud_volume(ctx, key):
                yield from _report(ctx, res, (*pointer, key), f"volume {name!r} of {label(res)} uses "
                                   f"the in-tree {key} plugin", removal, version)


def _cloud_volume(ctx: RuleContext[Any], key: str) -> bool:
    """True when a cloud profile ties volume type ``key``: KP305 reports it, as a tie that names the removal."""
    return lookup(ctx, "volume-type", key) is not None


def _report(
    ctx: RuleContext[Any], res: Resource, pointer: Pointer, subject: str, removal: IntreeVolumeRemoval,
    version: KubeVersion,
) -> Iterator[Finding]:
    unusable = removal.unusable_in
    if unusable <= version:
        if removal.disabled_in is not None and removal.disabled_in <= version < removal.removed_in:
            when = f"off by default since Kubernetes {removal.disabled_in} and removed in {removal.removed_in}"
        else:
            when = f"removed in Kubernetes {removal.removed_in}"
        if removal.migrated:
            yield ctx.finding(
                res, pointer,
                f"{subject}, {when}; it works only through CSI migration to {removal.csi_driver}",
                fix=f"Use {removal.replacement}.", severity=Severity.MAJOR,
            )
        else:
            yield ctx.finding(res, pointer, f"{subject}, {when}; nothing can mount it",
                              fix=f"Use {removal.replacement}.")
        return
    if removal.deprecated_in is not None and removal.deprecated_in <= version:
        yield ctx.finding(
            res, pointer,
            f"{subject}, deprecated since Kubernetes {removal.deprecated_in} and unusable from {unusable}",
            fix=f"Use {removal.replacement}.", severity=Severity.MINOR,
        )
