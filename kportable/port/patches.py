"""JSON 6902 patches from the base object to what an overlay wants.

Why JSON 6902 and not strategic merge: a strategic-merge patch cannot say "remove this list item"
or "insert this matchExpression back at index 1" without knowing each list's merge key (and custom
resources have none), while ``remove``/``add`` ops with exact paths say precisely what changes.
So the source overlay's patch is exactly the items port took out, at their original places.

The diff is structural: maps key by key; a list that only gained items (the base removed some)
gets ``add`` ops at the original indexes, in ascending order, so each op lands where the item was;
a list that only lost items gets ``remove`` ops from the highest index down; any other list change
replaces the list. Scalars compare by type as well as value (``true`` is not ``1``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..positions import Pointer, json_pointer


def same(a: Any, b: Any) -> bool:
    """Equality that keeps ``True``, ``1`` and ``1.0`` apart, recursively."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def diff(base: Any, wanted: Any) -> list[dict[str, Any]]:
    """The JSON 6902 ops that turn ``base`` into ``wanted``."""
    return list(_diff(base, wanted, ()))


def _diff(a: Any, b: Any, pointer: Pointer) -> Iterator[dict[str, Any]]:
    if same(a, b):
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a:
            if key not in b:
                yield {"op": "remove", "path": json_pointer((*pointer, key))}
        for key in b:
            if key not in a:
                yield {"op": "add", "path": json_pointer((*pointer, key)), "value": b[key]}
            else:
                yield from _diff(a[key], b[key], (*pointer, key))
        return
    if isinstance(a, list) and isinstance(b, list):
        yield from _diff_list(a, b, pointer)
        return
    yield {"op": "replace", "path": json_pointer(pointer), "value": b}


def _diff_list(a: list[Any], b: list[Any], pointer: Pointer) -> Iterator[dict[str, Any]]:
    if len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _diff(x, y, (*pointer, i))
        return
    if len(a) < len(b):
        inserted = _insertions(a, b)
        if inserted is not None:
            for i in inserted:
                yield {"op": "add", "path": json_pointer((*pointer, i)), "value": b[i]}
            return
    else:
        removed = _insertions(b, a)
        if removed is not None:
            for i in reversed(removed):
                yield {"op": "remove", "path": json_pointer((*pointer, i))}
            return
    yield {"op": "replace", "path": json_pointer(pointer), "value": b}


def _insertions(short: list[Any], long: list[Any]) -> list[int] | None:
    """Indexes of ``long`` that are not in ``short`` when ``short`` is a subsequence of ``long``
    (greedy, in order); ``None`` otherwise."""
    out = []
    j = 0
    for i, item in enumerate(long):
        if j < len(short) and same(short[j], item):
            j += 1
        else:
            out.append(i)
    return out if j == len(short) else None
