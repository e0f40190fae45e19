"""KP404 cloud-principal-mapping."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

from kportable.findings import Effect, Finding, Severity
from kportable.model import Resource, as_dict, as_list, as_str, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import Hit, cloud_names, lookup, shown, tie_finding
from ._access import (
    ACK_EKS_GROUP,
    ADMIN_GROUP,
    AWS_AUTH,
    CLUSTER_ADMIN_POLICY,
    AuthEntry,
    aws_auth,
    bindings_of_group,
    grant_of,
    is_aws_auth,
)

NODE_ROLE_FIX = (
    "Do not ship node and Fargate role entries: EKS writes them itself when it creates a node group or "
    "Fargate profile, and a copy in a bundle overwrites what EKS wrote."
)
MAX_LISTED = 3
ENTRY_NOUN = {"mapRoles": "IAM role", "mapUsers": "IAM user", "mapAccounts": "every IAM principal of AWS account"}
ACCOUNT_USERS = "user names of their own ARNs"


@rule("KP404", "cloud-principal-mapping", Severity.MINOR, target=Target.RESOURCE,
      kinds={"ConfigMap", "AccessEntry"}, clouds=ALL_CLOUDS)
def cloud_principal_mapping(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports each cloud principal that cluster auth configuration in the bundle maps to Kubernetes
    users and groups: every `mapRoles`, `mapUsers` and `mapAccounts` entry of the EKS
    `kube-system/aws-auth` ConfigMap (the embedded YAML is parsed and the finding points at the
    entry's line inside the block), and the `spec.principalARN` of an ACK `AccessEntry`. The
    message names the principal, the user and groups it becomes and the RBAC bindings of the
    bundle that grant those groups something.

    A mapping into `system:masters` (aws-auth) or with the `AmazonEKSClusterAdminPolicy` access
    policy (AccessEntry) is cluster-admin for a cloud principal and is reported as `major`.
    Entries for node and Fargate roles are `info`: EKS writes them itself. A `mapRoles` value
    that is not a YAML list is `major`: the authenticator cannot read it either.

    ## Why is this bad?
    Only EKS reads these mappings. Moved to another cloud, the ConfigMap or the custom resource
    applies (or fails, for the CRD) and every person, pipeline and tool that got access through
    an IAM principal loses it, without an error. KP605 reports the aws-auth ConfigMap as a whole,
    KP601 the AccessEntry kind; this rule says who loses what.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: aws-auth
      namespace: kube-system
    data:
      mapRoles: |
        - rolearn: arn:aws:iam::111122223333:role/platform-admin
          username: platform-admin
          groups:
            - system:masters
    ```

    ## Use instead
    ```yaml
    # EKS platform code (not the bundle) maps the IAM role to a neutral group with an access
    # entry; the bundle binds that group, and each cloud maps its own principals to it.
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: platform-admins
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: ClusterRole
      name: cluster-admin
    subjects:
    - apiGroup: rbac.authorization.k8s.io
      kind: Group
      name: platform-admins
    ```

    ## References
    - https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
    - https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
    - https://github.com/kubernetes-sigs/aws-iam-authenticator#full-configuration-format
    """
    if res.kind == "ConfigMap":
        if is_aws_auth(res):
            yield from _aws_auth_findings(res, ctx)
    elif res.group == ACK_EKS_GROUP:
        yield from _access_entry_findings(res, ctx)


def _aws_auth_findings(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    config = lookup(ctx, "kube-system-configmap", AWS_AUTH)
    if config is None:  # no registered profile knows aws-auth
        return
    parsed = aws_auth(res, ctx.inventory)
    for problem in parsed.problems:
        finding = tie_finding(
            ctx, res, ("data", problem.key), config,
            f"{label(res)} {problem.message}; the AWS IAM Authenticator cannot read it either, so nobody it "
            f"should map gets in on {cloud_names(ctx, config.clouds)}",
            effect=Effect.ADAPTATION, severity=Severity.MAJOR,
            fix=f"Write {problem.key} as a YAML list of mappings in a literal block ({problem.key}: |).",
        )
        yield dataclasses.replace(finding, location=problem.location)
    for entry in parsed.entries:
        yield _entry_finding(ctx, res, entry, lookup(ctx, "auth-principal", entry.principal) or config)


def _entry_finding(ctx: RuleContext[Any], res: Resource, entry: AuthEntry, hit: Hit) -> Finding:
    what = ENTRY_NOUN[entry.key]
    becomes = _names(entry.username, entry.groups) if entry.key != "mapAccounts" else ACCOUNT_USERS
    clouds = cloud_names(ctx, hit.clouds)
    if entry.node_role:
        message = (f"{label(res)} {entry.key} maps {what} {shown(entry.principal)!r} to {becomes}: an entry "
                   f"{clouds} writes itself for node or Fargate roles")
        finding = tie_finding(ctx, res, entry.pointer, hit, message, effect=Effect.INFO, fix=NODE_ROLE_FIX)
    elif entry.admin:
        message = (f"{label(res)} {entry.key} maps {what} {shown(entry.principal)!r} to {becomes}: "
                   f"{ADMIN_GROUP} is cluster-admin on {clouds}, which RBAC cannot revoke, and nothing elsewhere")
        finding = tie_finding(ctx, res, entry.pointer, hit, message, effect=Effect.ADAPTATION, severity=Severity.MAJOR)
    else:
        granted = _granted(ctx, entry.groups)
        message = (f"{label(res)} {entry.key} maps {what} {shown(entry.principal)!r} to {becomes}"
                   f"{granted}: only {clouds} reads this mapping")
        finding = tie_finding(ctx, res, entry.pointer, hit, message, effect=Effect.ADAPTATION)
    return dataclasses.replace(finding, location=entry.location)


def _names(username: str, groups: Sequence[str]) -> str:
    parts = [f"user {shown(username)!r}"] if username else []
    if groups:
        listed = ", ".join(repr(shown(g)) for g in groups[:MAX_LISTED])
        more = f" and {len(groups) - MAX_LISTED} more" if len(groups) > MAX_LISTED else ""
        parts.append(f"group{'s' if len(groups) > 1 else ''} {listed}{more}")
    return " and ".join(parts) or "no user or group"


def _granted(ctx: RuleContext[Any], groups: Sequence[str]) -> str:
    """``, which ClusterRoleBinding 'x' grants ClusterRole 'edit' on the whole cluster`` for the groups' bindings."""
    chosen = dict.fromkeys(b for g in groups for b in bindings_of_group(ctx.inventory, g))
    found = [f"{label(b)} grants {grant_of(b, ctx.inventory).describe()}" for b in chosen]
    if not found:
        return ""
    more = f" (and {len(found) - MAX_LISTED} more bindings)" if len(found) > MAX_LISTED else ""
    return ", which " + "; ".join(found[:MAX_LISTED]) + more


def _access_entry_findings(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    spec = as_dict(res.data.get("spec"))
    principal = as_str(spec.get("principalARN")) or ""
    hit = lookup(ctx, "auth-principal", principal) if principal else None
    if hit is None:
        return
    groups = tuple(g for g in (as_str(x) for x in as_list(spec.get("kubernetesGroups"))) if g)
    becomes = _names(as_str(spec.get("username")) or "", groups)
    policies = [as_str(as_dict(p).get("policyARN")) or "" for p in as_list(spec.get("accessPolicies"))]
    clouds = cloud_names(ctx, hit.clouds)
    what = "IAM role" if ":role/" in principal else "IAM user" if ":user/" in principal else hit.first.what
    if any(CLUSTER_ADMIN_POLICY.match(p) for p in policies if p):
        message = (f"{label(res)} gives {what} {shown(principal)!r} the AmazonEKSClusterAdminPolicy "
                   f"access policy: cluster-admin on {clouds}, outside RBAC, and nothing elsewhere")
        yield tie_finding(ctx, res, ("spec", "principalARN"), hit, message, severity=Severity.MAJOR)
        return
    message = (f"{label(res)} maps {what} {shown(principal)!r} to {becomes}{_granted(ctx, groups)}: "
               f"only {clouds} reads access entries")
    yield tie_finding(ctx, res, ("spec", "principalARN"), hit, message)
