"""The key tree of YAML-like text that cannot be parsed (a Helm template), to find a key's line in it.

A Helm template is a Go template that *produces* YAML: ``{{ if }}`` branches, ``{{ range }}``
loops and ``{{ include ... | nindent 8 }}`` actions that emit whole blocks. It is not YAML, but
its static keys already sit at the indentation they will have in the output. ``outline`` reads
the text line by line, the way a person would:

- ``---`` lines split it into documents (*segments*);
- block scalars (``key: |``) are skipped, so keys inside embedded config files never match;
- a line that is only actions is not a key: a *control* action (``if``, ``range``, ``with``...)
  marks the block it sits in (its item positions may shift); any other action *emits* content,
  at its ``nindent``/``indent`` column when it has one, and marks the node that will own it as
  *dynamic*;
- every other line is a mapping key and/or a sequence item (``- name: web``), placed in the
  tree by its column.

``find_line`` then walks a rendered pointer down that tree. The heuristic, in order of trust:

1. a mapping key must be a child of the node found for the previous step; when a key appears
   twice (``if``/``else`` branches), the one whose literal value equals the rendered value
   wins, then the only one with a templated value; still ambiguous means not found;
2. a sequence item is matched by its identifying key first (``name``, ``mountPath``,
   ``containerPort``...: the rendered item's value against a literal in the template), then as
   the only item whose identity is not contradicted by a different literal (when no action emits
   extra items into the block), then by position when the block has no control action and as
   many items as the render, then as the only item of its block (a ``range`` loop);
3. a found scalar whose literal value differs from the rendered one is not the source;
4. when the walk stops early, the deepest node found is the answer only if it is dynamic (an
   action emits content into it, so the missing key comes from there, e.g. ``toYaml
   .Values.resources`` under ``resources:``); otherwise there is no answer.

No answer (``None``) means "use the document start": a wrong line is worse than a coarse one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..load import JSON, parse_text

_ACTION = re.compile(r"\{\{.*?\}\}")
_ACTION_BODY = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_INDENT_FN = re.compile(r"\bn?indent\s+(\d+)")
_CONTROL = re.compile(r"^(?:if|else|end|range|with|define|block|break|continue|/\*|\$[\w.]*\s*:?=)")
_BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*\s*(?:#.*)?$")
IDENTITY_KEYS = ("name", "mountPath", "containerPort", "port", "devicePath", "key", "ip")


@dataclass(eq=False, slots=True)
class Node:
    """A mapping key (``key`` set) or a sequence item (``key is None``) of the outline."""

    line: int
    col: int
    key: str | None
    value: str = ""
    children: list[Node] = field(default_factory=list)
    dynamic: bool = False
    control: bool = False

    @property
    def templated(self) -> bool:
        return "{{" in self.value


@dataclass(slots=True)
class Segment:
    """One ``---``-separated document of the text; ``start`` is the line of its first key."""

    root: Node
    start: int = 0

    @property
    def empty(self) -> bool:
        return not self.root.children

    def top_value(self, key: str) -> str | None:
        """The literal inline value of a top-level key (``kind``), unquoted; ``None`` if absent."""
        for child in self.root.children:
            if child.key == key:
                return _unquote(child.value)
        return None


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _strip_comment(value: str) -> str:
    if value.startswith("#"):
        return ""
    cut = value.find(" #")
    if cut != -1 and "{{" not in value[cut:] and value[:1] not in "'\"":
        value = value[:cut]
    return value.rstrip()


def _split_key(rest: str) -> tuple[str | None, str]:
    """``key: value`` -> (key, value); a line that is not a mapping entry -> (None, text)."""
    if not rest or (rest[0] in "[{?!&*|>%@`" and not rest.startswith("{{")):
        return None, rest
    if rest[0] in "'\"":
        quote = rest[0]
        i = 1
        while i < len(rest):
            if rest[i] == quote:
                if quote == "'" and rest[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                break
            if quote == '"' and rest[i] == "\\":
                i += 1
            i += 1
        after = rest[i + 1 :].lstrip()
        if after.startswith(":") and (len(after) == 1 or after[1] in " \t"):
            key = rest[1:i].replace("''", "'") if quote == "'" else rest[1:i]
            return key, _strip_comment(after[1:].strip())
        return None, rest
    depth = 0
    i = 0
    while i < len(rest):
        if rest.startswith("{{", i):
            depth += 1
            i += 2
            continue
        if rest.startswith("}}", i) and depth:
            depth -= 1
            i += 2
            continue
        ch = rest[i]
        if ch == ":" and not depth and (i + 1 == len(rest) or rest[i + 1] in " \t"):
            return rest[:i].rstrip(), _strip_comment(rest[i + 1 :].strip())
        if ch == "#" and i and rest[i - 1] in " \t" and not depth:
            break
        i += 1
    return None, rest


class _Builder:
    """One pass over the text; see the module docstring for what each kind of line does."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.segment = Segment(Node(0, -1, None))
        self.stack: list[Node] = [self.segment.root]
        self.pending_control = False

    def new_segment(self) -> None:
        self.segments.append(self.segment)
        self.segment = Segment(Node(0, -1, None))
        self.stack = [self.segment.root]
        self.pending_control = False

    def owner(self, column: int) -> Node:
        for node in reversed(self.stack):
            if node.col < column:
                return node
        return self.stack[0]

    def action_line(self, stripped: str, indent: int) -> None:
        for body in _ACTION_BODY.findall(stripped):
            if _CONTROL.match(body):
                self.pending_control = True
                continue
            fn = _INDENT_FN.search(body)
            column = int(fn.group(1)) if fn else indent
            self.owner(column).dynamic = True

    def attach(self, parent: Node, node: Node) -> None:
        if self.pending_control:
            parent.control = True
            self.pending_control = False
        parent.children.append(node)
        if not self.segment.start:
            self.segment.start = node.line

    def content_line(self, number: int, raw: str, indent: int) -> int | None:
        """Place one key/item line; return the column a block scalar's content must exceed."""
        pos = indent
        item: Node | None = None
        while raw.startswith("-", pos) and (pos + 1 == len(raw) or raw[pos + 1] in " \t"):
            while self.stack[-1].col > pos or (self.stack[-1].col == pos and self.stack[-1].key is None):
                self.stack.pop()
            item = Node(number, pos, None)
            self.attach(self.stack[-1], item)
            self.stack.append(item)
            pos += 1
            while pos < len(raw) and raw[pos] in " \t":
                pos += 1
        rest = raw[pos:].rstrip()
        key, value = _split_key(rest)
        if key is None:
            if item is None:
                return None  # a continuation line (multi-line plain or flow scalar): not structure
            item.value = _strip_comment(rest)
            if "{{" in rest:
                item.dynamic = True
            return item.col if _BLOCK_SCALAR.match(rest) else None
        while self.stack[-1].col >= pos:
            self.stack.pop()
        node = Node(number, pos, _unquote(key) if "{{" not in key else key, value)
        if "{{" in value:
            node.dynamic = True
        self.attach(self.stack[-1], node)
        self.stack.append(node)
        return pos if _BLOCK_SCALAR.match(value) else None


def outline(text: str) -> list[Segment]:
    """The segments of a template (or any YAML-like text), each with its key tree."""
    b = _Builder()
    block: int | None = None
    in_action = False
    for number, original in enumerate(text.splitlines(), 1):
        raw = original.replace("\t", "  ")
        stripped = raw.strip()
        if in_action:
            if "}}" in stripped:
                in_action = False
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        full_action = stripped.startswith("{{") and not _ACTION.sub("", stripped).strip()
        if block is not None:
            if not stripped or indent > block or full_action:
                continue
            block = None
        if not stripped or stripped.startswith("#"):
            continue
        if raw.startswith("---") and (len(raw) == 3 or raw[3] in " \t#"):
            b.new_segment()
            continue
        if stripped.startswith("{{") and "}}" not in stripped:
            in_action = True
            b.pending_control = True
            continue
        if full_action:
            b.action_line(stripped, indent)
            continue
        block = b.content_line(number, raw, indent)
    b.segments.append(b.segment)
    return b.segments


# --------------------------------------------------------------------------- lookup


@lru_cache(maxsize=4096)
def _load_literal(literal: str) -> tuple[bool, JSON]:
    """(True, value) when the literal loads as a YAML scalar (kportable's loader); else (False, None)."""
    parsed = parse_text("<literal>", f"v: {literal}\n", is_json=False)
    if parsed.problems or not parsed.documents or not isinstance(parsed.documents[0].data, dict):
        return False, None
    return True, parsed.documents[0].data.get("v")


def _scalar_equal(literal: str, value: JSON) -> bool:
    """Does the template's literal text load to the rendered scalar?"""
    if literal in ("", "|", ">") or literal[:1] in "|>":
        return True
    ok, loaded = _load_literal(literal)
    if not ok:
        return _unquote(literal) == str(value)
    return bool(loaded == value or str(loaded) == str(value))


def _choose_key(candidates: list[Node], rendered: JSON) -> Node | None:
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    if not isinstance(rendered, dict | list):
        literal = [c for c in candidates if not c.templated and c.value and _scalar_equal(c.value, rendered)]
        if len(literal) == 1:
            return literal[0]
        templated = [c for c in candidates if c.templated]
        if not literal and len(templated) == 1:
            return templated[0]
    return None


def _identity(item: JSON) -> tuple[str, JSON] | None:
    if isinstance(item, dict):
        for key in IDENTITY_KEYS:
            value = item.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return key, value
    return None


def _literal_child(node: Node, key: str) -> Node | None:
    for child in node.children:
        if child.key == key:
            return child
    return None


def _choose_item(parent: Node, index: int, rendered: list[JSON]) -> Node | None:
    items = [c for c in parent.children if c.key is None]
    if not items or not 0 <= index < len(rendered):
        return None
    ident = _identity(rendered[index])

    def contradicts(item: Node) -> bool:
        if ident is None:
            return False
        child = _literal_child(item, ident[0])
        return child is not None and not child.templated and not _scalar_equal(child.value, ident[1])

    if ident is not None:
        named = [
            it for it in items
            if (child := _literal_child(it, ident[0])) is not None and not child.templated
            and _scalar_equal(child.value, ident[1])
        ]
        if len(named) == 1:
            return named[0]
        possible = [it for it in items if not contradicts(it)]
        if len(possible) == 1 and not parent.dynamic:
            return possible[0]
    if not parent.control and len(items) == len(rendered) and not contradicts(items[index]):
        return items[index]
    if len(items) == 1 and not contradicts(items[0]):
        return items[0]
    return None


def find_line(segment: Segment, pointer: tuple[str | int, ...], data: JSON) -> int | None:
    """The template line that defines ``pointer`` of the rendered ``data``, or ``None`` (use the start)."""
    node = segment.root
    value: JSON = data
    for part in pointer:
        nxt: Node | None = None
        child: JSON = None
        if isinstance(part, str):
            child = value.get(part) if isinstance(value, dict) else None
            nxt = _choose_key([c for c in node.children if c.key == part], child)
        elif isinstance(value, list):
            child = value[part] if 0 <= part < len(value) else None
            nxt = _choose_item(node, part, value)
        if nxt is None:
            return node.line if node is not segment.root and node.dynamic else None
        node, value = nxt, child
    literal = node.key is not None and not node.templated and bool(node.value)
    if literal and not isinstance(value, dict | list) and not _scalar_equal(node.value, value):
        return None
    return node.line
