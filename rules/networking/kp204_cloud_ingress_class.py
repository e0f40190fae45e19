"""KP204 cloud-ingress-class."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, as_dict, as_str, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, tie_finding

CLASS_ANNOTATION = "kubernetes.io/ingress.class"


@rule("KP204", "cloud-ingress-class", Severity.BLOCKER, target=Target.RESOURCE,
      kinds={"Ingress", "IngressClass"}, clouds=ALL_CLOUDS)
def cloud_ingress_class(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports an Ingress whose class (`spec.ingressClassName` or the legacy
    `kubernetes.io/ingress.class` annotation) is a cloud's managed ingress controller (`alb`,
    `gce`, `gce-internal`, `webapprouting.kubernetes.azure.com`, `azure/application-gateway`,
    `azure-alb-external`), or an IngressClass of the same bundle whose `spec.controller` is one
    (`ingress.k8s.aws/alb`, ...). IngressClass objects with a cloud controller are reported too.

    ## Why is this bad?
    No controller on another cloud serves that class, so the Ingress gets no address and no traffic;
    nothing fails loudly. An Ingress with no class at all uses the cluster's default class and is
    portable. Note that GKE Ingress must be selected with the deprecated annotation (it cannot be
    chosen through `ingressClassName`), so do not "fix" `gce` by rewriting it.

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: shop
    spec:
      ingressClassName: alb
      rules:
      - http:
          paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: shop, port: {number: 80}}
    ```

    ## Use instead
    ```yaml
    # Gateway API: routes stay portable, the Gateway's class is set per cloud
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: shop
    spec:
      parentRefs:
      - name: public
      rules:
      - backendRefs:
        - name: shop
          port: 80
    ```

    ## References
    - https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class
    - https://cloud.google.com/kubernetes-engine/docs/concepts/ingress
    - https://learn.microsoft.com/azure/aks/app-routing
    """
    if res.kind == "IngressClass":
        controller = as_str(res.spec.get("controller"))
        hit = lookup(ctx, "ingress-controller", controller) if controller else None
        if controller and hit is not None:
            yield tie_finding(ctx, res, ("spec", "controller"), hit,
                              f"{label(res)} controller {controller!r} is {hit.first.what}")
        return
    annotations = as_dict(as_dict(res.data.get("metadata")).get("annotations"))
    for pointer, value in (
        (("spec", "ingressClassName"), as_str(res.spec.get("ingressClassName"))),
        (("metadata", "annotations", CLASS_ANNOTATION), as_str(annotations.get(CLASS_ANNOTATION))),
    ):
        if not value:
            continue
        where = "ingressClassName" if pointer[0] == "spec" else f"annotation {CLASS_ANNOTATION!r}"
        hit = lookup(ctx, "ingress-class", value)
        if hit is not None:
            yield tie_finding(ctx, res, pointer, hit, f"{label(res)} {where} {value!r} is {hit.first.what}")
            continue
        bundled = ctx.inventory.get("IngressClass", None, value)
        controller = as_str(bundled.spec.get("controller")) if bundled is not None else None
        hit = lookup(ctx, "ingress-controller", controller) if controller else None
        if hit is not None:
            yield tie_finding(ctx, res, pointer, hit,
                              f"{label(res)} {where} {value!r} is an IngressClass of this bundle "
                              f"served by {hit.first.what} ({controller})")
