"""KP031 kustomize-build-error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.render.kustomize import BUILD_ERROR
from kportable.rule import RuleContext, Target, rule

from ._problems import problem_findings


@rule("KP031", "kustomize-build-error", Severity.BLOCKER, target=Target.INVENTORY)
def kustomize_build_error(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a kustomization that could not be built, with kustomize's own message: a missing
    file, a patch whose target does not exist, a field kustomize rejects. Also reports a
    `resources`, `bases` or `components` entry that is remote (`github.com/...`, `https://...`):
    kportable never uses the network, so it neither fetches nor builds such a kustomization.

    ## Why is this bad?
    `kubectl apply -k` fails the same way on every cluster, so nothing the kustomization
    describes is deployed. And nothing it describes was linted either: a clean report would say
    nothing about it. For a remote base, build where the network is allowed and pipe the output:
    `kubectl kustomize overlays/prod | kportable lint -`.

    ## Example
    ```yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
    - github.com/kubernetes-sigs/metrics-server/manifests/base?ref=v0.7.2
    - deployment.yaml
    ```

    ## Use instead
    ```yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
    - ../../base
    - deployment.yaml
    ```

    ## Known problems
    A build failure is reported on line 1 of the kustomization that was built: kustomize's
    message names the file at fault. Build errors need a build, so they appear only when
    kportable builds (the default for directories; not with `--no-build`); remote entries are
    found in any kustomization file kportable reads.

    ## References
    - https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/
    """
    yield from problem_findings(
        ctx,
        BUILD_ERROR,
        fix="Run `kubectl kustomize DIR` to see the error and fix the kustomization; for a remote base, "
        "build where the network is allowed and pipe: kubectl kustomize DIR | kportable lint -",
    )
