"""KP004 duplicate-key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.load import DUPLICATE_KEY
from kportable.rule import RuleContext, Target, rule

from ._problems import problem_findings


@rule("KP004", "duplicate-key", Severity.MAJOR, target=Target.INVENTORY)
def duplicate_key(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a mapping key that appears twice in the same mapping, at the second occurrence.

    ## Why is this bad?
    Kubernetes tooling keeps the *last* value (or, with strict decoding, rejects the object),
    while a person reading the file sees the first. The manifest does something other than
    what its reviewers approved, and different tools disagree about it.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      type: ClusterIP
      ports:
      - port: 80
      type: LoadBalancer
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      type: ClusterIP
      ports:
      - port: 80
    ```
    """
    yield from problem_findings(ctx, DUPLICATE_KEY, fix="Remove one of the two keys; keep the value you mean.")
