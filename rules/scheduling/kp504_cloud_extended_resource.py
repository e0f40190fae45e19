"""KP504 cloud-extended-resource."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Workload, as_dict, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, tie_finding


@rule("KP504", "cloud-extended-resource", Severity.BLOCKER, target=Target.WORKLOAD, clouds=ALL_CLOUDS)
def cloud_extended_resource(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports containers that request or limit a device only one cloud's nodes advertise: Cloud TPUs
    (`google.com/tpu`), AWS Inferentia/Trainium (`aws.amazon.com/neuron*`), the Elastic Fabric
    Adapter (`vpc.amazonaws.com/efa`) and security groups for pods (`vpc.amazonaws.com/pod-eni`).

    ## Why is this bad?
    No node of another cloud has the resource, so the scheduler can never place the pod: it stays
    Pending. `nvidia.com/gpu` is advertised on every cloud with NVIDIA GPUs and is not reported.

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: train
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: train
            image: python:3.13
            resources:
              requests: {google.com/tpu: "4"}
              limits: {google.com/tpu: "4"}
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: train
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: train
            image: python:3.13
            resources:
              limits: {nvidia.com/gpu: "1"}
    ```
    """
    for c in w.containers:
        resources = c.resources
        for section in ("requests", "limits"):
            for name in as_dict(resources.get(section)):
                hit = lookup(ctx, "extended-resource", name)
                if hit is not None:
                    yield tie_finding(ctx, w.resource, (*c.pointer, "resources", section, name), hit,
                                      f"container {c.name!r} of {label(w)} {section} {name!r}, "
                                      f"{hit.first.what}")
