"""KP602 cloud-pod-metadata."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Workload, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import map_findings


@rule("KP602", "cloud-pod-metadata", Severity.MINOR, target=Target.WORKLOAD, clouds=ALL_CLOUDS)
def cloud_pod_metadata(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports pod template annotations and labels that configure a cloud feature (identity ones are
    KP402): GKE accelerator settings (`cloud.google.com/gke-tpu-slice-topology`), Cloud Storage
    FUSE sidecar settings (`gke-gcsfuse/*`), GKE multi-network interfaces (`networking.gke.io/*`),
    the AKS static egress gateway, AKS Istio add-on revisions (`istio.io/rev: asm-1-NN`) and
    platform-written noise such as `autopilot.gke.io/*`.

    ## Why is this bad?
    Other clouds ignore these keys, so the feature they turn on (a TPU slice, a bucket mount, a
    second network interface, a fixed egress IP, sidecar injection) silently does not happen, and
    the pod behaves differently or fails later.

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: train
    spec:
      template:
        metadata:
          annotations:
            gke-gcsfuse/volumes: "true"
        spec:
          restartPolicy: Never
          containers:
          - name: train
            image: python:3.13
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: train
    spec:
      template:
        metadata:
          annotations:
            prometheus.io/scrape: "true"
        spec:
          restartPolicy: Never
          containers:
          - name: train
            image: python:3.13
    ```
    """
    meta = w.pod_metadata
    for where, field, noun in (("pod-annotation", "annotations", "annotation"), ("pod-label", "labels", "label")):
        yield from map_findings(ctx, w.resource, where, meta.get(field), w.metadata_pointer(field),
                                f"{label(w)} pod {noun}")
