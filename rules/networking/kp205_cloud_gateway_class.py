"""KP205 cloud-gateway-class."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.inventory import GATEWAY_GROUP
from kportable.model import Resource, as_str, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, tie_finding


@rule("KP205", "cloud-gateway-class", Severity.BLOCKER, target=Target.RESOURCE,
      kinds={"Gateway", "GatewayClass"}, clouds=ALL_CLOUDS)
def cloud_gateway_class(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a Gateway API `Gateway` whose `spec.gatewayClassName` is a cloud's managed gateway
    (`gke-l7-global-external-managed`, `azure-alb-external`, `approuting-istio`,
    `amazon-vpc-lattice`, ...) or a GatewayClass of the same bundle whose `spec.controllerName` is
    a cloud controller, and GatewayClass objects with a cloud controller (`gateway.k8s.aws/alb`,
    `networking.gke.io/gateway`, `alb.networking.azure.io/alb-controller`).

    ## Why is this bad?
    No controller on another cloud accepts the class, so the Gateway is never programmed and every
    route attached to it is dead. The Gateway API itself is the portable choice: keep HTTPRoutes in
    the base and set the Gateway's class per cloud. The class `istio` is not reported, since any
    cluster with upstream Istio has it.

    ## Example
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      gatewayClassName: gke-l7-global-external-managed
      listeners:
      - name: http
        protocol: HTTP
        port: 80
    ```

    ## Use instead
    ```yaml
    # the class name is set per cloud by an overlay (kustomize replacement or Helm value)
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      gatewayClassName: public-gateway
      listeners:
      - name: http
        protocol: HTTP
        port: 80
    ```

    ## References
    - https://gateway-api.sigs.k8s.io/api-types/gatewayclass/
    - https://cloud.google.com/kubernetes-engine/docs/how-to/gatewayclass-capabilities
    """
    if res.group != GATEWAY_GROUP:
        return
    if res.kind == "GatewayClass":
        controller = as_str(res.spec.get("controllerName"))
        hit = lookup(ctx, "gateway-controller", controller) if controller else None
        if controller and hit is not None:
            yield tie_finding(ctx, res, ("spec", "controllerName"), hit,
                              f"{label(res)} controllerName {controller!r} is {hit.first.what}")
        return
    name = as_str(res.spec.get("gatewayClassName"))
    if not name:
        return
    hit = lookup(ctx, "gateway-class", name)
    if hit is not None:
        yield tie_finding(ctx, res, ("spec", "gatewayClassName"), hit,
                          f"{label(res)} gatewayClassName {name!r} is {hit.first.what}")
        return
    bundled = ctx.inventory.get("GatewayClass", None, name)
    controller = as_str(bundled.spec.get("controllerName")) if bundled is not None else None
    hit = lookup(ctx, "gateway-controller", controller) if controller else None
    if hit is not None:
        yield tie_finding(ctx, res, ("spec", "gatewayClassName"), hit,
                          f"{label(res)} gatewayClassName {name!r} is a GatewayClass of this bundle "
                          f"served by {hit.first.what} ({controller})")
