"""KP008 removed-api-version."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Effect, Finding, Severity
from kportable.k8s_versions import api_removal
from kportable.model import Resource, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from ._versions import rejected_by, run_version


@rule("KP008", "removed-api-version", Severity.BLOCKER, target=Target.RESOURCE, category="schema",
      clouds=ALL_CLOUDS)
def removed_api_version(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports an `apiVersion` that Kubernetes removed at or before the target version.
    That includes `extensions/v1beta1` Ingress, `policy/v1beta1` PodDisruptionBudget and
    PodSecurityPolicy, `batch/v1beta1` CronJob, `autoscaling/v2beta2` HorizontalPodAutoscaler,
    the `flowcontrol.apiserver.k8s.io` betas and every other API in the upstream removal
    guide. The message names the release that removed it, the apiVersion to use instead, and
    the target clouds whose supported versions (from their profiles) reject it.

    ## Why is this bad?
    The API server answers `no matches for kind` and nothing is created. Each managed cloud
    retires old minor versions on its own schedule, so a manifest that still applies on one
    cloud's extended-support cluster is rejected by another cloud's current one.

    ## Example
    ```yaml
    apiVersion: policy/v1beta1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      minAvailable: 1
      selector:
        matchLabels: {app: web}
    ```

    ## Use instead
    ```yaml
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      minAvailable: 1
      selector:
        matchLabels: {app: web}
    ```

    ## References
    - https://kubernetes.io/docs/reference/using-api/deprecation-guide/
    - https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
    - https://cloud.google.com/kubernetes-engine/docs/deprecations
    - https://learn.microsoft.com/azure/aks/supported-kubernetes-versions
    """
    removal = api_removal(res.api_version, res.kind)
    if removal is None or removal.removed_in > run_version(ctx):
        return
    clouds, rejected = rejected_by(ctx, removal.removed_in)
    removed = f"{res.api_version} {label(res)} was removed in Kubernetes {removal.removed_in}"
    if removal.replacement:
        note = f" ({removal.note})" if removal.note else ""
        message = f"{removed}; use {removal.replacement}{rejected}"
        fix = f"Change apiVersion to {removal.replacement}{note}."
    else:
        message = f"{removed} with no replacement{rejected}"
        fix = f"{removal.note}."
    yield ctx.finding(res, ("apiVersion",), message, fix=fix, clouds=clouds,
                      effect=Effect.BLOCKER if clouds else None)
