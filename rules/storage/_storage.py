"""Shared logic of the storage rules: what a StorageClass is tied to, and class references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kportable.findings import Effect, Finding, Severity
from kportable.model import Resource, as_str
from kportable.positions import Pointer
from kportable.rule import RuleContext

from .._ties import Hit, lookup, tie_finding


def provisioner_hit(ctx: RuleContext[Any], storage_class: Resource) -> tuple[str | None, Hit | None]:
    """The provisioner of a StorageClass and the ties it matches (``None`` for a portable one)."""
    provisioner = as_str(storage_class.data.get("provisioner"))
    if not provisioner:
        return None, None
    return provisioner, lookup(ctx, "storage-provisioner", provisioner)


@dataclass(frozen=True, slots=True)
class ClassReference:
    """What naming a StorageClass ties a claim to: the ties, a phrase for the message, the fix."""

    hit: Hit
    what: str
    fix: str


BUNDLED_FIX = (
    "Name a neutral class (or none, for the cluster default) in the claim and ship the cloud StorageClass "
    "in a per-cloud overlay, so each cluster maps the name to its own provisioner."
)


def class_reference(ctx: RuleContext[Any], name: str) -> ClassReference | None:
    """What naming StorageClass ``name`` ties a claim to (``None`` when nothing).

    A class of that name defined in the bundle decides by its provisioner (a bundle may well define
    its own `gp3` on a portable provisioner); otherwise the cloud built-in class names decide. The
    claim's own effect is an adaptation either way: it is the class that cannot exist elsewhere.
    """
    bundled = ctx.inventory.storage_class(name)
    if bundled is not None:
        provisioner, hit = provisioner_hit(ctx, bundled)
        if hit is None:
            return None
        return ClassReference(hit, f"the StorageClass {name!r} of this bundle, which uses {hit.first.what} "
                                   f"({provisioner})", BUNDLED_FIX)
    hit = lookup(ctx, "storage-class", name)
    return None if hit is None else ClassReference(hit, hit.first.what, hit.first.fix)


def reference_finding(ctx: RuleContext[Any], res: Resource, pointer: Pointer, ref: ClassReference,
                      message: str) -> Finding:
    """A claim naming a cloud class: a major adaptation (the claim stays Pending until a class of
    that name exists), whatever the class's own effect."""
    return tie_finding(ctx, res, pointer, ref.hit, message, effect=Effect.ADAPTATION, severity=Severity.MAJOR,
                       fix=ref.fix)


def removal_note(hit: Hit) -> str:
    return f" (in-tree plugin removed in Kubernetes {hit.removed_in})" if hit.removed_in else ""
