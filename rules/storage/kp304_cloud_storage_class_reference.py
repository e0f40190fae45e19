"""KP304 cloud-storage-class-reference."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.inventory import storage_class_request
from kportable.model import WORKLOAD_KINDS, Resource, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from ._storage import class_reference, reference_finding


@rule("KP304", "cloud-storage-class-reference", Severity.MAJOR, target=Target.RESOURCE,
      kinds={"PersistentVolumeClaim", *WORKLOAD_KINDS}, clouds=ALL_CLOUDS)
def cloud_storage_class_reference(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a PersistentVolumeClaim, a StatefulSet `volumeClaimTemplate` or a generic ephemeral
    volume whose `storageClassName` (or legacy `volume.beta.kubernetes.io/storage-class`
    annotation) names a cloud's built-in class (`gp2`, `gp3`, `standard-rwo`, `premium-rwo`,
    `managed-csi`, `azurefile-csi`, ...) or a StorageClass of the same bundle that uses a cloud
    provisioner.

    ## Why is this bad?
    Class names are per-cloud values: no class called `premium-rwo` exists on EKS or AKS, so the
    claim stays Pending and the pod with it. An omitted `storageClassName` uses the cluster's default
    class and is portable, as is a neutral name that every cluster defines; neither is reported.
    A class of the bundle decides by its provisioner, so a bundle that defines its own `gp3` on a
    portable provisioner is not reported either.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
    spec:
      serviceName: db
      selector:
        matchLabels: {app: db}
      template:
        metadata:
          labels: {app: db}
        spec:
          containers:
          - name: db
            image: postgres:17
      volumeClaimTemplates:
      - metadata:
          name: data
        spec:
          storageClassName: premium-rwo
          accessModes: [ReadWriteOnce]
          resources:
            requests: {storage: 20Gi}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 20Gi}
    ```

    ## References
    - https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
    """
    if res.kind == "PersistentVolumeClaim":
        name, pointer = storage_class_request(res.data, ())
        if name and pointer is not None:
            ref = class_reference(ctx, name)
            if ref is not None:
                yield reference_finding(ctx, res, pointer, ref,
                                        f"{label(res)} storage class {name!r} is {ref.what}")
        return
    workload = ctx.inventory.workload_of(res)
    if workload is None:
        return
    for use in ctx.inventory.claims_of(workload):
        # Claims by name are reported on the PersistentVolumeClaim object itself.
        if use.source == "persistentVolumeClaim" or not use.storage_class or use.storage_class_pointer is None:
            continue
        ref = class_reference(ctx, use.storage_class)
        if ref is not None:
            kind = "volumeClaimTemplate" if use.source == "volumeClaimTemplate" else "ephemeral volume"
            yield reference_finding(ctx, res, use.storage_class_pointer, ref,
                                    f"{label(res)} {kind} {use.name!r} storage class "
                                    f"{use.storage_class!r} is {ref.what}")
