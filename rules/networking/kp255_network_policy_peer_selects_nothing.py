"""KP255 network-policy-peer-selects-nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import DEFAULT_NAMESPACE, label
from kportable.rule import RuleContext, Target, rule
from kportable.selectors import parse_label_selector

from .._scope import OperatorPods, describe_selector, near_miss
from ._netpol import is_network_policy, peers, pinned_namespaces


@rule("KP255", "network-policy-peer-selects-nothing", Severity.INFO, target=Target.INVENTORY)
def network_policy_peer_selects_nothing(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a `from`/`to` peer of a NetworkPolicy rule that matches no workload in the bundle.
    Its `podSelector` is matched in the policy's namespace when the peer has no
    `namespaceSelector`, or in the namespaces its `namespaceSelector` pins by name
    (`kubernetes.io/metadata.name`). It speaks
    only when every namespace in question holds workloads in the bundle (including `--context`
    files); a `namespaceSelector` on other labels may match namespaces the bundle does not
    describe, so such peers are not judged. Empty selectors and `ipBlock` peers are skipped.

    ## Why is this bad?
    A peer that matches nothing allows nothing: the traffic the rule was written for is dropped
    by the default-deny, and the workload fails on every cluster that enforces network policy,
    typically only after moving to one that does. Most often it is a typo in a label value.

    ## Known problems
    Pods made by an operator from a custom resource count when that resource carries the labels;
    pods created outside the bundle do not. The finding counts against the workloads the policy
    selects, whose allowed traffic it breaks.

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: api
    spec:
      podSelector:
        matchLabels: {app: api}
      ingress:
      - from:
        - podSelector:
            matchLabels: {app: frontnd}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: frontend
    spec:
      selector:
        matchLabels: {app: frontend}
      template:
        metadata:
          labels: {app: frontend}
        spec:
          containers:
          - name: frontend
            image: nginx:1.27
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: api
    spec:
      podSelector:
        matchLabels: {app: api}
      ingress:
      - from:
        - podSelector:
            matchLabels: {app: frontend}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: frontend
    spec:
      selector:
        matchLabels: {app: frontend}
      template:
        metadata:
          labels: {app: frontend}
        spec:
          containers:
          - name: frontend
            image: nginx:1.27
    ```
    """
    inventory = ctx.inventory
    operators = OperatorPods(inventory)
    for policy in inventory.of_kind("NetworkPolicy"):
        if policy.context or not is_network_policy(policy):
            continue
        home = policy.namespace or DEFAULT_NAMESPACE
        for peer in peers(policy):
            if peer.pod_selector is None:
                continue
            selector = parse_label_selector(peer.pod_selector)
            pointer = (*peer.pointer, "podSelector")
            if selector.problems:
                yield ctx.finding(
                    policy, pointer,
                    f"{peer.where} of {label(policy)} has an invalid podSelector "
                    f"({'; '.join(selector.problems)}), so it matches no pod",
                    fix="Fix the podSelector so that it matches the labels of the pods this rule is for.",
                )
                continue
            if selector.is_empty:
                continue
            namespaces = (
                frozenset((home,)) if peer.namespace_selector is None else pinned_namespaces(peer.namespace_selector)
            )
            if not namespaces or any(not inventory.has_workloads(ns) for ns in namespaces):
                continue
            if any(inventory.select(ns, selector) or operators.matching(ns, selector) for ns in namespaces):
                continue
            where = ", ".join(repr(ns) for ns in sorted(namespaces))
            hint = "".join(near_miss(inventory, ns, selector) for ns in sorted(namespaces))
            yield ctx.finding(
                policy, pointer,
                f"{peer.where} of {label(policy)} names pods labelled {describe_selector(peer.pod_selector)}, "
                f"but no workload in namespace {where} has those labels{hint}",
                fix="Correct the peer's podSelector (and namespaceSelector) to the labels of the pods that "
                    "must be allowed.",
                related=tuple(w.ref for w in inventory.selected_workloads(policy) if not w.resource.context),
            )
