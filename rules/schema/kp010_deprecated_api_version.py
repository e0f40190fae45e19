"""KP010 deprecated-api-version."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Effect, Finding, Severity
from kportable.k8s_versions import api_deprecation, api_removal
from kportable.model import Resource, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from ._versions import rejected_by, run_version


@rule("KP010", "deprecated-api-version", Severity.MINOR, target=Target.RESOURCE, category="schema",
      clouds=ALL_CLOUDS)
def deprecated_api_version(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports an `apiVersion` the target Kubernetes version still serves but has deprecated.
    Either a later release removes it (the message names that release and the target clouds
    whose supported versions already include it), or the API server warns about it with no
    removal scheduled (`v1` Endpoints since 1.33).

    ## Why is this bad?
    The manifest applies today and breaks on the next upgrade, and managed clouds upgrade on
    their own schedules (EKS and AKS end standard support after 12-14 months, GKE upgrades
    clusters automatically). A cloud whose supported versions include the removal release
    rejects the object; one that is still older accepts it.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Endpoints
    metadata:
      name: legacy-db
    subsets:
    - addresses:
      - ip: 10.0.0.12
      ports:
      - port: 5432
    ```

    ## Use instead
    ```yaml
    apiVersion: discovery.k8s.io/v1
    kind: EndpointSlice
    metadata:
      name: legacy-db-1
      labels:
        kubernetes.io/service-name: legacy-db
    addressType: IPv4
    endpoints:
    - addresses: ["10.0.0.12"]
    ports:
    - port: 5432
    ```

    ## References
    - https://kubernetes.io/docs/reference/using-api/deprecation-guide/
    - https://kubernetes.io/blog/2025/04/24/endpoints-deprecation/
    """
    version = run_version(ctx)
    removal = api_removal(res.api_version, res.kind)
    if removal is not None and removal.removed_in > version:
        clouds, rejected = rejected_by(ctx, removal.removed_in)
        instead = f"; use {removal.replacement}" if removal.replacement else " with no replacement"
        yield ctx.finding(
            res, ("apiVersion",),
            f"{res.api_version} {label(res)} is deprecated: Kubernetes {version} still serves it but "
            f"{removal.removed_in} removes it{instead}{rejected}",
            fix=f"Change apiVersion to {removal.replacement} before upgrading to {removal.removed_in}."
            if removal.replacement else f"{removal.note}.",
            clouds=clouds,
            effect=Effect.ADAPTATION if clouds else None,
        )
        return
    deprecation = api_deprecation(res.api_version, res.kind)
    if deprecation is not None and deprecation.deprecated_in <= version:
        note = f" ({deprecation.note})" if deprecation.note else ""
        yield ctx.finding(
            res, ("apiVersion",),
            f"{res.api_version} {label(res)} is deprecated since Kubernetes {deprecation.deprecated_in}; "
            f"use {deprecation.replacement}{note}",
            fix=deprecation.fix,
        )
