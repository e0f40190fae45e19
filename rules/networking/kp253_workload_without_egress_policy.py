"""KP253 workload-without-egress-policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.assume import DEFAULT_DENY_NETWORK_POLICY
from kportable.findings import Finding, Severity
from kportable.model import Workload, label
from kportable.rule import RuleContext, Target, rule

from ._netpol import EGRESS, isolating, labels_pointer, pod_label_text, uses_host_network


@rule("KP253", "workload-without-egress-policy", Severity.MINOR, target=Target.WORKLOAD, enabled=False)
def workload_without_egress_policy(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a workload whose pods no NetworkPolicy of their namespace selects for egress (a
    selecting policy whose `policyTypes` include `Egress`, written or implied by egress rules).
    Off by default: enable it with `--select KP253` when your baseline locks down egress. Pods on
    the host network are skipped. Quiet with `--assume default-deny-network-policy`.

    ## Why is this bad?
    A pod without an egress policy can reach anything its node can: other namespaces, the cloud
    metadata endpoint (`169.254.169.254` on every cloud, with different credentials behind it),
    and the internet. Clouds differ in what stands in the way by default (VPC firewall rules,
    NAT, Azure NSGs), so the same pod reaches different things on each. An egress policy in the
    manifests keeps the allow-list with the workload.

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: worker-ingress
      namespace: jobs
    spec:
      podSelector:
        matchLabels: {app: worker}
      policyTypes: [Ingress]
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: worker
      namespace: jobs
    spec:
      selector:
        matchLabels: {app: worker}
      template:
        metadata:
          labels: {app: worker}
        spec:
          containers:
          - name: worker
            image: busybox:1.36
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: worker
      namespace: jobs
    spec:
      podSelector:
        matchLabels: {app: worker}
      policyTypes: [Ingress, Egress]
      egress:
      - to:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: kube-system}
          podSelector:
            matchLabels: {k8s-app: kube-dns}
        ports:
        - {protocol: UDP, port: 53}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: worker
      namespace: jobs
    spec:
      selector:
        matchLabels: {app: worker}
      template:
        metadata:
          labels: {app: worker}
        spec:
          containers:
          - name: worker
            image: busybox:1.36
    ```

    ## References
    - https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic
    """
    if DEFAULT_DENY_NETWORK_POLICY in ctx.assume or uses_host_network(w) or isolating(ctx.inventory, w, EGRESS):
        return
    yield ctx.finding(
        w.resource,
        labels_pointer(w),
        f"{label(w)} is not selected by any NetworkPolicy for egress, so its pods can connect anywhere the "
        "node can",
        fix=f"Add a NetworkPolicy in namespace {w.namespace!r} whose podSelector matches {pod_label_text(w)}, "
            "with policyTypes: [Egress] and egress rules for what it calls (DNS first).",
    )
