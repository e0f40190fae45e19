"""Load the built-in cloud profiles shipped in ``clouds/*.yaml``."""

from __future__ import annotations

from importlib import resources

from kportable.clouds import CloudProfile, load_profile


def builtin_profiles() -> list[CloudProfile]:
    """Every ``clouds/*.yaml`` profile of this package, validated, in file-name order."""
    folder = resources.files(__package__).joinpath("clouds")
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            out.append(load_profile(entry.read_text(encoding="utf-8"), source=f"kportable_rules/clouds/{entry.name}"))
    return out
