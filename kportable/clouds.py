"""Cloud profiles: what ties a manifest to one target platform, as data.

A profile is a YAML document validated against ``schemas/cloud-profile.schema.json``. The
generic cloud rules read every registered profile, so a plugin adds a target (OpenShift, an
on-prem distribution) by returning one more ``CloudProfile`` from ``kportable_cloud_profiles``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CloudProfile:
    """One target platform: ``id`` (``eks``), display ``name`` and the validated profile ``data``."""

    id: str
    name: str
    data: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    extends: str | None = None


def load_profile(text: str, *, source: str) -> CloudProfile:
    """Parse one profile document (YAML) into a ``CloudProfile``."""
    import yaml

    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        from .errors import PluginError

        raise PluginError(f"{source}: a cloud profile must be a mapping with an 'id'")
    return CloudProfile(
        id=data["id"], name=str(data.get("name", data["id"])), data=data, source=source, extends=data.get("extends")
    )
