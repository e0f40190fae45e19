"""KP009 unknown-suppression (reported by the suppression stage, ``kportable.suppress``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.rule import RuleContext, Target, rule

from ._stage import reported_by_suppression_stage


@rule("KP009", "unknown-suppression", Severity.MINOR, target=Target.INVENTORY, category="suppression")
def unknown_suppression(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a `kportable.io/ignore` annotation or a `# kportable: ignore[...]` comment that names
    a rule no installed plugin provides, or a `# kportable:` comment that does not parse.

    ## Why is this bad?
    A misspelt rule id suppresses nothing: the finding it was meant to silence still fails the
    build, and a reviewer reading the manifest believes it was accepted on purpose. A rule id of
    a plugin that is not installed in CI means that plugin's checks do not run there at all.

    ## Known problems
    The comment form is found by text, so a block scalar (a script in a ConfigMap) that contains
    `# kportable:` is read as a suppression comment too.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      annotations:
        kportable.io/ignore: "KP999"
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      annotations:
        kportable.io/ignore: "KP101"
        kportable.io/ignore-reason: "rendered by the vendor chart"
    ```
    """
    return reported_by_suppression_stage()
