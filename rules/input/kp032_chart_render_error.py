"""KP032 chart-render-error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.render.charts import RENDER_ERROR
from kportable.rule import RuleContext, Target, rule

from ._problems import problem_findings


@rule("KP032", "chart-render-error", Severity.BLOCKER, target=Target.INVENTORY)
def chart_render_error(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a Helm chart that kportable could not render, with Helm's own message: a template
    error (`nil pointer evaluating interface {}.level`), a `required` value that is missing,
    values that fail the chart's `values.schema.json`, or a dependency listed in `Chart.yaml`
    that is not vendored under `charts/`. The finding is on the template line Helm names, on
    `values.schema.json`, or on the dependency's line in `Chart.yaml`.

    ## Why is this bad?
    `helm install` fails the same way on every cluster, so nothing the chart describes is
    deployed. And nothing it describes was linted either: a clean report would say nothing about
    it. kportable never downloads charts, so a dependency must be vendored
    (`helm dependency build`) before the chart can be rendered.

    ## Example
    ```text
    $ kportable lint ./broken
    broken/templates/deployment.yaml:16:20  KP032  blocker  helm template broken failed: execution error at
        (broken/templates/deployment.yaml:16:20): image.repository is required
    needs-deps/Chart.yaml:8:5  KP032  blocker  dependency 'postgresql' from oci://registry-1.docker.io/bitnamicharts
        is not vendored in charts/: ...; run `helm dependency build` in the chart directory and lint again
    ```

    ## Use instead
    Render with the values the release uses (`kportable lint ./broken -f values-prod.yaml`), and
    vendor dependencies (`helm dependency build needs-deps`, then commit `charts/` or run it in CI
    before linting). A `Chart.yaml` whose dependencies are all under `charts/`:
    ```yaml
    apiVersion: v2
    name: shop
    version: 1.2.3
    dependencies:
      - name: redis
        version: 0.3.0
        repository: file://../redis
    ```

    ## Known problems
    Helm stops at the first template that fails, so one finding is reported per chart and render
    even when several templates are broken. A packaged chart (`.tgz`) has no file to edit: its
    failure is reported on the archive, line 1. Render errors need a render: with `--no-build`
    charts are read as files and their templates skipped (KP030).

    ## References
    - https://helm.sh/docs/helm/helm_template/
    - https://helm.sh/docs/helm/helm_dependency_build/
    """
    yield from problem_findings(
        ctx,
        RENDER_ERROR,
        fix="Run `helm template RELEASE CHART -f VALUES` to see the error and fix the template or the values; for "
        "a missing dependency run `helm dependency build CHART`.",
    )
