"""Shared helpers of the schema rules: the run's Kubernetes minor and the clouds a removal breaks on."""

from __future__ import annotations

from typing import Any

from kportable.k8s_versions import PORTABLE_FLOOR, KubeVersion, VersionWindow, describe_rejections, target_windows
from kportable.rule import RuleContext


def run_version(ctx: RuleContext[Any]) -> KubeVersion:
    """The Kubernetes minor of this run (``PORTABLE_FLOOR`` when the context was built by hand)."""
    return ctx.k8s_version or PORTABLE_FLOOR


def windows(ctx: RuleContext[Any]) -> tuple[VersionWindow, ...]:
    """Version windows of the run's target clouds that declare one in their profile."""
    return target_windows(ctx.clouds, ctx.targets)


def rejected_by(ctx: RuleContext[Any], removed_in: KubeVersion) -> tuple[tuple[str, ...], str]:
    """(cloud ids, phrase) of the target clouds with a supported minor at or after ``removed_in``.

    The phrase reads ``"; rejected by every supported version of aks, gke and by eks from 1.32"`` and is
    empty when no target cloud declares a window that reaches ``removed_in``.
    """
    wins = windows(ctx)
    clouds = tuple(sorted(w.cloud for w in wins if w.rejecting(removed_in)))
    phrase = describe_rejections(wins, removed_in)
    return clouds, (f"; rejected by {phrase}" if phrase else "")
