"""KP252 workload-without-network-policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.assume import DEFAULT_DENY_NETWORK_POLICY
from kportable.findings import Finding, Severity
from kportable.model import Workload, label
from kportable.rule import RuleContext, Target, rule

from ._netpol import INGRESS, isolating, labels_pointer, pod_label_text, uses_host_network


@rule("KP252", "workload-without-network-policy", Severity.MINOR, target=Target.WORKLOAD)
def workload_without_network_policy(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a workload whose pods no NetworkPolicy of their namespace selects for ingress
    (a policy whose `podSelector` matches the pod labels and whose `policyTypes`, written or
    defaulted, include `Ingress`). A default-deny policy with `podSelector: {}` selects every
    pod. Pods on the host network are skipped: NetworkPolicy does not apply to them. Quiet with
    `--assume default-deny-network-policy`.

    ## Why is this bad?
    A pod that no policy selects accepts connections from every pod of the cluster. On the cloud
    the manifests came from, a firewall rule or a security group for pods may have closed it; on
    the next cloud nothing does. A NetworkPolicy states who may connect in the manifests
    themselves, and every managed cloud enforces it once network policy is enabled. Minor, like
    KP251: the workload runs, but its exposure differs from cluster to cluster.

    ## Known problems
    Policies from `--context` files count, so a partial run sees the whole namespace. Calico and
    Cilium policy kinds are not read.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: shop
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
          - name: api
            image: nginx:1.27
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: api-from-frontend
      namespace: shop
    spec:
      podSelector:
        matchLabels: {app: api}
      policyTypes: [Ingress]
      ingress:
      - from:
        - podSelector:
            matchLabels: {app: frontend}
        ports:
        - {protocol: TCP, port: 8080}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: shop
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
          - name: api
            image: nginx:1.27
    ```

    ## References
    - https://kubernetes.io/docs/concepts/services-networking/network-policies/
    """
    if DEFAULT_DENY_NETWORK_POLICY in ctx.assume or uses_host_network(w) or isolating(ctx.inventory, w, INGRESS):
        return
    yield ctx.finding(
        w.resource,
        labels_pointer(w),
        f"{label(w)} is not selected by any NetworkPolicy for ingress, so every pod in the cluster can "
        "connect to it",
        fix=f"Add a default-deny NetworkPolicy to namespace {w.namespace!r}, and a policy whose podSelector "
            f"matches {pod_label_text(w)} and allows only the clients it needs.",
    )
