"""KP604 cloud-secret-provider."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, ObjectRef, Severity
from kportable.model import DEFAULT_NAMESPACE, Resource, as_dict, as_str, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, tie_finding

SECRETS_STORE_GROUP = "secrets-store.csi.x-k8s.io"
EXTERNAL_SECRETS_GROUP = "external-secrets.io"


@rule("KP604", "cloud-secret-provider", Severity.BLOCKER, target=Target.RESOURCE,
      kinds={"SecretProviderClass", "SecretStore", "ClusterSecretStore"}, clouds=ALL_CLOUDS)
def cloud_secret_provider(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports secret stores bound to a cloud's secret manager: a Secrets Store CSI
    `SecretProviderClass` whose `spec.provider` is `aws`, `gcp`/`gke` or `azure` (a blocker, counted
    against every workload that mounts it), and an External Secrets `SecretStore` or
    `ClusterSecretStore` whose `spec.provider` is `aws`, `gcpsm` or `azurekv` (an adaptation: the
    ExternalSecrets that read it stay portable).

    ## Why is this bad?
    The provider reaches AWS Secrets Manager, Google Secret Manager or Azure Key Vault with that
    cloud's credentials, and its parameters name that cloud's secrets. Elsewhere a
    SecretProviderClass volume fails to mount and the pod never starts. With External Secrets one
    store per cloud under the same name keeps every workload portable.

    ## Example
    ```yaml
    apiVersion: secrets-store.csi.x-k8s.io/v1
    kind: SecretProviderClass
    metadata:
      name: db-creds
    spec:
      provider: azure
      parameters:
        keyvaultName: shop-kv
        objects: |
          array:
            - |
              objectName: db-password
              objectType: secret
    ```

    ## Use instead
    ```yaml
    apiVersion: external-secrets.io/v1
    kind: ExternalSecret
    metadata:
      name: db-creds
    spec:
      secretStoreRef:
        kind: ClusterSecretStore
        name: platform-secrets
      target:
        name: db-creds
      data:
      - secretKey: password
        remoteRef: {key: db-password}
    ```

    ## References
    - https://secrets-store-csi-driver.sigs.k8s.io/
    - https://external-secrets.io/latest/
    """
    if res.kind == "SecretProviderClass":
        if res.group != SECRETS_STORE_GROUP:
            return
        provider = as_str(res.spec.get("provider"))
        hit = lookup(ctx, "secret-provider", provider) if provider else None
        if provider and hit is not None:
            users = tuple(_mounting(ctx, res))
            used = f"; mounted by {', '.join(label(r) for r in users)}" if users else ""
            yield tie_finding(ctx, res, ("spec", "provider"), hit,
                              f"{label(res)} provider {provider!r} is {hit.first.what}{used}",
                              related=users)
        return
    if res.group != EXTERNAL_SECRETS_GROUP:
        return
    for key in as_dict(res.spec.get("provider")):
        hit = lookup(ctx, "secret-store-provider", key)
        if hit is not None:
            yield tie_finding(ctx, res, ("spec", "provider", key), hit,
                              f"{label(res)} provider {key!r} is {hit.first.what}")


def _mounting(ctx: RuleContext[Any], spc: Resource) -> Iterator[ObjectRef]:
    """Workloads of the SecretProviderClass's namespace that mount it through a CSI volume."""
    for w in ctx.inventory.workloads_in(spc.namespace or DEFAULT_NAMESPACE):
        for _, vol in w.volumes:
            attributes = as_dict(as_dict(vol.get("csi")).get("volumeAttributes"))
            if attributes.get("secretProviderClass") == spc.name:
                yield w.ref
                break
