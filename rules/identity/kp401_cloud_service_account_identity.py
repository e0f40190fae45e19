"""KP401 cloud-service-account-identity."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import DEFAULT_NAMESPACE, Resource, Workload, as_dict, label, scalar_text
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import Hit, lookup, pair, tie_finding

MAX_NAMED = 3  # workloads named in a message; the rest are counted


@rule("KP401", "cloud-service-account-identity", Severity.BLOCKER, target=Target.INVENTORY, clouds=ALL_CLOUDS)
def cloud_service_account_identity(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports ServiceAccounts bound to a cloud identity: IAM Roles for Service Accounts
    (`eks.amazonaws.com/role-arn`), GKE Workload Identity (`iam.gke.io/gcp-service-account`) and
    Microsoft Entra Workload ID (`azure.workload.identity/client-id`, `tenant-id`, the
    `azure.workload.identity/use` label). The message names the role ARN, Google service account
    or client id, and the workloads of the bundle that run as the ServiceAccount (including those
    that set no `serviceAccountName` and so run as `default`); the finding counts against each of
    them in the scores.

    ## Why is this bad?
    The pods get their cloud credentials from a webhook or metadata server that exists only on that
    cloud. Elsewhere the annotation is ignored and every SDK call to the cloud's APIs fails (or
    silently uses the node's identity). Each cloud has its own mechanism, so the binding must move
    to a per-cloud overlay; the ServiceAccount itself stays in the base.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: uploader
      annotations:
        eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/uploader
    ```

    ## Use instead
    ```yaml
    # base: a neutral ServiceAccount; each cloud's overlay adds its identity annotation
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: uploader
      labels:
        app.kubernetes.io/name: uploader
    ```

    ## References
    - https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
    - https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity
    - https://learn.microsoft.com/azure/aks/workload-identity-overview
    """
    users: dict[tuple[str, str], list[Workload]] | None = None
    for sa in ctx.inventory.of_kind("ServiceAccount"):
        if sa.context:
            continue
        meta = as_dict(sa.data.get("metadata"))
        for where, field, noun in (("service-account-annotation", "annotations", "annotation"),
                                   ("service-account-label", "labels", "label")):
            for key, raw in as_dict(meta.get(field)).items():
                value = scalar_text(raw)
                hit = lookup(ctx, where, key, value)
                if hit is None:
                    continue
                if users is None:
                    users = _users(ctx)
                running = users.get((sa.namespace or DEFAULT_NAMESPACE, sa.name), [])
                yield _finding(ctx, sa, ("metadata", field, key), hit, f"{noun} {pair(key, value)}", running)


def _users(ctx: RuleContext[Any]) -> dict[tuple[str, str], list[Workload]]:
    """(namespace, ServiceAccount name) -> the workloads whose pods run as it, in one pass."""
    out: dict[tuple[str, str], list[Workload]] = {}
    for w in ctx.inventory.workloads:
        out.setdefault((w.namespace, w.service_account), []).append(w)
    return out


def _finding(ctx: RuleContext[Any], sa: Resource, pointer: tuple[str, ...], hit: Hit, subject: str,
             running: list[Workload]) -> Finding:
    if running:
        names = ", ".join(label(w) for w in running[:MAX_NAMED])
        more = f" and {len(running) - MAX_NAMED} more" if len(running) > MAX_NAMED else ""
        default = " (every workload of the namespace that sets no serviceAccountName)" if sa.name == "default" else ""
        used = f"; used by {names}{more}{default}"
    else:
        used = "; no workload of this bundle runs as it"
    return tie_finding(ctx, sa, pointer, hit, f"{label(sa)} {subject} is {hit.first.what}{used}",
                       related=tuple(w.ref for w in running))
