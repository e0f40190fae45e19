"""KP307 cloud-storage-class-in-custom-resource."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource
from kportable.positions import Pointer
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from ._storage import class_reference, reference_finding

MAX_DEPTH = 12
_NOT_CUSTOM = ("", "apiextensions.k8s.io")


@rule("KP307", "cloud-storage-class-in-custom-resource", Severity.MAJOR, target=Target.RESOURCE,
      clouds=ALL_CLOUDS)
def cloud_storage_class_in_custom_resource(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a `storageClassName` anywhere inside a custom resource (an operator's database,
    cache or queue cluster: `RedisFailover`, `Cluster`, `Kafka`, ...) that names a cloud's
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
    group = res.group
    if group in _NOT_CUSTOM or "." not in group or group.endswith(".k8s.io"):
        return
    spec = res.data.get("spec")
    if not isinstance(spec, dict | list):
        return
    for pointer, name in _class_names(spec, ("spec",), 0):
        ref = class_reference(ctx, name.strip())
        if ref is not None:
            yield reference_finding(ctx, res, pointer, ref,
                                    f"{res.kind} {res.name!r} storageClassName {name.strip()!r} is {ref.what}")


def _class_names(node: object, pointer: Pointer, depth: int) -> Iterator[tuple[Pointer, str]]:
    """Every string ``storageClassName`` under ``node`` (bounded depth, document order)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "storageClassName" and isinstance(value, str):
                yield (*pointer, key), value
            elif isinstance(value, dict | list):
                yield from _class_names(value, (*pointer, key), depth + 1)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if isinstance(value, dict | list):
                yield from _class_names(value, (*pointer, i), depth + 1)
