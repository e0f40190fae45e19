"""ACME's rules: one per workload (ACME101) and one over the whole bundle (ACME201)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kportable import Effect, Finding, RuleContext, Severity, Target, Workload, label, rule


@dataclass(frozen=True, slots=True)
class RegistryOptions:
    """Options of ACME101 (config keys are the field names in kebab-case)."""

    registries: tuple[str, ...] = ("registry.acme.example",)


def image_registry(image: str) -> str:
    """The registry host of an image reference; ``docker.io`` when the reference names none."""
    first, slash, _ = image.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first.split(":")[0]
    return "docker.io"


@rule("ACME101", "image-outside-registry", Severity.BLOCKER, target=Target.WORKLOAD, options=RegistryOptions)
def image_outside_registry(w: Workload, ctx: RuleContext[RegistryOptions]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a container or init container whose image does not come from ACME's registry
    (`registry.acme.example`, or the registries the `registries` option lists).

    ## Why is this bad?
    ACME's clusters have no route to public registries, and their admission policy rejects
    any other registry: the pod never starts. Images from the company registry are also
    scanned and signed, so they are what security signs off.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: shop
    spec:
      selector:
        matchLabels: {app: shop}
      template:
        metadata:
          labels: {app: shop}
        spec:
          containers:
          - name: web
            image: nginx:1.27
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: shop
    spec:
      selector:
        matchLabels: {app: shop}
      template:
        metadata:
          labels: {app: shop}
        spec:
          containers:
          - name: web
            image: registry.acme.example/mirror/nginx:1.27
    ```

    ## Options
    - `registries`: the registry hosts images may come from (default: `registry.acme.example`).
    """
    allowed = ctx.options.registries
    for c in w.containers:
        if c.image is None:
            continue
        registry = image_registry(c.image)
        if registry in allowed:
            continue
        kind = "init container" if c.is_init else "container"
        yield ctx.finding(
            w.resource,
            (*c.pointer, "image"),
            f"{kind} {c.name!r} of {label(w)} pulls {c.image!r} from {registry}, "
            f"not from {' or '.join(allowed)}",
            fix=f"Mirror the image to {allowed[0]} and use {allowed[0]}/<path>:<tag>.",
            effect=Effect.BLOCKER,
        )


@dataclass(frozen=True, slots=True)
class OwnerOptions:
    """Options of ACME201."""

    label: str = "acme.example/owner"


@rule("ACME201", "namespace-without-owner", Severity.MINOR, target=Target.INVENTORY, options=OwnerOptions)
def namespace_without_owner(ctx: RuleContext[OwnerOptions]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a namespace with workloads where neither the Namespace object nor any of its
    workloads carries the owner label (`acme.example/owner`, or the `label` option).

    ## Why is this bad?
    ACME's on-call routing reads the owner label: when a workload in an unowned namespace
    breaks, or a cluster migration needs someone to approve its move, nobody is paged.
    One label on the Namespace (or on one workload, for a namespace managed elsewhere) is
    enough.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: shop
      namespace: shop
    spec:
      selector:
        matchLabels: {app: shop}
      template:
        metadata:
          labels: {app: shop}
        spec:
          containers:
          - name: web
            image: registry.acme.example/shop:1.0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels:
        acme.example/owner: team-checkout
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: shop
      namespace: shop
    spec:
      selector:
        matchLabels: {app: shop}
      template:
        metadata:
          labels: {app: shop}
        spec:
          containers:
          - name: web
            image: registry.acme.example/shop:1.0
    ```

    ## Options
    - `label`: the label key that names a namespace's owner (default: `acme.example/owner`).
    """
    owner = ctx.options.label
    inventory = ctx.inventory
    for namespace in inventory.namespaces_with_workloads:
        workloads = inventory.workloads_in(namespace)
        ns_object = inventory.get("Namespace", None, namespace)
        if (ns_object is not None and owner in ns_object.labels) or any(owner in w.resource.labels for w in workloads):
            continue
        if ns_object is not None and not ns_object.context:
            where = ns_object
            has_labels = isinstance(ns_object.get("metadata", "labels"), dict)
            pointer: tuple[str, ...] = ("metadata", "labels") if has_labels else ("metadata",)
        else:
            where = next(w.resource for w in workloads if not w.resource.context)
            pointer = ("metadata",)
        yield ctx.finding(
            where,
            pointer,
            f"namespace {namespace!r} has {len(workloads)} workload(s) and no object labelled {owner}",
            fix=f"Label the Namespace (metadata.labels: {{{owner}: <team>}}), or one of its workloads.",
            related=[w.ref for w in workloads if w.resource is not where],
        )
