"""KP606 cloud-namespace-metadata."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, as_dict, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import map_findings


@rule("KP606", "cloud-namespace-metadata", Severity.MINOR, target=Target.RESOURCE,
      kinds={"Namespace"}, clouds=ALL_CLOUDS)
def cloud_namespace_metadata(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports Namespace labels and annotations read only by one cloud's add-ons: the AKS Istio add-on
    revision (`istio.io/rev: asm-1-NN`), kube2iam/kiam allowed roles
    (`iam.amazonaws.com/permitted`), Config Connector project bindings (`cnrm.cloud.google.com/*`),
    and, for information, the AWS Load Balancer Controller readiness gate switch and the Entra
    Workload ID namespace label.

    ## Why is this bad?
    Elsewhere nothing reads them: sidecars are not injected, role restrictions and project
    bindings do not apply. Portable namespace labels (Pod Security Admission, `istio-injection`,
    `app.kubernetes.io/*`) are not reported.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels:
        istio.io/rev: asm-1-24
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels:
        istio-injection: enabled
        pod-security.kubernetes.io/enforce: baseline
    ```
    """
    meta = as_dict(res.data.get("metadata"))
    for where, field, noun in (("namespace-label", "labels", "label"), ("namespace-annotation", "annotations",
                                                                           "annotation")):
        yield from map_findings(ctx, res, where, meta.get(field), ("metadata", field),
                                f"{label(res)} {noun}")
