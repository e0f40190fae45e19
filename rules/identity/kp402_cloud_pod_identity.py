"""KP402 cloud-pod-identity."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Workload, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import map_findings


@rule("KP402", "cloud-pod-identity", Severity.BLOCKER, target=Target.WORKLOAD, clouds=ALL_CLOUDS)
def cloud_pod_identity(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports pod template labels and annotations that make a pod take a cloud identity: the
    Microsoft Entra Workload ID opt-in label `azure.workload.identity/use: "true"`, the deprecated
    AAD Pod Identity label `aadpodidbinding`, the kube2iam/kiam annotation `iam.amazonaws.com/role`,
    IRSA token settings and the EKS Fargate profile selector.

    ## Why is this bad?
    On AKS the Workload ID webhook injects `AZURE_*` variables and a federated token only into pods
    with the label; kube2iam and AAD Pod Identity intercept the node's metadata endpoint. On another
    cloud nothing does any of this, and the application's cloud SDK finds no credentials.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: orders
    spec:
      selector:
        matchLabels: {app: orders}
      template:
        metadata:
          labels:
            app: orders
            azure.workload.identity/use: "true"
        spec:
          serviceAccountName: orders
          containers:
          - name: orders
            image: ghcr.io/example/orders:1.0
    ```

    ## Use instead
    ```yaml
    # base without the label; the AKS overlay adds it next to the ServiceAccount's client id
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: orders
    spec:
      selector:
        matchLabels: {app: orders}
      template:
        metadata:
          labels:
            app: orders
        spec:
          serviceAccountName: orders
          containers:
          - name: orders
            image: ghcr.io/example/orders:1.0
    ```

    ## References
    - https://learn.microsoft.com/azure/aks/workload-identity-overview
    - https://github.com/jtblin/kube2iam
    """
    meta = w.pod_metadata
    for field, noun in (("labels", "label"), ("annotations", "annotation")):
        yield from map_findings(ctx, w.resource, "pod-identity", meta.get(field), w.metadata_pointer(field),
                                f"{label(w)} pod {noun}")
