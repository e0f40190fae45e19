"""KP021 inline-suppression-disallowed (reported by the suppression stage, ``kportable.suppress``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.rule import RuleContext, Target, rule

from ._stage import reported_by_suppression_stage


@rule("KP021", "inline-suppression-disallowed", Severity.MINOR, target=Target.INVENTORY, category="suppression")
def inline_suppression_disallowed(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a `kportable.io/ignore` annotation or a `# kportable: ignore[...]` comment when the
    configuration sets `allow-inline-suppressions: false`. The suppression is ignored: the
    findings it names count.

    ## Why is this bad?
    A platform team that forbids in-file suppressions wants every accepted finding in one
    reviewed place, the configuration's `exemptions`, each with a reason and an expiry date.
    A suppression in a manifest would otherwise hide a cloud tie from that review.

    ## Example
    ```yaml
    # .kportable.yaml
    allow-inline-suppressions: false
    ```
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: batch
      annotations:
        kportable.io/ignore: "missing-cpu-request"
    spec:
      containers:
      - name: batch
        image: busybox:1.36
    ```

    ## Use instead
    ```yaml
    # .kportable.yaml
    allow-inline-suppressions: false
    exemptions:
      - rule: missing-cpu-request
        kind: Pod
        name: batch
        reason: "best-effort batch pod by design; OPS-77"
        expires: 2099-12-31
    ```
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: batch
    spec:
      containers:
      - name: batch
        image: busybox:1.36
    ```
    """
    return reported_by_suppression_stage()
