"""Edits on one object: remove keys and list items (pruning what they leave empty) and set values.

The same edits run on plain data (to compute what each overlay should contain) and on ruamel.yaml
round-trip data (to write the base with the user's comments and key order). Removing a key from a
ruamel map would also drop the comment lines that follow it, which ruamel stores on the removed
key although they belong to the next one; ``_keep_trailing_comments`` moves them to the previous
entry first, so the only comment that leaves with a key is its own end-of-line comment.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping, MutableSequence
from dataclasses import dataclass
from typing import Any

from ..positions import Pointer


@dataclass(frozen=True, slots=True)
class Edit:
    """``remove`` the key or list item at ``pointer``, or ``set`` it to ``value``."""

    op: str
    pointer: Pointer
    value: Any = None


def apply_edits(root: Any, edits: Iterable[Edit]) -> None:
    """Apply ``edits`` to ``root`` in place. Removals run last, deepest and highest list index first, so
    earlier removals never shift the pointers of later ones; containers a removal leaves empty go too
    (and a preferred scheduling term whose ``preference`` went)."""
    ordered = list(edits)
    for edit in ordered:
        if edit.op == "set":
            parent = _resolve(root, edit.pointer[:-1])
            last = edit.pointer[-1]
            if isinstance(parent, MutableMapping):  # noqa: SIM114  (two branches keep mypy's narrowing)
                parent[last] = edit.value
            elif isinstance(parent, MutableSequence) and isinstance(last, int):
                parent[last] = edit.value
    removals = sorted({e.pointer for e in ordered if e.op == "remove"}, key=_removal_order, reverse=True)
    for pointer in removals:
        _remove(root, pointer)


def _removal_order(pointer: Pointer) -> tuple[Any, ...]:
    # lexicographic on parts, with ints and strings kept apart, so later list items sort after earlier ones
    return tuple((1, p, "") if isinstance(p, int) else (0, 0, p) for p in pointer)


def _resolve(root: Any, pointer: Pointer) -> Any:
    node = root
    for part in pointer:
        if isinstance(part, int):
            if not isinstance(node, list) or not 0 <= part < len(node):
                return None
        elif not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _remove(root: Any, pointer: Pointer, carry: str = "") -> None:
    """Remove ``pointer``; ``carry`` holds comment lines of removed descendants that belong to what follows."""
    if not pointer:
        return
    parent = _resolve(root, pointer[:-1])
    last = pointer[-1]
    if not (isinstance(parent, dict) and last in parent) and not (
            isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent)):
        return
    tail = _take_tail(parent, last) + carry if getattr(parent, "ca", None) is not None else ""
    keys = list(parent.keys()) if isinstance(parent, dict) else list(range(len(parent)))
    position = keys.index(last)
    del parent[last]  # type: ignore[arg-type]  # an int for lists, checked above
    if len(pointer) >= 2 and _emptied(parent):
        _remove(root, pointer[:-1], tail)
    elif tail and position > 0:
        _append_tail(parent, keys[position - 1], tail)
    elif tail:
        _lead_comment(root, pointer[:-1], parent, tail)


def _emptied(container: Any) -> bool:
    if not container:
        return True
    # a weighted preferred term without its preference, or a spread constraint without its key, is void
    return isinstance(container, dict) and "preference" not in container and set(container) <= {"weight"}


# --------------------------------------------------------------------------- ruamel comments


def _take_tail(container: Any, key: Any) -> str:
    """The comment text after the end-of-line comment of ``container[key]`` (its deepest last entry)."""
    value = container[key]
    if isinstance(value, dict | list) and len(value) and getattr(value, "ca", None) is not None:
        last = list(value.keys())[-1] if isinstance(value, dict) else len(value) - 1
        return _take_tail(value, last)
    token = _token(container, key)
    if token is None or "\n" not in token.value:
        return ""
    _, _, tail = str(token.value).partition("\n")
    return tail


def _token(container: Any, key: Any) -> Any:
    entry = container.ca.items.get(key)
    if not entry:
        return None
    slot = 2 if isinstance(container, dict) else 0
    return entry[slot] if len(entry) > slot else None


def _append_tail(container: Any, key: Any, tail: str) -> None:
    value = container[key]
    if isinstance(value, dict | list) and len(value) and getattr(value, "ca", None) is not None:
        last = list(value.keys())[-1] if isinstance(value, dict) else len(value) - 1
        _append_tail(value, last, tail)
        return
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    token = _token(container, key)
    if token is not None:
        token.value = token.value + tail if token.value.endswith("\n") else token.value + "\n" + tail
        return
    slot = 2 if isinstance(container, dict) else 0
    entry = container.ca.items.setdefault(key, [None, None, None, None] if slot == 2 else [None, None])
    entry[slot] = CommentToken("\n" + tail, CommentMark(0), None)


def _lead_comment(root: Any, pointer: Pointer, container: Any, tail: str) -> None:
    """Put comment lines at the start of ``container`` (after its parent's ``key:`` line)."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    lines = [line for line in tail.splitlines() if line.strip()]
    if not lines:
        return
    tokens = [CommentToken(line.strip() + "\n", CommentMark(len(line) - len(line.lstrip(" "))), None) for line in lines]
    holder = _resolve(root, pointer[:-1]) if pointer else None
    holder_ca = getattr(holder, "ca", None)
    if holder_ca is not None and isinstance(holder, dict):
        entry = holder_ca.items.setdefault(pointer[-1], [None, None, None, None])
        while len(entry) < 4:
            entry.append(None)
        entry[3] = [*(entry[3] or []), *tokens]
        return
    if container.ca.comment is None:
        container.ca.comment = [None, []]
    container.ca.comment[1] = [*(container.ca.comment[1] or []), *tokens]
