"""KP251 namespace-without-default-deny."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kportable.assume import DEFAULT_DENY_NETWORK_POLICY
from kportable.findings import Finding, Severity
from kportable.rule import RuleContext, Target, rule

from .._scope import namespace_anchor, namespace_related, workload_names
from ._netpol import EGRESS, INGRESS, default_deny


@dataclass(frozen=True, slots=True)
class DefaultDenyOptions:
    egress: bool = False


@rule("KP251", "namespace-without-default-deny", Severity.MINOR, target=Target.INVENTORY,
      options=DefaultDenyOptions)
def namespace_without_default_deny(ctx: RuleContext[DefaultDenyOptions]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a namespace that holds workloads but has no default-deny NetworkPolicy. A default-deny
    is a policy with `podSelector: {}` whose `policyTypes` include `Ingress` and that lists no
    ingress rule.
    With the `egress` option, a default-deny for egress is required too. The finding sits on the
    Namespace object when the bundle has one, else on the namespace's first workload, and counts
    against every workload of the namespace. Quiet with `--assume default-deny-network-policy`.

    ## Why is this bad?
    Without a default-deny, every pod of the namespace accepts traffic from every pod of the
    cluster, and any workload added later is open too. Whether that matters depends on the
    cluster: some teams isolate with cloud firewalls or security groups (AWS security groups for
    pods, GCP firewall rules, Azure NSGs), which do not move with the manifests. A default-deny
    NetworkPolicy is the one portable way to say "closed unless allowed", and it is enforced on
    every managed cloud once network policy enforcement is on (Dataplane V2 or Calico on GKE,
    the VPC CNI network policy agent on EKS, Azure NPM, Calico or Cilium on AKS).
    The severity is minor, not major: the workload runs the same everywhere, what changes is who
    can reach it, and the fix is one small object per namespace.

    ## Known problems
    Policies from other APIs (Calico `projectcalico.org`, `CiliumNetworkPolicy`) are not read:
    they only work with that CNI. A namespace whose workloads run on the host network is still
    reported, although NetworkPolicy does not reach those pods.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: web
            image: nginx:1.27
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: default-deny
      namespace: shop
    spec:
      podSelector: {}
      policyTypes: [Ingress, Egress]
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: web
            image: nginx:1.27
    ```

    ## Options
    - `egress`: also require a default-deny for egress (`policyTypes: [Egress]` and no egress
      rule). Off by default: locking down egress is a choice, not a baseline.

    ## References
    - https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies
    """
    if DEFAULT_DENY_NETWORK_POLICY in ctx.assume:
        return
    inventory = ctx.inventory
    directions = (INGRESS, EGRESS) if ctx.options.egress else (INGRESS,)
    for namespace in inventory.namespaces_with_workloads:
        missing = [d.lower() for d in directions if default_deny(inventory, namespace, d) is None]
        anchor = namespace_anchor(inventory, namespace)
        if not missing or anchor is None:
            continue
        resource, pointer = anchor
        workloads = [w for w in inventory.workloads_in(namespace) if not w.resource.context]
        types = ", ".join(d for d in directions if d.lower() in missing)
        yield ctx.finding(
            resource,
            pointer,
            f"namespace {namespace!r} runs {workload_names(workloads)} but has no default-deny "
            f"NetworkPolicy for {' and '.join(missing)}",
            fix=f"Add a NetworkPolicy to namespace {namespace!r} with podSelector: {{}}, policyTypes: [{types}] "
                "and no rules, then allow the traffic each workload needs with narrower policies.",
            related=namespace_related(inventory, namespace),
        )
