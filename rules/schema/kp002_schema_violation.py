"""KP002 schema-violation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.load import YAML_SYNTAX
from kportable.model import Resource, label
from kportable.rule import RuleContext, Target, rule
from kportable.validate import Problem, Status


@rule("KP002", "schema-violation", Severity.BLOCKER, target=Target.RESOURCE, category="schema")
def schema_violation(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a field that breaks the JSON Schema of its kind for the target Kubernetes version.
    Each violation lands at the line of the offending field: a wrong type, a missing required
    field, a value outside the allowed set and, with `--strict`, an unknown field (with the
    closest known name). The version is `--k8s-version`, by default the oldest one the target
    clouds still support.

    Built-in kinds use the schemas bundled with kubernetes-validate, so no cluster or network
    is needed. Custom resources are validated when a schema is available: from a
    `CustomResourceDefinition` in the input (or in `--context`), from `--schema-dir`, or from a
    plugin; the others are counted in the summary as not validated.

    ## Why is this bad?
    The API server rejects the object on every cluster, so `kubectl apply`, Helm or Argo CD
    fail (or, for an unknown field without strict validation, silently drop the setting). A
    manifest that only ever ran on one cloud's pipeline can carry such errors for years when
    that pipeline skipped validation; moving it is when they surface.

    ## Known problems
    Kustomize strategic-merge patches are partial objects and fail the required-field checks;
    lint the output of `kustomize build` or exclude the patch files (objects with a top-level
    `$patch` directive are recognised and skipped). Formats (`int32`,
    `date-time`), CEL rules and RE2-only regular expressions in CRD schemas are not checked.

    A violation on a line where the loader already reported a YAML problem (KP001, typically a
    mapping used as a key because a `{{placeholder}}` was never filled in) is not reported: that
    is one problem, and KP001 names its cause. The document's other lines are still validated,
    so a real schema error elsewhere in it is not hidden.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: "3"
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: web
            image: nginx:1.27
            ports:
            - containerPort: http
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 3
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: web
            image: nginx:1.27
            ports:
            - name: http
              containerPort: 8080
    ```

    ## References
    - https://kubernetes.io/docs/reference/kubernetes-api/
    - https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
    """
    catalog = ctx.schemas
    if catalog is None or "$patch" in res.data:  # a strategic-merge patch directive: a patch, not an object
        return
    found = catalog.lookup(res.api_version, res.kind)
    if found.status is Status.BROKEN:
        yield ctx.finding(
            res, ("apiVersion",), f"{res.api_version} {label(res)} was not validated: {found.problem}",
            fix="Fix the schema file or plugin, or remove it so that the object is skipped.",
            severity=Severity.INFO,
        )
        return
    yaml_lines = {p.line for p in ctx.inventory.problems_of(res) if p.code == YAML_SYNTAX}
    for problem in catalog.problems(res):
        if yaml_lines and res.locate(problem.pointer).line in yaml_lines:
            continue  # the same place as a KP001 problem (an unrendered placeholder): one finding, not two
        # an unknown field is dropped by the API server unless the client asks for strict field
        # validation (kubectl does by default, Helm and most GitOps tools do not)
        unknown = problem.kind is Problem.UNKNOWN_FIELD
        yield ctx.finding(res, problem.pointer, problem.message, fix=problem.fix,
                          severity=Severity.MAJOR if unknown else None)
