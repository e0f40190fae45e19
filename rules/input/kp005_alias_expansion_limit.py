"""KP005 alias-expansion-limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.load import ALIAS_LIMIT
from kportable.rule import RuleContext, Target, rule

from ._problems import problem_findings


@rule("KP005", "alias-expansion-limit", Severity.BLOCKER, target=Target.INVENTORY)
def alias_expansion_limit(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a document whose YAML aliases expand beyond two million nodes ("billion laughs"),
    or an anchor that refers to itself. The document is not linted.

    ## Why is this bad?
    Such a document exhausts the memory of the API server's clients and of every tool that
    expands it; the Kubernetes API server rejects alias-heavy YAML to protect itself. It is
    either an attack or a generator bug, and it will not apply anywhere.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: lol
    data:
      a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
      b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
      c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
      d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
      e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
      f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
      g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
      h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: defaults
    data:
      base: &base "lol"
      copy: *base
    ```
    """
    yield from problem_findings(
        ctx, ALIAS_LIMIT, fix="Write the values out, or keep aliases to a few small shared blocks."
    )
