"""KP703 pdb-selects-nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.inventory import Inventory
from kportable.model import DEFAULT_NAMESPACE, label
from kportable.rule import RuleContext, Target, rule

from .._scope import OperatorPods, describe_selector, near_miss
from ._budgets import is_pdb


@rule("KP703", "pdb-selects-nothing", Severity.INFO, target=Target.INVENTORY)
def pdb_selects_nothing(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a PodDisruptionBudget that selects no pods. That is one without a `selector`, with an
    invalid one, with an empty selector under `policy/v1beta1` (where `{}` matched nothing; in
    `policy/v1` it matches every pod of the namespace), or whose selector matches no workload of
    its namespace in the bundle. The last case is judged only when the namespace holds workloads
    in the bundle (`--context` files included); pods an operator makes from a custom resource
    that carries the labels count as selected.

    ## Why is this bad?
    A budget that selects nothing protects nothing: the workload it was written for has no
    disruption budget at all, and node drains during upgrades on any cloud may take all its
    replicas down together. Usually it is a label typo or a namespace mismatch.

    ## Example
    ```yaml
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: frontend-pdb
    spec:
      minAvailable: 2
      selector:
        matchLabels: {app: fronted}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: frontend
    spec:
      replicas: 3
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
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: frontend-pdb
    spec:
      minAvailable: 2
      selector:
        matchLabels: {app: frontend}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: frontend
    spec:
      replicas: 3
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
    for pdb in inventory.of_kind("PodDisruptionBudget"):
        if pdb.context or not is_pdb(pdb):
            continue
        namespace = pdb.namespace or DEFAULT_NAMESPACE
        raw = pdb.spec.get("selector")
        selector = Inventory.selector_of(pdb)
        reason = ""
        if raw is None:
            reason = "it has no selector"
        elif selector.problems:
            reason = f"its selector is invalid ({'; '.join(selector.problems)})"
        elif selector.matches_nothing:
            reason = f"an empty selector matches no pod in {pdb.api_version} (use policy/v1)"
        elif (
            selector.is_empty
            or not inventory.has_workloads(namespace)
            or inventory.selected_workloads(pdb)
            or operators.matching(namespace, selector) is not None
        ):
            continue
        else:
            reason = (
                f"no pod template in namespace {namespace!r} has labels {describe_selector(raw)}"
                f"{near_miss(inventory, namespace, selector)}"
            )
        yield ctx.finding(
            pdb,
            ("spec", "selector"),
            f"{label(pdb)} selects no pods: {reason}",
            fix="Set spec.selector to the pod template labels of the workload the budget protects (usually "
                "the workload's own spec.selector), in the same namespace.",
        )
