"""kportable-acme-rules: ACME's rule pack and its on-prem OpenShift target, as a kportable plugin.

Named in ``pyproject.toml`` under ``[project.entry-points.kportable]``, so an installed
kportable finds it with no configuration. The hooks import nothing heavy until called.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from kportable import CloudProfile, RuleSpec, hookimpl

KPORTABLE_PLUGIN_API = 1


@hookimpl
def kportable_rules() -> Sequence[RuleSpec]:
    from .rules import image_outside_registry, namespace_without_owner

    return [image_outside_registry, namespace_without_owner]


@hookimpl
def kportable_cloud_profiles() -> Sequence[CloudProfile]:
    from kportable.clouds import load_profile

    text = resources.files(__name__).joinpath("openshift.yaml").read_text(encoding="utf-8")
    return [load_profile(text, source="kportable_acme/openshift.yaml")]
