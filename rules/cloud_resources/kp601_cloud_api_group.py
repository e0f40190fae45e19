"""KP601 cloud-api-group."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, as_str, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, tie_finding
from ._related import related_workloads

CRD_GROUP = "apiextensions.k8s.io"


@rule("KP601", "cloud-api-group", Severity.BLOCKER, target=Target.RESOURCE, clouds=ALL_CLOUDS)
def cloud_api_group(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports objects of a cloud's API groups: AWS controllers (`elbv2.k8s.aws` TargetGroupBinding,
    `vpcresources.k8s.aws` SecurityGroupPolicy, `karpenter.k8s.aws` EC2NodeClass, ACK
    `*.services.k8s.aws`, `crd.k8s.amazonaws.com` ENIConfig, eksctl `ClusterConfig`), GKE
    (`cloud.google.com` BackendConfig and ComputeClass, `networking.gke.io` ManagedCertificate and
    FrontendConfig, Config Connector `*.cnrm.cloud.google.com`, Managed Prometheus), Azure
    (`aadpodidentity.k8s.io`, `alb.networking.azure.io`, Azure Service Operator `*.azure.com`,
    KAITO `kaito.sh`, `azmonitoring.coreos.com`), Karpenter (EKS and AKS only) and Crossplane
    cloud providers; and CustomResourceDefinitions that define such groups. The message names the
    workloads the object serves (through its label selector, its `serviceRef`, or a Service or
    Ingress annotation that names it), and the finding counts against them in the scores.

    ## Why is this bad?
    The CRD exists only where that cloud's controller is installed: elsewhere `kubectl apply`
    rejects the object (`no matches for kind`), and even with the CRD nothing would act on it,
    since the object describes that cloud's infrastructure. Objects of portable add-ons (cert-manager,
    Prometheus Operator, External Secrets, Gateway API) are not reported.

    ## Example
    ```yaml
    apiVersion: elbv2.k8s.aws/v1beta1
    kind: TargetGroupBinding
    metadata:
      name: web
    spec:
      serviceRef:
        name: web
        port: 80
      targetGroupARN: arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/abc
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      type: LoadBalancer
      selector: {app: web}
      ports:
      - port: 80
    ```

    ## References
    - https://kubernetes.io/docs/concepts/extend-kubernetes/api-extension/custom-resources/
    """
    group = res.group
    if res.kind == "CustomResourceDefinition" and group == CRD_GROUP:
        defined = as_str(res.spec.get("group"))
        hit = lookup(ctx, "api-group", defined) if defined else None
        if defined and hit is not None:
            yield tie_finding(ctx, res, ("spec", "group"), hit,
                              f"{label(res)} defines API group {defined!r}: "
                              f"{hit.first.what}")
        return
    if "." not in group:  # the core group and the built-in groups without a domain (apps, batch, ...)
        return
    hit = lookup(ctx, "api-group", group)
    if hit is not None:
        users = related_workloads(ctx, res)
        serves = f"; serves {', '.join(label(r) for r in users[:3])}" if users else ""
        more = f" and {len(users) - 3} more" if len(users) > 3 else ""
        yield tie_finding(ctx, res, ("apiVersion",), hit,
                          f"{label(res)} ({res.api_version}) is {hit.first.what}{serves}{more}",
                          related=users)
