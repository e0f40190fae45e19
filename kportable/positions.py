"""Key path -> line/column index, kept beside each parsed document.

The loader builds plain JSON-compatible data and, in the same walk, a *shadow* tree with the
position of every mapping key and sequence item. The shadow mirrors the data's shape:

- a mapping's shadow is ``dict[key, Entry]``;
- a sequence's shadow is ``list[Entry]``;
- an ``Entry`` is a packed position (``int``) for a scalar value, or ``(packed, child)`` where
  ``child`` is the shadow of a mapping or sequence value.

A packed position is ``line << 20 | column`` with both 0-based, so one Python int per node
(most of them small) is all the index costs. ``locate`` resolves a pointer to the deepest
existing node on its path, so a finding about a *missing* field points at its parent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

COL_BITS = 20
COL_MASK = (1 << COL_BITS) - 1

Shadow: TypeAlias = dict[str, "Entry"] | list["Entry"]
Entry: TypeAlias = int | tuple[int, Shadow]
PointerPart: TypeAlias = str | int
Pointer: TypeAlias = tuple[PointerPart, ...]


def pack(line: int, column: int) -> int:
    """Pack a 0-based line and column into one int."""
    return (line << COL_BITS) | min(column, COL_MASK)


def unpack(packed: int) -> tuple[int, int]:
    """Return the 1-based (line, column) of a packed position."""
    return (packed >> COL_BITS) + 1, (packed & COL_MASK) + 1


@dataclass(frozen=True, slots=True)
class Position:
    """Where a key path lands in its file (1-based); ``exact`` is False when only an ancestor exists."""

    line: int
    column: int
    exact: bool
    depth: int


def locate(root: Entry, pointer: Sequence[PointerPart]) -> Position:
    """Find the line and column of ``pointer`` (or of its deepest existing ancestor)."""
    line, column, depth = line_column(root, pointer)
    return Position(line, column, depth == len(pointer), depth)


def line_column(root: Entry, pointer: Sequence[PointerPart]) -> tuple[int, int, int]:
    """``locate`` as a plain tuple (1-based line, column, depth reached), for the per-finding path."""
    entry: Entry = root
    depth = 0
    for part in pointer:  # no helper calls: every finding comes through here
        if entry.__class__ is int:
            break
        child = entry[1]  # type: ignore[index]
        if child.__class__ is dict:
            nxt = child.get(part) if isinstance(part, str) else None
        elif isinstance(part, int) and 0 <= part < len(child):
            nxt = child[part]  # type: ignore[index]
        else:
            break
        if nxt is None:
            break
        entry = nxt
        depth += 1
    packed: int = entry if entry.__class__ is int else entry[0]  # type: ignore[index]
    return (packed >> COL_BITS) + 1, (packed & COL_MASK) + 1, depth


def format_pointer(pointer: Sequence[PointerPart]) -> str:
    """Render a pointer as a key path: ``spec.template.spec.containers[0].resources``.

    Keys that are not plain identifiers are quoted: ``metadata.annotations["eks.amazonaws.com/role-arn"]``.
    """
    out: list[str] = []
    for part in pointer:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part.replace("_", "a").replace("-", "a").isalnum() and not part[:1].isdigit():
            out.append(f".{part}" if out else part)
        else:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'["{escaped}"]')
    return "".join(out)


def json_pointer(pointer: Sequence[PointerPart]) -> str:
    """Render a pointer as RFC 6901 JSON Pointer: ``/spec/template/spec/containers/0``."""
    return "".join(["/" + str(p).replace("~", "~0").replace("/", "~1") for p in pointer])


# ``key: |`` (with an optional chomping/indentation indicator and comment): a literal block scalar.
_LITERAL_BLOCK_KEY = re.compile(r"""(?:"[^"]*"|'[^']*'|[^\s:][^:]*?)\s*:\s*\|[1-9+-]{0,2}\s*(?:#.*)?""")
_LEAD = re.compile(r"\s*(?:-\s+)*")  # indentation and sequence-entry dashes before a key


def opens_literal_block(line: str, column: int | None = None) -> bool:
    """True when the key on ``line`` (at 1-based ``column``, else the line's first key) has a literal
    block scalar as its value. Such a block keeps its lines as written, so a line inside the string is
    a line of the file at a fixed offset (what rules pointing into ``mapRoles: |`` rely on)."""
    lead = _LEAD.match(line) if column is None else None
    start = column - 1 if column is not None else lead.end() if lead else 0
    return _LITERAL_BLOCK_KEY.fullmatch(line.rstrip("\r\n"), start) is not None
