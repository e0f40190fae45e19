"""KP403 cloud-principal-binding."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import cloud_names, lookup, shown, tie_finding
from ._access import grant_of, subjects


@rule("KP403", "cloud-principal-binding", Severity.MINOR, target=Target.RESOURCE,
      kinds={"RoleBinding", "ClusterRoleBinding"}, clouds=ALL_CLOUDS)
def cloud_principal_binding(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports RoleBinding and ClusterRoleBinding subjects that are principals of one cloud's
    authenticator: AWS IAM role/user ARNs and EKS-created identities, Google service accounts,
    Google accounts, Google Groups (e-mail `Group` subjects) and `principal://` identifiers, and
    Microsoft Entra object IDs and `onmicrosoft.com` users.

    The message names the principal, the cloud, the binding and the role it grants. A grant of
    full control (`cluster-admin`, or a role of the bundle with `*` verbs on `*` resources) is
    reported as `major`.

    ## Why is this bad?
    The binding applies on every cluster but grants nothing where no authenticator produces that
    user or group name: access silently disappears after a move. ServiceAccount subjects and the
    upstream `system:` names are portable and not reported. A RoleBinding that also binds a
    workload's ServiceAccount counts against that workload's score; any other binding counts in
    its namespace's row of the score matrix (a ClusterRoleBinding: in the cluster row).

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: deployers
      namespace: shop
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: ClusterRole
      name: edit
    subjects:
    - apiGroup: rbac.authorization.k8s.io
      kind: User
      name: ci-deployer@my-project.iam.gserviceaccount.com
    ```

    ## Use instead
    ```yaml
    # bind a neutral group; each cloud maps its principals to it
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: deployers
      namespace: shop
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: ClusterRole
      name: edit
    subjects:
    - apiGroup: rbac.authorization.k8s.io
      kind: Group
      name: shop-deployers
    ```

    ## References
    - https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
    - https://cloud.google.com/kubernetes-engine/docs/how-to/google-groups-rbac
    - https://learn.microsoft.com/azure/aks/azure-ad-rbac
    """
    grant = None
    for i, kind, name in subjects(res):
        hit = lookup(ctx, "rbac-subject", kind, name)
        if hit is None:
            continue
        grant = grant or grant_of(res, ctx.inventory)
        yield tie_finding(
            ctx, res, ("subjects", i, "name"), hit,
            f"{label(res)} subject {kind} {shown(name)!r} is {hit.first.what}, known only to "
            f"{cloud_names(ctx, hit.clouds)}: there it gets {grant.describe()}, elsewhere nothing",
            severity=Severity.MAJOR if grant.admin and hit.severity.rank < Severity.MAJOR.rank else None,
        )
