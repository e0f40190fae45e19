"""KP020 expired-exemption (reported by the suppression stage, ``kportable.suppress``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.rule import RuleContext, Target, rule

from ._stage import reported_by_suppression_stage


@rule("KP020", "expired-exemption", Severity.MINOR, target=Target.INVENTORY, category="suppression")
def expired_exemption(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a configuration exemption whose `expires` date has passed, at its line in the
    configuration file. The exemption no longer applies, so the findings it covered count again.

    ## Why is this bad?
    An exemption is a debt with a due date: "this Deployment may keep its cloud-specific
    storage class until the migration in June". When the date passes silently, either the debt
    is forgotten or the build breaks on findings nobody remembers accepting. This finding says
    which exemption ran out and why it was granted.

    ## Example
    ```yaml
    # .kportable.yaml
    exemptions:
      - rule: KP101
        kind: Deployment
        name: "legacy-*"
        reason: "sized by the vendor; tracked in OPS-123"
        expires: 2024-06-30
    ```
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
    ```

    ## Use instead
    ```yaml
    # .kportable.yaml
    exemptions:
      - rule: KP101
        kind: Deployment
        name: "legacy-*"
        reason: "sized by the vendor; renewed until the migration, OPS-456"
        expires: 2099-12-31
    ```
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
    ```
    """
    return reported_by_suppression_stage()
