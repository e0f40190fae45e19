"""KP605 cloud-addon-configmap."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, tie_finding

KUBE_SYSTEM = "kube-system"


@rule("KP605", "cloud-addon-configmap", Severity.MINOR, target=Target.RESOURCE,
      kinds={"ConfigMap"}, clouds=ALL_CLOUDS)
def cloud_addon_configmap(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports ConfigMaps in `kube-system` that configure one cloud's cluster add-on: EKS's
    `aws-auth` (IAM-to-Kubernetes identity mapping), AKS's `coredns-custom`, GKE's `kube-dns`
    stub domains. Only the object's name and namespace are read, never its data.

    ## Why is this bad?
    Elsewhere the add-on that reads the ConfigMap does not exist, so the configuration silently does
    nothing (no IAM mapping, no custom DNS). On EKS itself, shipping `aws-auth` with an application
    replaces the mappings EKS wrote for its nodes and can lock everyone out of the cluster.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: coredns-custom
      namespace: kube-system
    data:
      example.server: |
        example.com:53 {
          forward . 10.0.0.10
        }
    ```

    ## Use instead
    ```yaml
    # application configuration lives in the application's namespace
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: shop-settings
      namespace: shop
    data:
      LOG_LEVEL: info
    ```
    """
    if res.namespace != KUBE_SYSTEM:
        return
    hit = lookup(ctx, "kube-system-configmap", res.name)
    if hit is not None:
        yield tie_finding(ctx, res, ("metadata", "name"), hit,
                          f"{label(res)} is {hit.first.what}")
