"""Custom resources (operators' clusters, JobSets, MPIJobs, Kueue flavors) embed the same fields as
built-in kinds (``nodeSelector``, ``storageClassName``) at operator-specific paths. These helpers find
them by key, in document order and to a bounded depth, so a rule can read them without knowing each
operator's schema. Built-in kinds are left to the rules that know where their fields are."""

from __future__ import annotations

from collections.abc import Iterator

from kportable.model import Resource
from kportable.positions import Pointer

MAX_DEPTH = 16


def is_custom(res: Resource) -> bool:
    """True for objects of a non-built-in API group (CustomResourceDefinitions themselves excluded)."""
    group = res.group
    return "." in group and not group.endswith(".k8s.io")


def find_keys(node: object, keys: frozenset[str], pointer: Pointer, depth: int = 0) -> Iterator[tuple[Pointer, object]]:
    """(pointer, value) of every entry whose key is in ``keys`` under ``node`` (not descending into them)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys:
                yield (*pointer, key), value
            elif isinstance(value, dict | list):
                yield from find_keys(value, keys, (*pointer, key), depth + 1)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if isinstance(value, dict | list):
                yield from find_keys(value, keys, (*pointer, i), depth + 1)
