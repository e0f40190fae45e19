"""KP206 cloud-gateway-annotation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.inventory import GATEWAY_GROUP
from kportable.model import Resource, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import map_findings


@rule("KP206", "cloud-gateway-annotation", Severity.MINOR, target=Target.RESOURCE,
      kinds={"Gateway"}, clouds=ALL_CLOUDS)
def cloud_gateway_annotation(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports annotations of a Gateway API `Gateway` that only one cloud's gateway controller reads,
    such as the Application Gateway for Containers association
    (`alb.networking.azure.io/alb-name`, `alb-namespace`, `alb-id`), `networking.gke.io/*`
    certificate maps, or AKS Key Vault certificate keys.

    ## Why is this bad?
    Other controllers ignore them: the Gateway loses its association with a provisioned load
    balancer or its certificates. Portable keys such as `cert-manager.io/issuer` are not reported.

    ## Example
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
      annotations:
        alb.networking.azure.io/alb-name: alb-test
        alb.networking.azure.io/alb-namespace: alb-infra
    spec:
      gatewayClassName: public-gateway
      listeners:
      - name: http
        protocol: HTTP
        port: 80
    ```

    ## Use instead
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
      annotations:
        cert-manager.io/issuer: letsencrypt
    spec:
      gatewayClassName: public-gateway
      listeners:
      - name: http
        protocol: HTTP
        port: 80
    ```

    ## References
    - https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-create-application-gateway-for-containers-managed-by-alb-controller
    """
    if res.group != GATEWAY_GROUP:
        return
    meta = res.data.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    yield from map_findings(ctx, res, "gateway-annotation", annotations, ("metadata", "annotations"),
                            f"{label(res)} annotation")
