"""KP207 cloud-managed-pod-selector."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import map_findings

ISTIO_GROUP = "networking.istio.io"


@rule("KP207", "cloud-managed-pod-selector", Severity.BLOCKER, target=Target.RESOURCE,
      kinds={"Service", "Gateway"}, clouds=ALL_CLOUDS)
def cloud_managed_pod_selector(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a Service `spec.selector`, or an Istio `Gateway` `spec.selector`, that selects pods a
    managed cloud runs for you: AKS add-on pods (`kubernetes.azure.com/managedby: aks`) or the AKS
    Istio add-on ingress gateway (`istio: aks-istio-ingressgateway-external`).

    ## Why is this bad?
    Those pods exist only on that cloud, so elsewhere the selector matches nothing: the Service has
    no endpoints, the Istio Gateway configures no proxy, and traffic silently goes nowhere.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: bookinfo
    spec:
      selector:
        istio: aks-istio-ingressgateway-external
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*"]
    ```

    ## Use instead
    ```yaml
    # select your own gateway deployment (its labels are set per cloud if needed)
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: bookinfo
    spec:
      selector:
        istio: ingressgateway
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*"]
    ```

    ## References
    - https://learn.microsoft.com/azure/aks/istio-deploy-ingress
    """
    if res.kind == "Gateway" and res.group != ISTIO_GROUP:
        return
    yield from map_findings(ctx, res, "selector", res.spec.get("selector"), ("spec", "selector"),
                            f"{label(res)} selector")
