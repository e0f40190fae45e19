"""Shared logic of the storage rules: what a StorageClass is tied to, and class references."""

from __future__ import annotations

from typing import Any

from kportable.model import Resource, as_str
from kportable.rule import RuleContext

from .._ties import Hit, lookup


def provisioner_hit(ctx: RuleContext[Any], storage_class: Resource) -> tuple[str | None, Hit | None]:
    """The provisioner of a StorageClass and the ties it matches (``None`` for a portable one)."""
    provisioner = as_str(storage_class.data.get("provisioner"))
    if not provisioner:
        return None, None
    return provisioner, lookup(ctx, "storage-provisioner", provisioner)


def class_reference(ctx: RuleContext[Any], name: str) -> tuple[Hit | None, str]:
    """What naming StorageClass ``name`` ties a claim to, and a phrase describing it.

    A class of that name defined in the bundle decides by its provisioner (a bundle may well define
    its own `gp3` on a portable provisioner); otherwise the cloud built-in class names decide.
    """
    bundled = ctx.inventory.storage_class(name)
    if bundled is not None:
        provisioner, hit = provisioner_hit(ctx, bundled)
        if hit is None:
            return None, ""
        return hit, f"the StorageClass {name!r} of this bundle, which uses {hit.first.what} ({provisioner})"
    hit = lookup(ctx, "storage-class", name)
    return hit, "" if hit is None else f"{hit.first.what}"


def removal_note(hit: Hit) -> str:
    return f" (in-tree plugin removed in Kubernetes {hit.removed_in})" if hit.removed_in else ""
