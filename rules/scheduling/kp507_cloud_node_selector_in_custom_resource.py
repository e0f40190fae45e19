"""KP507 cloud-node-selector-in-custom-resource."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, label, scalar_text
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._custom import find_keys, is_custom
from .._ties import lookup, pair, tie_finding

_SELECTOR_KEYS = frozenset(("nodeSelector", "nodeLabels"))


@rule("KP507", "cloud-node-selector-in-custom-resource", Severity.BLOCKER, target=Target.RESOURCE,
      clouds=ALL_CLOUDS)
def cloud_node_selector_in_custom_resource(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports cloud node labels and cloud values in the `nodeSelector` maps embedded in custom
    resources (the pod templates of a JobSet, MPIJob, RayCluster or LeaderWorkerSet, an operator's
    database pods) and in `nodeLabels` maps (Kueue ResourceFlavors, GKE TPU slice topologies):
    `cloud.google.com/gke-tpu-accelerator`, `eks.amazonaws.com/nodegroup`,
    `kubernetes.azure.com/agentpool`, `node.kubernetes.io/instance-type: m5.large`, ... Built-in
    workload kinds are KP501's.

    ## Why is this bad?
    The controller copies the selector into the pods it creates, so they stay Pending on any cluster
    whose nodes do not carry the label, exactly as if it were written in a Deployment; only the
    path inside the custom resource is different.

    ## Example
    ```yaml
    apiVersion: jobset.x-k8s.io/v1alpha2
    kind: JobSet
    metadata:
      name: train
    spec:
      replicatedJobs:
      - name: workers
        template:
          spec:
            template:
              spec:
                nodeSelector:
                  cloud.google.com/gke-tpu-accelerator: tpu7x
                restartPolicy: Never
                containers:
                - name: jax
                  image: python:3.13
    ```

    ## Use instead
    ```yaml
    apiVersion: jobset.x-k8s.io/v1alpha2
    kind: JobSet
    metadata:
      name: train
    spec:
      replicatedJobs:
      - name: workers
        template:
          spec:
            template:
              spec:
                nodeSelector:
                  example.com/accelerator: tpu
                restartPolicy: Never
                containers:
                - name: jax
                  image: python:3.13
    ```
    """
    if not is_custom(res):
        return
    for pointer, mapping in find_keys(res.data.get("spec"), _SELECTOR_KEYS, ("spec",)):
        if not isinstance(mapping, dict):
            continue
        for key, raw in mapping.items():
            value = scalar_text(raw)
            hit = lookup(ctx, "node-label", key, value)
            if hit is not None:
                yield tie_finding(ctx, res, (*pointer, key), hit,
                                  f"{label(res)} {pointer[-1]} {pair(key, value)} is {hit.first.what}")
