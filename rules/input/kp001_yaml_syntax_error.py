"""KP001 yaml-syntax-error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.load import YAML_SYNTAX
from kportable.rule import RuleContext, Target, rule

from ._problems import problem_findings


@rule("KP001", "yaml-syntax-error", Severity.BLOCKER, target=Target.INVENTORY)
def yaml_syntax_error(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a file that is not valid YAML (or JSON), at the line and column where the parser
    stopped.

    ## Why is this bad?
    `kubectl apply` rejects the whole file on every cluster, so nothing in it is deployed.
    kportable still lints the documents before the error and every other file, but nothing
    after the error in this file is checked.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      template:
        spec:
          containers:
          - name: web
            image: nginx:1.27
           resources: {}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: web
    data:
      greeting: hello
    ```

    ## Known problems
    A Helm chart's raw `templates/*.yaml` files are Go templates, not YAML: lint the output
    of `helm template` instead of the templates themselves.
    """
    yield from problem_findings(
        ctx,
        YAML_SYNTAX,
        fix="Fix the indentation or quoting at this position; "
        "`kubectl apply --dry-run=client -f FILE` shows the same error.",
    )
