"""KP106 workload-exceeds-resource-quota."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Workload, label
from kportable.quantity import format_quantity
from kportable.rule import RuleContext, Target, rule

from .._scope import replication
from ._admission import Admission, pod_usage, quota_resource, reported_by_namespace
from ._resources import checked_containers


@rule("KP106", "workload-exceeds-resource-quota", Severity.BLOCKER, target=Target.INVENTORY)
def workload_exceeds_resource_quota(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a workload that does not fit a ResourceQuota of its namespace. Quotas count when
    their scopes and scope selectors cover the pods: one pod whose requests or limits (summed over
    its containers, LimitRange defaults included) exceed the quota's `hard` value, or a quota of
    `pods: 0`, is a blocker; replicas that together need more than the quota allows are major
    (only some of them start). Quotas from `--context` files count.

    ## Why is this bad?
    ResourceQuota admission refuses any pod that would take the namespace over its quota. A pod
    bigger than the whole quota never starts; replicas beyond it stay pending creation, and a
    Deployment's rollout stalls. Quotas are set per cluster and per team, so the same workload
    fits on one cluster and not on the next.

    ## Known problems
    Only this workload is counted: other workloads of the namespace use the same quota, and a
    rolling update needs room for surge pods too. Workloads without a replica count
    (DaemonSets, Jobs) are checked per pod only.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ResourceQuota
    metadata:
      name: team-quota
    spec:
      hard:
        requests.cpu: "2"
        requests.memory: 4Gi
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: trainer
    spec:
      selector:
        matchLabels: {app: trainer}
      template:
        metadata:
          labels: {app: trainer}
        spec:
          containers:
          - name: trainer
            image: python:3.12-slim
            resources:
              requests: {cpu: "4", memory: 2Gi}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ResourceQuota
    metadata:
      name: team-quota
    spec:
      hard:
        requests.cpu: "8"
        requests.memory: 4Gi
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: trainer
    spec:
      selector:
        matchLabels: {app: trainer}
      template:
        metadata:
          labels: {app: trainer}
        spec:
          containers:
          - name: trainer
            image: python:3.12-slim
            resources:
              requests: {cpu: "4", memory: 2Gi}
    ```

    ## References
    - https://kubernetes.io/docs/concepts/policy/resource-quotas/
    """
    for admission, workloads in reported_by_namespace(ctx.inventory, kind="ResourceQuota"):
        for w in workloads:
            yield from _check(w, admission, ctx)


def _check(w: Workload, admission: Admission, ctx: RuleContext[Any]) -> Iterator[Finding]:
    effective = [admission.effective(c) for c in checked_containers(w)]
    quotas = admission.applicable_quotas(w, effective)
    if not quotas:
        return
    usage = pod_usage(w, effective)
    counted = replication(ctx.inventory, w)
    replicas = counted.count if counted is not None else 1
    pointer = w.spec_pointer("containers")
    for quota in quotas:
        where = label(quota)
        for key, hard in admission.hard[quota]:
            if key == "pods":
                if hard.value < 1:
                    yield ctx.finding(
                        w.resource, pointer, f"{where} allows {hard} pods, so the API server rejects every pod of "
                        f"{label(w)}", fix=f"Raise pods in {where}, or run the workload elsewhere.")
                elif replicas > hard.value:
                    yield ctx.finding(
                        w.resource, pointer, f"{label(w)} runs {replicas} pods but {where} allows {hard}: only "
                        f"{math.floor(hard.value)} can start", fix=f"Raise pods in {where}, or run fewer replicas.",
                        severity=Severity.MAJOR)
                continue
            counts = quota_resource(key)
            one = usage.get(counts) if counts is not None else None
            if counts is None or one is None or one <= 0:
                continue
            section, resource = counts
            verb, verbs = ("requests", "request") if section == "requests" else ("has limits of", "have limits of")
            if one > hard.value:
                yield ctx.finding(
                    w.resource, pointer,
                    f"one pod of {label(w)} {verb} {format_quantity(one)} {resource}, more than the {hard} "
                    f"({key}) that {where} allows: the API server rejects every pod",
                    fix=f"Lower the pod's {section}.{resource} below {hard}, or raise {key} in the quota.",
                )
            elif replicas > 1 and one * replicas > hard.value:
                fit = math.floor(hard.value / one)
                yield ctx.finding(
                    w.resource, pointer,
                    f"the {replicas} pods of {label(w)} {verbs} {format_quantity(one * replicas)} {resource} "
                    f"together, more than the {hard} ({key}) that {where} allows: only {fit} can start",
                    fix=f"Raise {key} in the quota to at least {format_quantity(one * replicas)}, or run fewer "
                        "replicas.",
                    severity=Severity.MAJOR,
                )
