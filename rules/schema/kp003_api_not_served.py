"""KP003 api-not-served."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, label
from kportable.rule import RuleContext, Target, rule
from kportable.validate import Status


@rule("KP003", "api-not-served", Severity.BLOCKER, target=Target.RESOURCE, category="schema")
def api_not_served(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a built-in kind or apiVersion the target Kubernetes version does not serve. It
    covers the Kubernetes API groups (`apps`, `batch`, `networking.k8s.io`, the core group, ...):
    a misspelt kind, an alpha or beta version that was dropped, or a version that only newer
    releases serve. API versions in the upstream removal guide are reported by KP008 instead.

    ## Why is this bad?
    The API server answers `no matches for kind` and the object is never created. Managed
    clouds run different minor versions and never enable alpha APIs, so a manifest written
    against one cluster's API (or a newer one) fails on another.

    ## Example
    ```yaml
    apiVersion: batch/v2
    kind: CronJob
    metadata:
      name: nightly
    spec:
      schedule: "0 3 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
              - name: run
                image: busybox:1.36
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: nightly
    spec:
      schedule: "0 3 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
              - name: run
                image: busybox:1.36
    ```

    ## References
    - https://kubernetes.io/docs/reference/using-api/#api-versioning
    - https://kubernetes.io/docs/reference/using-api/deprecation-policy/
    """
    catalog = ctx.schemas
    if catalog is None:
        return
    found = catalog.lookup(res.api_version, res.kind)
    if found.status is not Status.NOT_SERVED:
        return
    version = catalog.version
    group = res.group or "core"
    if found.served_as:
        served = ", ".join(found.served_as)
        later = f" (served from Kubernetes {found.served_from})" if found.served_from else ""
        yield ctx.finding(
            res, ("apiVersion",),
            f"{res.api_version} {label(res)} is not served by Kubernetes {version}{later}; it serves {res.kind} "
            f"as {served}",
            fix=f"Use apiVersion {found.served_as[0]} and check the fields that changed between the versions.",
        )
        return
    if found.served_from:
        yield ctx.finding(
            res, ("apiVersion",),
            f"{res.api_version} {label(res)} is not served by Kubernetes {version}; Kubernetes {found.served_from} "
            "and later serve it",
            fix=f"Target Kubernetes {found.served_from} or later (--k8s-version), or leave this object out for "
                "older clusters.",
        )
        return
    guesses = difflib.get_close_matches(res.kind, found.known_kinds, n=1, cutoff=0.8)
    hint = f" (did you mean `{guesses[0]}`?)" if guesses else ""
    yield ctx.finding(
        res, ("kind",),
        f"{label(res)}: the {group} API group has no kind `{res.kind}` in Kubernetes {version}{hint}",
        fix=f"Rename the kind to `{guesses[0]}`." if guesses else
            "Use a kind this API group serves, or the API group of the CRD that defines this kind.",
    )
