"""KP307 cloud-storage-class-in-custom-resource."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._custom import find_keys, is_custom
from ._storage import class_reference, reference_finding

_CLASS_KEYS = frozenset(("storageClassName", "storageClass"))


@rule("KP307", "cloud-storage-class-in-custom-resource", Severity.MAJOR, target=Target.RESOURCE,
      clouds=ALL_CLOUDS)
def cloud_storage_class_in_custom_resource(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a `storageClassName` (or `storageClass`, as CloudNativePG writes it) anywhere inside a
    custom resource (an operator's database, cache or queue cluster: `RedisFailover`, `Cluster`,
    `Kafka`, ...) that names a cloud's
    built-in StorageClass or a cloud StorageClass of the same bundle. Built-in Kubernetes kinds
    are left to KP304.

    ## Why is this bad?
    The operator copies the class name into the PersistentVolumeClaims it creates, so the claims
    stay Pending on another cloud exactly as if the name were written in a PVC, but the dependency
    is hidden inside the custom resource.

    ## Example
    ```yaml
    apiVersion: databases.spotahome.com/v1
    kind: RedisFailover
    metadata:
      name: cache
    spec:
      redis:
        storage:
          persistentVolumeClaim:
            spec:
              storageClassName: premium-rwo
              accessModes: [ReadWriteOnce]
              resources:
                requests: {storage: 1Gi}
    ```

    ## Use instead
    ```yaml
    apiVersion: databases.spotahome.com/v1
    kind: RedisFailover
    metadata:
      name: cache
    spec:
      redis:
        storage:
          persistentVolumeClaim:
            spec:
              accessModes: [ReadWriteOnce]
              resources:
                requests: {storage: 1Gi}
    ```
    """
    if not is_custom(res):
        return
    for pointer, raw in find_keys(res.data.get("spec"), _CLASS_KEYS, ("spec",)):
        name = raw.strip() if isinstance(raw, str) else ""
        ref = class_reference(ctx, name) if name else None
        if ref is not None:
            yield reference_finding(ctx, res, pointer, ref,
                                    f"{label(res)} {pointer[-1]} {name!r} is {ref.what}")
