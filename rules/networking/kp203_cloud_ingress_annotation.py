"""KP203 cloud-ingress-annotation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import map_findings

# The class annotation is the subject of KP204, which knows which values are cloud controllers.
_CLASS_ANNOTATION = frozenset({"kubernetes.io/ingress.class"})


@rule("KP203", "cloud-ingress-annotation", Severity.MINOR, target=Target.RESOURCE,
      kinds={"Ingress"}, clouds=ALL_CLOUDS)
def cloud_ingress_annotation(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports Ingress annotations that only one cloud's ingress controller reads: the AWS Load
    Balancer Controller's `alb.ingress.kubernetes.io/*`, GKE Ingress keys
    (`kubernetes.io/ingress.global-static-ip-name`, `networking.gke.io/managed-certificates`,
    `networking.gke.io/v1beta1.FrontendConfig`, `ingress.gcp.kubernetes.io/*`), AGIC's
    `appgw.ingress.kubernetes.io/*` and the AKS app routing Key Vault certificate keys. The
    message quotes the value, so certificate ARNs, Cognito pools and static IP names are named.

    ## Why is this bad?
    Every other controller ignores these keys: the Ingress still routes, but loses its scheme,
    listeners, certificates, WAF, authentication, static address or HTTPS redirect, usually without
    any error. Certificate and static-address annotations are major: elsewhere the Ingress serves
    no certificate or changes address. Portable keys (`external-dns.alpha.kubernetes.io/*`,
    `cert-manager.io/*`) and the class annotation (see KP204) are not reported here.

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: shop
      annotations:
        alb.ingress.kubernetes.io/scheme: internet-facing
        kubernetes.io/ingress.global-static-ip-name: shop-ip
    spec:
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
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: shop
      annotations:
        cert-manager.io/cluster-issuer: letsencrypt
        external-dns.alpha.kubernetes.io/hostname: shop.example.com
    spec:
      tls:
      - hosts: [shop.example.com]
        secretName: shop-tls
      rules:
      - host: shop.example.com
        http:
          paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: shop, port: {number: 80}}
    ```

    ## References
    - https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/
    - https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration
    - https://learn.microsoft.com/azure/application-gateway/ingress-controller-annotations
    """
    meta = res.data.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    yield from map_findings(ctx, res, "ingress-annotation", annotations, ("metadata", "annotations"),
                            f"{label(res)} annotation", skip=_CLASS_ANNOTATION)
