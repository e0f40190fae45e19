"""KP405 cloud-mapped-rbac-subject."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Effect, Finding, Severity
from kportable.model import Resource, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import Hit, cloud_names, lookup, shown, tie_finding
from ._access import AWS_AUTH, MappedBy, eks_mappings, grant_of, subjects

GROUP_FIX = (
    "Keep the neutral group name in the base and give it members on every target cloud: EKS access entries "
    "(kubernetesGroups) in EKS platform code, a Google Group or Workforce Identity principalSet patched into "
    "the subject in the GKE overlay, the Entra group object ID patched in the AKS overlay."
)
USER_FIX = (
    "Bind a group rather than a user name that an EKS mapping invents: on another cluster the same user name "
    "belongs to nobody, or to whoever that cluster's authenticator gives it."
)
MAX_LISTED = 2


@rule("KP405", "cloud-mapped-rbac-subject", Severity.MINOR, target=Target.RESOURCE,
      kinds={"RoleBinding", "ClusterRoleBinding"}, clouds=ALL_CLOUDS)
def cloud_mapped_rbac_subject(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports RoleBinding and ClusterRoleBinding subjects (`Group` or `User`) whose only source of
    members in the bundle is a cloud's auth mapping: a group or user name that an aws-auth
    `mapRoles`/`mapUsers` entry or an ACK `AccessEntry` (`kubernetesGroups`, `username`) gives to
    IAM principals. The message names the binding, the role it grants and the IAM principals
    that fill the name. Full control (`cluster-admin`) is reported as `major`.

    Subjects that are cloud principals themselves are KP403's; ServiceAccounts and upstream
    `system:` names are portable and never reported.

    ## Why is this bad?
    The binding is portable syntax, and binding a neutral group is the right pattern, but in this
    bundle its members come from EKS alone. Applied to GKE or AKS it grants a group nobody is in:
    whoever relied on it loses access, without an error.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: aws-auth
      namespace: kube-system
    data:
      mapRoles: |
        - rolearn: arn:aws:iam::111122223333:role/deployer
          username: deployer
          groups: [shop-deployers]
    ---
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

    ## Use instead
    ```yaml
    # the bundle binds the neutral group; each cloud's platform code fills it
    # (EKS access entry kubernetesGroups: [shop-deployers], a Google Group on GKE,
    # an Entra group object ID patched in on AKS)
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
    - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects
    """
    mappings = eks_mappings(ctx.inventory)
    if not mappings.users and not mappings.groups:
        return
    grant = None
    for i, kind, name in subjects(res):
        if name.startswith("system:") or lookup(ctx, "rbac-subject", kind, name) is not None:
            continue
        feeding = mappings.feeding(kind, name)
        hit = _hit(ctx, feeding)
        if hit is None:
            continue
        grant = grant or grant_of(res, ctx.inventory)
        listed = "; ".join(f"{shown(m.principal)!r} ({m.source})" for m in feeding[:MAX_LISTED])
        more = f" and {len(feeding) - MAX_LISTED} more" if len(feeding) > MAX_LISTED else ""
        message = (f"{label(res)} grants {grant.describe()} to {kind} {shown(name)!r}, which only the "
                   f"{cloud_names(ctx, hit.clouds)} mapping of {listed}{more} fills: elsewhere it has no members")
        yield tie_finding(ctx, res, ("subjects", i, "name"), hit, message,
                          fix=GROUP_FIX if kind == "Group" else USER_FIX, effect=Effect.ADAPTATION,
                          severity=Severity.MAJOR if grant.admin else None)


def _hit(ctx: RuleContext[Any], feeding: list[MappedBy]) -> Hit | None:
    """The clouds of the principals that fill a name (their ``auth-principal`` ties), else aws-auth's."""
    for mapped in feeding:
        hit = lookup(ctx, "auth-principal", mapped.principal)
        if hit is not None:
            return hit
    return lookup(ctx, "kube-system-configmap", AWS_AUTH) if feeding else None
