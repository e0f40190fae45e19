"""Container images taken out of the base: split a reference, give it a neutral name.

The base pulls ``registry.invalid/<repository>:<tag>`` (``.invalid`` never resolves, so an overlay
that forgot the mapping fails to pull instead of pulling a look-alike from Docker Hub); each
overlay maps the neutral name back with kustomize ``images:`` (``newName``), keeping the tag or
digest the base carries. That way the registry is one line per image in each overlay, where a
person changes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .items import NEUTRAL_REGISTRY


@dataclass(frozen=True, slots=True)
class ImageRef:
    """``host/repository[:tag][@digest]`` and its neutral form."""

    original: str
    host: str
    repository: str
    suffix: str  # ":tag", "@sha256:...", ":tag@sha256:..." or ""
    neutral_name: str

    @property
    def name(self) -> str:
        """The original image without tag or digest (what ``images: newName`` restores)."""
        return f"{self.host}/{self.repository}" if self.host else self.repository

    @property
    def neutral(self) -> str:
        return self.neutral_name + self.suffix


def split_image(image: str) -> tuple[str, str, str]:
    """(host, repository, suffix) of an image reference; host is ``""`` when the reference has none."""
    name, at, digest = image.partition("@")
    suffix = f"@{digest}" if at else ""
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        suffix = name[colon:] + suffix
        name = name[:colon]
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return first, rest, suffix
    return "", name, suffix


def neutral_images(images: Iterable[object]) -> dict[str, ImageRef]:
    """Each distinct image -> its ``ImageRef``; two registries with the same repository path get
    neutral names that differ by the registry host, so one overlay can map both."""
    refs: dict[str, tuple[str, str, str]] = {}
    for image in images:
        if isinstance(image, str) and image not in refs:
            refs[image] = split_image(image)
    by_name: dict[str, set[str]] = {}
    for host, repository, _ in refs.values():
        by_name.setdefault(repository, set()).add(host)
    out = {}
    for image, (host, repository, suffix) in sorted(refs.items()):
        clash = len(by_name[repository]) > 1
        neutral = f"{NEUTRAL_REGISTRY}/{host.replace(':', '-')}/{repository}" if clash else \
            f"{NEUTRAL_REGISTRY}/{repository}"
        out[image] = ImageRef(image, host, repository, suffix, neutral)
    return out
