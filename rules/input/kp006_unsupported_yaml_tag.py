"""KP006 unsupported-yaml-tag."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.load import UNSUPPORTED_TAG
from kportable.rule import RuleContext, Target, rule

from ._problems import problem_findings


@rule("KP006", "unsupported-yaml-tag", Severity.MAJOR, target=Target.INVENTORY)
def unsupported_yaml_tag(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports an explicit YAML tag that is not a plain YAML type (`!!python/object`, `!Ref`,
    `!!binary` aside). kportable never constructs objects from tags: the value is read as
    plain data.

    ## Why is this bad?
    Kubernetes manifests are JSON-compatible data. A language-specific tag is either an
    attempt at code execution in unsafe loaders or a CloudFormation-style template that
    `kubectl` cannot apply on any cluster.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: exploit
    data:
      run: !!python/object/apply:os.system ["id"]
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: config
    data:
      run: "id"
    ```
    """
    yield from problem_findings(ctx, UNSUPPORTED_TAG, fix="Remove the tag and write the value as plain YAML.")
