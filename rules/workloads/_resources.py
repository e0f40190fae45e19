"""Shared check for the container-resources rules (KP101-KP104)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding
from kportable.model import Container, Workload, as_dict
from kportable.rule import RuleContext

SECTION_WORDS = {"requests": "request", "limits": "limit"}
RESOURCE_WORDS = {"cpu": "CPU", "memory": "memory"}


def checked_containers(w: Workload) -> Iterator[Container]:
    """Containers whose resources matter for scheduling and admission: regular and init ones."""
    return (c for c in w.containers if c.group != "ephemeralContainers")


def has_value(container: Container, section: str, resource: str) -> bool:
    """True when ``resources.<section>.<resource>`` is set (a limit alone also sets the request)."""
    resources = container.resources
    if resource in as_dict(resources.get(section)):
        return True
    # Kubernetes defaults a missing request to the limit.
    return section == "requests" and resource in as_dict(resources.get("limits"))


def missing_resource(
    w: Workload, ctx: RuleContext[Any], section: str, resource: str, fix: str
) -> Iterator[Finding]:
    """A finding for each container of ``w`` without ``resources.<section>.<resource>``."""
    what = f"{RESOURCE_WORDS[resource]} {SECTION_WORDS[section]}"
    for c in checked_containers(w):
        if has_value(c, section, resource):
            continue
        pointer = (*c.pointer, "resources") if "resources" in c.data else c.pointer
        kind = "init container" if c.is_init else "container"
        yield ctx.finding(
            w.resource,
            pointer,
            f"{kind} {c.name!r} of {w.kind} {w.name!r} sets no {what}",
            fix=fix,
        )
