"""KP007 unreadable-file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.load import UNREADABLE
from kportable.rule import RuleContext, Target, rule

from ._problems import problem_findings


@rule("KP007", "unreadable-file", Severity.BLOCKER, target=Target.INVENTORY)
def unreadable_file(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports an input that could not be read as a manifest: binary content, invalid UTF-8,
    a file over the size limit (`--max-file-size`, 16 MiB by default), nesting far deeper
    than any Kubernetes object, or a path that does not exist or cannot be opened.

    ## Why is this bad?
    Nothing in the file was linted, so a clean report would be a lie. Usually it is a build
    artefact or an archive that matched a glob; otherwise the file is corrupt.

    ## Example
    ```text
    deploy.yaml: 00000000  1f 8b 08 00 ...   (a gzip archive named .yaml)
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
    ```

    ## Known problems
    Files larger than the limit are skipped without reading them; raise the limit for
    generated bundles that are legitimately large.
    """
    yield from problem_findings(
        ctx, UNREADABLE, fix="Exclude the file (--exclude) or save it as UTF-8 YAML/JSON."
    )
