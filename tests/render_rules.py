"""Test-only rules that tie objects to clouds, so render tests have cloud findings to follow.

The real cloud rules live in ``rules/`` (their own issue); these three are registered only in
tests, through ``build_registry(plugins=[RenderRules])``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Effect, Finding, Severity
from kportable.model import Resource, Workload, as_dict, as_str
from kportable.plugins.hookspecs import hookimpl
from kportable.rule import RuleContext, RuleSpec, Target, rule

PREFIXES = {"eks.amazonaws.com/": "eks", "cloud.google.com/": "gke", "iam.gke.io/": "gke"}
REGISTRIES = {".dkr.ecr.": "eks", "-docker.pkg.dev/": "gke"}


def _cloud(text: str, table: dict[str, str]) -> str | None:
    return next((cloud for marker, cloud in table.items() if marker in text), None)


@rule("TEST901", "test-cloud-pod-spec", Severity.MAJOR, target=Target.WORKLOAD)
def cloud_pod_spec(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """Test rule: a cloud node label in nodeSelector, a cloud registry in an image."""
    for key in w.node_selector:
        cloud = _cloud(key, PREFIXES)
        if cloud:
            yield ctx.finding(w.resource, w.spec_pointer("nodeSelector", key), f"node label {key}",
                              clouds={cloud}, effect=Effect.BLOCKER, fix="drop it")
    for c in w.containers:
        cloud = _cloud(c.image or "", REGISTRIES)
        if cloud:
            yield ctx.finding(w.resource, (*c.pointer, "image"), f"image {c.image}",
                              clouds={cloud}, effect=Effect.ADAPTATION, fix="mirror it")


@rule("TEST902", "test-cloud-identity", Severity.MAJOR, target=Target.RESOURCE, kinds={"ServiceAccount"})
def cloud_identity(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """Test rule: a cloud workload-identity annotation on a ServiceAccount."""
    for key in res.annotations:
        cloud = _cloud(key, PREFIXES)
        if cloud:
            related = [w.ref for w in ctx.inventory.workloads
                       if w.namespace == res.namespace and w.service_account == res.name]
            yield ctx.finding(res, ("metadata", "annotations", key), f"annotation {key}",
                              clouds={cloud}, effect=Effect.BLOCKER, related=related, fix="use a secret")


@rule("TEST903", "test-config-key", Severity.INFO, target=Target.RESOURCE, kinds={"ConfigMap"})
def config_key(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """Test rule: every ConfigMap data key named LOG_LEVEL."""
    if "LOG_LEVEL" in as_dict(res.get("data")):
        yield ctx.finding(res, ("data", "LOG_LEVEL"), f"log level {as_str(res.get('data', 'LOG_LEVEL'))}")


class RenderRules:
    """The plugin object: ``build_registry(plugins=[RenderRules])``."""

    __name__ = "render-test-rules"

    @staticmethod
    @hookimpl
    def kportable_rules() -> list[RuleSpec]:
        return [cloud_pod_spec, cloud_identity, config_key]
