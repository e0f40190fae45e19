"""KP603 cloud-registry-image."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Workload, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, shown, tie_finding


@rule("KP603", "cloud-registry-image", Severity.MAJOR, target=Target.WORKLOAD, clouds=ALL_CLOUDS)
def cloud_registry_image(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports container images hosted in a cloud's registry. Private registries (Amazon ECR
    `<account>.dkr.ecr.<region>.amazonaws.com`, Google Artifact Registry `*-docker.pkg.dev` and
    `gcr.io`, Azure Container Registry `*.azurecr.io`) are a major adaptation; public ones that
    pull from anywhere (`public.ecr.aws`, `mcr.microsoft.com`, `mirror.gcr.io`, public Google
    repositories such as `us-docker.pkg.dev/google-samples`) are informational and cost nothing.

    ## Why is this bad?
    A private cloud registry authenticates pulls with the cloud's own identity: EKS nodes pull from
    ECR with their IAM role, GKE nodes from Artifact Registry with their service account, AKS nodes
    from ACR with the kubelet identity. On another cloud the pod sits in `ImagePullBackOff` until the
    image is replicated or a pull secret is set up (and ECR tokens expire after 12 hours).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
          - name: api
            image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/shop/api:1.4.2
    ```

    ## Use instead
    ```yaml
    # a registry every target cluster can pull from (or one replica per cloud, set by overlays)
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
          - name: api
            image: ghcr.io/example/shop-api:1.4.2
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
    - https://cloud.google.com/artifact-registry/docs/docker/pushing-and-pulling
    - https://learn.microsoft.com/azure/aks/cluster-container-registry-integration
    """
    for c in w.containers:
        image = c.image
        hit = lookup(ctx, "image", image) if image else None
        if image and hit is not None:
            kind = "init container" if c.is_init else "container"
            yield tie_finding(ctx, w.resource, (*c.pointer, "image"), hit,
                              f"{kind} {c.name!r} of {label(w)} image {shown(image)!r} is {hit.first.what}")
