"""KP030 unrendered-template."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.render.helm import UNRENDERED_TEMPLATE
from kportable.rule import RuleContext, Target, rule

from ._problems import problem_findings


@rule("KP030", "unrendered-template", Severity.INFO, target=Target.INVENTORY)
def unrendered_template(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a file that is an unrendered Go template, such as a Helm chart's `templates/*.yaml`,
    at its first `{{ }}` action. The file is skipped: none of its documents is linted.

    ## Why is this bad?
    A template is not what gets deployed: `{{ .Values.x }}` is replaced, `{{ if }}` blocks come
    and go, whole blocks are emitted by `include`. Linting the raw text as YAML either fails on
    the first action or, worse, checks placeholders instead of values. What reaches the cluster
    is the rendered output, so lint that: `helm template RELEASE ./chart -f values-aws.yaml |
    kportable lint -` (add `--chart-dir ./chart` to point findings at the template lines).
    A file is taken for a template when it has a Go template action outside comments
    (`{{ .Values.x }}`, `{{- if ... }}`, `{{ include ... }}`) and either fails to parse from
    that point on, or lies in a chart's `templates/` directory (a `Chart.yaml` beside it).

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: {{ .Release.Name }}-config
    data:
      greeting: {{ .Values.greeting | quote }}
    ```

    ## Use instead
    ```yaml
    # Source: shop/templates/configmap.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: prod-config
    data:
      greeting: "hello"
    ```

    ## Known problems
    Go templates inside valid YAML strings (Prometheus alert annotations, Alertmanager
    templates in a ConfigMap) are data, not templates: such files parse and are linted as usual.
    A file that fails to parse *before* its first action is reported as a syntax error (KP001),
    and so is one whose placeholders are not Go template actions (`{{cell}}` filled in by `sed`).

    ## References
    - https://helm.sh/docs/helm/helm_template/
    """
    yield from problem_findings(
        ctx,
        UNRENDERED_TEMPLATE,
        fix="Lint the rendered output instead: helm template RELEASE CHART [-f values.yaml] | kportable lint - "
        "(exclude the chart's templates/ directory from plain runs with --exclude).",
    )
