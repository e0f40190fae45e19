"""KP201 cloud-load-balancer-annotation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import map_findings


@rule("KP201", "cloud-load-balancer-annotation", Severity.MINOR, target=Target.RESOURCE,
      kinds={"Service"}, clouds=ALL_CLOUDS)
def cloud_load_balancer_annotation(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports Service annotations that only one cloud's load balancer controller reads:
    `service.beta.kubernetes.io/aws-load-balancer-*`, `service.beta.kubernetes.io/azure-*`,
    the AKS `service.beta.kubernetes.io/port_<n>_*` keys, `networking.gke.io/*`,
    `cloud.google.com/neg`, `cloud.google.com/backend-config` and the other keys listed in the
    cloud profiles. Each finding names the annotation and its value (certificate ARNs, static IP
    names).

    ## Why is this bad?
    Another cloud ignores the annotation, so the Service still gets a load balancer but silently
    loses what the annotation asked for. The worst case is an internal load balancer
    (`aws-load-balancer-scheme: internal`, `azure-load-balancer-internal: "true"`,
    `networking.gke.io/load-balancer-type: Internal`): dropped, it becomes internet-facing, so those
    are reported as major. TLS certificates (ACM ARNs), reserved IP names, security policies and
    health checks disappear the same way. A plain `type: LoadBalancer` Service and generic keys
    such as `service.beta.kubernetes.io/load-balancer-source-ranges` are portable and not reported.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      annotations:
        service.beta.kubernetes.io/aws-load-balancer-scheme: internal
        service.beta.kubernetes.io/aws-load-balancer-ssl-cert: arn:aws:acm:us-east-1:111122223333:certificate/abc
    spec:
      type: LoadBalancer
      selector: {app: web}
      ports:
      - port: 443
        targetPort: 8080
    ```

    ## Use instead
    ```yaml
    # base: a plain LoadBalancer; per-cloud exposure and TLS live in overlays
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      annotations:
        external-dns.alpha.kubernetes.io/hostname: web.example.com
    spec:
      type: LoadBalancer
      loadBalancerSourceRanges: [10.0.0.0/8]
      selector: {app: web}
      ports:
      - port: 80
        targetPort: 8080
    ```

    ## References
    - https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
    - https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters
    - https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/
    """
    meta = res.data.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    yield from map_findings(ctx, res, "service-annotation", annotations, ("metadata", "annotations"),
                            f"{label(res)} annotation")
