"""Shared check for the container-resources rules (KP101-KP104), aware of LimitRanges and quotas.

For each container without ``resources.<section>.<resource>`` the outcome depends on the
namespace, as the API server decides it (see ``_admission``):

- a LimitRange of the namespace gives it a default: the container is satisfied, reported at
  info with the effective value (the value lives in the namespace, not in the workload);
- else a ResourceQuota that applies to the pod constrains that value: the API server rejects
  the pod, a blocker whose message names the quota;
- else the rule's own severity.

With ``--assume limit-ranges`` the cluster fills every missing value, so nothing is reported.
Pod-level resources (``spec.resources``) that set the value count for every container.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.assume import LIMIT_RANGES
from kportable.findings import Finding, Severity
from kportable.model import Container, Workload, as_dict, label
from kportable.rule import RuleContext

from ._admission import Admission

SECTION_WORDS = {"requests": "request", "limits": "limit"}
RESOURCE_WORDS = {"cpu": "CPU", "memory": "memory"}
DEFAULT_KEYS = {"requests": "defaultRequest", "limits": "default"}


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


def pod_level_value(w: Workload, section: str, resource: str) -> bool:
    """True when pod-level resources (``spec.resources``) set ``section.resource`` for the whole pod."""
    pod = as_dict(w.pod_spec.get("resources"))
    if resource in as_dict(pod.get(section)):
        return True
    return section == "requests" and resource in as_dict(pod.get("limits"))


def missing_resource(
    w: Workload,
    ctx: RuleContext[Any],
    section: str,
    resource: str,
    fix: str,
    *,
    only_where_required: bool = False,
) -> Iterator[Finding]:
    """A finding for each container of ``w`` without ``resources.<section>.<resource>``.

    ``only_where_required``: report only containers that a ResourceQuota makes the API server
    reject (KP104's default: a CPU limit is a choice everywhere else).
    """
    missing = [c for c in checked_containers(w) if not has_value(c, section, resource)]
    if not missing or LIMIT_RANGES in ctx.assume or pod_level_value(w, section, resource):
        return
    what = f"{RESOURCE_WORDS[resource]} {SECTION_WORDS[section]}"
    key = f"resources.{section}.{resource}"
    admission = Admission.of(ctx.inventory, w.namespace)
    default = admission.default_for(section, resource)
    requirement = None
    if default is None and admission.quotas:
        effective = [admission.effective(c) for c in checked_containers(w)]
        requirement = admission.requirement(w, effective, section, resource)
    if only_where_required and requirement is None:
        return
    for c in missing:
        pointer = (*c.pointer, "resources") if "resources" in c.data else c.pointer
        subject = f"{'init container' if c.is_init else 'container'} {c.name!r} of {label(w)} sets no {what}"
        if default is not None:
            quantity, item = default
            yield ctx.finding(
                w.resource, pointer,
                f"{subject}; {label(item.limit_range)} gives it {quantity}",
                fix=f"Set {key} explicitly, so the value travels with the workload instead of depending on the "
                    "namespace's LimitRange.",
                severity=Severity.INFO,
            )
        elif requirement is not None:
            quota, hard_key = requirement
            yield ctx.finding(
                w.resource, pointer,
                f"{subject}, and {label(quota)} constrains {hard_key}: "
                "the API server rejects its pods",
                fix=f"Set {key} on every container, or give namespace {w.namespace!r} a LimitRange with a "
                    f"{DEFAULT_KEYS[section]} for {resource}.",
                severity=Severity.BLOCKER,
            )
        else:
            yield ctx.finding(w.resource, pointer, subject, fix=fix)
