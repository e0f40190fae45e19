"""KP403 cloud-principal-binding."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, as_dict, as_list, as_str, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, shown, tie_finding


@rule("KP403", "cloud-principal-binding", Severity.MINOR, target=Target.RESOURCE,
      kinds={"RoleBinding", "ClusterRoleBinding"}, clouds=ALL_CLOUDS)
def cloud_principal_binding(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports RoleBinding and ClusterRoleBinding subjects that are principals of one cloud's
    authenticator: AWS IAM role/user ARNs and EKS-created identities, Google service accounts,
    Google accounts, Google Groups (e-mail `Group` subjects) and `principal://` identifiers, and
    Microsoft Entra object IDs and `onmicrosoft.com` users.

    ## Why is this bad?
    The binding applies on every cluster but grants nothing where no authenticator produces that
    user or group name: access silently disappears after a move. ServiceAccount subjects and the
    upstream `system:` names are portable and not reported.

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
    for i, raw in enumerate(as_list(res.data.get("subjects"))):
        subject = as_dict(raw)
        kind, name = as_str(subject.get("kind")), as_str(subject.get("name"))
        if not kind or not name:
            continue
        hit = lookup(ctx, "rbac-subject", kind, name)
        if hit is not None:
            yield tie_finding(ctx, res, ("subjects", i, "name"), hit,
                              f"{label(res)} subject {kind} {shown(name)!r} is {hit.first.what}")
