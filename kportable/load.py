"""Bytes -> documents: libyaml-speed parsing that keeps the line of every key.

This is the only module that touches the YAML parser. It composes each stream with
PyYAML's C loader (libyaml marks on every node), then walks the nodes once to build plain
JSON-compatible data and a position shadow (see ``positions``). No Python object is ever
constructed from a tag; aliases are shared, never copied, and their expanded size is bounded;
nesting depth is bounded before the C parser can recurse too deep.

Every problem with the input is a ``LoadProblem`` (turned into a ``KP0xx`` finding later),
never an exception: a broken file still yields the documents that parsed before the error.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .positions import Entry, Shadow, pack

try:
    from yaml import CSafeLoader as _Loader

    LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    LIBYAML = False
    warnings.warn(
        "kportable: PyYAML was built without libyaml; parsing falls back to the pure-Python loader "
        "(about 10x slower). Reinstall PyYAML with libyaml for full speed.",
        RuntimeWarning,
        stacklevel=1,
    )

JSON = Any  # JSON-compatible value: None, bool, int, float, str, list, dict[str, JSON]

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_NODES = 2_000_000
MAX_DEPTH = 400
# libyaml's composer recurses in C; far beyond this it overflows the C stack (measured: ~30k).
_C_NESTING_LIMIT = 10_000

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ, _MERGE = _TAG + "map", _TAG + "seq", _TAG + "merge"
_PLAIN_TAGS = frozenset(_TAG + t for t in ("timestamp", "binary", "value", "omap", "set", "pairs"))
_TRUE = frozenset(("yes", "true", "on", "y"))
_intern = sys.intern
_SOURCE_RE = re.compile(r"^# Source: (\S[^\r\n]*?)\s*$", re.M)

YAML_SYNTAX = "KP001"
DUPLICATE_KEY = "KP004"
ALIAS_LIMIT = "KP005"
UNSUPPORTED_TAG = "KP006"
UNREADABLE = "KP007"


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A problem with the input itself; becomes a ``KP0xx`` finding."""

    code: str
    line: int
    column: int
    message: str
    doc_index: int | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed YAML/JSON document: plain data plus where each key sits."""

    path: str
    index: int
    line: int
    data: JSON
    shadow: Entry
    origin: str | None = None


@dataclass(slots=True)
class ParsedSource:
    """Everything one input file yielded. Picklable, so parsing can run in worker processes."""

    path: str
    documents: list[Document] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    text: str | None = None
    empty_documents: int = 0
    skipped: str | None = None


class _Abort(Exception):
    def __init__(self, code: str, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.problem = LoadProblem(code, line, column, message)


# --------------------------------------------------------------------------- decoding


def decode(raw: bytes) -> tuple[str | None, LoadProblem | None]:
    """Decode bytes to text: UTF-8 (with or without BOM) or UTF-16/32 with a BOM.

    Binary content (a NUL byte in UTF-8 text) and invalid UTF-8 are problems with the
    line and column of the first bad byte.
    """
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(codec), None
            except UnicodeDecodeError as exc:
                return None, _bad_byte(raw, exc.start, f"not valid {codec.upper()} text")
    nul = raw.find(b"\0")
    if nul != -1:
        return None, _bad_byte(raw, nul, "binary content (NUL byte); not a YAML or JSON file")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, _bad_byte(raw, exc.start, "invalid UTF-8; save the file as UTF-8")


def _bad_byte(raw: bytes, offset: int, what: str) -> LoadProblem:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return LoadProblem(UNREADABLE, line, column, f"{what} (byte 0x{raw[offset]:02x} at offset {offset})")


# --------------------------------------------------------------------------- guards


_FLOW = re.compile(r"[\[\]{}]")
_BLOCK_RUN = re.compile(rf"^[ \t]*(?:[-?][ \t]+){{{_C_NESTING_LIMIT // 2},}}", re.M)


def nesting_hint(text: str) -> tuple[int, int] | None:
    """Return (line, depth) when the text may nest deeper than libyaml can compose safely.

    libyaml composes recursively in C and overflows the C stack some 30,000 levels down, so
    this runs before it. It is free for ordinary files (a few ``str.count`` calls) and only
    scans brackets when there are thousands of them. Brackets inside strings count too: an
    over-approximation is fine for a safety limit. Block nesting deep enough to matter needs
    a long run of ``- `` or ``? `` indicators on one line (indentation alone cannot reach it
    within the file-size limit).
    """
    if len(text) < 2 * _C_NESTING_LIMIT:
        return None
    if text.count("[") + text.count("{") >= _C_NESTING_LIMIT:
        depth = 0
        for match in _FLOW.finditer(text):
            if match.group() in "[{":
                depth += 1
                if depth > _C_NESTING_LIMIT:
                    return text.count("\n", 0, match.start()) + 1, depth
            elif depth:
                depth -= 1
    if text.count("- ") + text.count("? ") >= _C_NESTING_LIMIT // 2:
        run = _BLOCK_RUN.search(text)
        if run:
            return text.count("\n", 0, run.start()) + 1, _C_NESTING_LIMIT // 2
    return None


# --------------------------------------------------------------------------- node walk


def _int(value: str) -> int | str:
    v = value.replace("_", "")
    sign = -1 if v[:1] == "-" else 1
    if v[:1] in "+-":
        v = v[1:]
    try:
        if v == "0":
            return 0
        if v.startswith("0b"):
            return sign * int(v[2:], 2)
        if v.startswith("0x"):
            return sign * int(v[2:], 16)
        if v.startswith("0o"):
            return sign * int(v[2:], 8)
        if v[0] == "0":
            return sign * int(v, 8)
        if ":" in v:
            total = 0
            for part in v.split(":"):
                total = total * 60 + int(part)
            return sign * total
        return sign * int(v)
    except ValueError:
        return value


def _float(value: str) -> float | str:
    v = value.replace("_", "").lower()
    sign = -1.0 if v[:1] == "-" else 1.0
    if v[:1] in "+-":
        v = v[1:]
    if v == ".inf":
        return sign * float("inf")
    if v == ".nan":
        return float("nan")
    try:
        if ":" in v:
            total = 0.0
            for part in v.split(":"):
                total = total * 60 + float(part)
            return sign * total
        return sign * float(v)
    except ValueError:
        return value


class _Walker:
    """One document's node -> (data, shadow) conversion. Not reused across documents.

    Hot path: about 60 nodes per Kubernetes object. Scalars are handled inline in the
    mapping and sequence loops, keys are interned (they repeat in every object), and the
    alias memo is only kept when the stream has anchors at all.
    """

    __slots__ = ("col_offset", "line_offset", "max_nodes", "memo", "problems")

    def __init__(self, max_nodes: int, line_offset: int = 0, col_offset: int = 0, aliases: bool = True) -> None:
        self.memo: dict[int, tuple[JSON, Shadow, int] | None] | None = {} if aliases else None
        self.problems: list[LoadProblem] = []
        self.max_nodes = max_nodes
        self.line_offset = line_offset
        self.col_offset = col_offset

    def pos(self, node: Node) -> int:
        mark = node.start_mark
        if mark.line == 0:
            return pack(self.line_offset, mark.column + self.col_offset)
        return pack(mark.line + self.line_offset, mark.column)

    def scalar(self, node: ScalarNode) -> JSON:
        tag = node.tag
        value: str = node.value
        if tag == _STR:
            return value
        if tag == _INT:
            return _int(value)
        if tag == _BOOL:
            return value.lower() in _TRUE
        if tag == _NULL:
            return None
        if tag == _FLOAT:
            return _float(value)
        if tag not in _PLAIN_TAGS:
            self.unsupported(node)
        return value

    def unsupported(self, node: Node) -> None:
        packed = self.pos(node)
        self.problems.append(
            LoadProblem(
                UNSUPPORTED_TAG,
                (packed >> 20) + 1,
                (packed & 0xFFFFF) + 1,
                f"YAML tag {node.tag!r} is not a Kubernetes type; it was ignored and the value read as plain data",
            )
        )

    def abort(self, code: str, node: Node, message: str) -> _Abort:
        packed = self.pos(node)
        return _Abort(code, (packed >> 20) + 1, (packed & 0xFFFFF) + 1, message)

    def value(self, node: Node, depth: int) -> tuple[JSON, Shadow | None, int]:
        """Return (data, shadow or None for scalars, expanded node count)."""
        cls = node.__class__
        if cls is ScalarNode:
            return self.scalar(node), None, 1  # type: ignore[arg-type]
        if depth > MAX_DEPTH:
            raise self.abort(
                UNREADABLE, node, f"document nests deeper than {MAX_DEPTH} levels; no Kubernetes object does"
            )
        memo = self.memo
        if memo is None:
            if node.tag not in (_MAP, _SEQ):
                self.unsupported(node)
            return self.mapping(node, depth) if cls is MappingNode else self.sequence(node, depth)  # type: ignore[arg-type]
        key = id(node)
        if key in memo:
            hit = memo[key]
            if hit is None:
                raise self.abort(ALIAS_LIMIT, node, "recursive YAML alias: an anchor refers to itself")
            return hit
        memo[key] = None
        if node.tag not in (_MAP, _SEQ):
            self.unsupported(node)
        result = self.mapping(node, depth) if cls is MappingNode else self.sequence(node, depth)  # type: ignore[arg-type]
        memo[key] = result
        return result

    def sequence(self, node: SequenceNode, depth: int) -> tuple[JSON, Shadow, int]:
        data: list[JSON] = []
        shadow: list[Entry] = []
        size = 1
        first_line = self.line_offset == 0 and self.col_offset == 0
        for item in node.value:
            mark = item.start_mark
            p = (mark.line << 20) | mark.column if first_line else self.pos(item)
            if item.__class__ is ScalarNode:
                data.append(item.value if item.tag == _STR else self.scalar(item))
                shadow.append(p)
                size += 1
            else:
                v, sub, n = self.value(item, depth + 1)
                data.append(v)
                shadow.append(p if sub is None else (p, sub))
                size += n
        if size > self.max_nodes:
            raise self.too_big(node)
        return data, shadow, size

    def mapping(self, node: MappingNode, depth: int) -> tuple[JSON, Shadow, int]:
        data: dict[str, JSON] = {}
        shadow: dict[str, Entry] = {}
        size = 1
        merged: set[str] | None = None
        plain = self.line_offset == 0 and self.col_offset == 0
        for knode, vnode in node.value:
            if knode.__class__ is ScalarNode:
                if knode.tag == _MERGE:
                    if merged is None:
                        merged = set()
                    size += self.merge(vnode, depth, data, shadow, merged)
                    continue
                k = _intern(knode.value)
            else:
                k = json.dumps(self.value(knode, depth + 1)[0], sort_keys=True, default=str)
                kp = self.pos(knode)
                self.problems.append(
                    LoadProblem(
                        YAML_SYNTAX,
                        (kp >> 20) + 1,
                        (kp & 0xFFFFF) + 1,
                        "a mapping or list is used as a key (an unrendered template placeholder such as "
                        "{{ value }}?); Kubernetes YAML needs string keys, kubectl cannot convert this",
                    )
                )
            mark = knode.start_mark
            p = (mark.line << 20) | mark.column if plain else self.pos(knode)
            if k in data and (merged is None or k not in merged):
                self.problems.append(
                    LoadProblem(
                        DUPLICATE_KEY,
                        (p >> 20) + 1,
                        (p & 0xFFFFF) + 1,
                        f"duplicate key {k!r}: Kubernetes keeps this last value, readers see the first",
                    )
                )
            if merged:
                merged.discard(k)
            if vnode.__class__ is ScalarNode:
                data[k] = vnode.value if vnode.tag == _STR else self.scalar(vnode)
                shadow[k] = p
                size += 1
            else:
                v, sub, n = self.value(vnode, depth + 1)
                data[k] = v
                shadow[k] = p if sub is None else (p, sub)
                size += n
        if size > self.max_nodes:
            raise self.too_big(node)
        return data, shadow, size

    def merge(
        self, vnode: Node, depth: int, data: dict[str, JSON], shadow: dict[str, Entry], merged: set[str]
    ) -> int:
        sources = vnode.value if vnode.__class__ is SequenceNode else [vnode]
        size = 0
        for src in sources:
            if src.__class__ is not MappingNode:
                continue
            v, sub, n = self.value(src, depth + 1)
            size += n
            assert isinstance(v, dict)
            assert isinstance(sub, dict)
            for k, item in v.items():
                if k not in data:
                    data[k] = item
                    shadow[k] = sub[k]
                    merged.add(k)
        return size

    def too_big(self, node: Node) -> _Abort:
        return self.abort(
            ALIAS_LIMIT,
            node,
            f"aliases expand this document beyond {self.max_nodes:,} nodes (an alias bomb?); it was not linted",
        )


# --------------------------------------------------------------------------- streams


def _origin(text: str, start: int, end: int) -> str | None:
    found = None
    for m in _SOURCE_RE.finditer(text, start, end):
        found = m.group(1)
    return found


def _syntax_problem(exc: yaml.YAMLError, line_offset: int = 0) -> LoadProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    if isinstance(exc, yaml.reader.ReaderError):
        message = f"YAML reader error: {exc.reason} (character {exc.character!r})"
        return LoadProblem(YAML_SYNTAX, 1, 1, message)
    if mark is None:
        return LoadProblem(YAML_SYNTAX, 1 + line_offset, 1, message)
    return LoadProblem(YAML_SYNTAX, mark.line + 1 + line_offset, mark.column + 1, message)


def _compose(text: str) -> Iterator[Node | None]:
    loader = _Loader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


def parse_yaml(path: str, text: str, out: ParsedSource, max_nodes: int = DEFAULT_MAX_NODES) -> None:
    """Parse a YAML stream into ``out``: documents, empty-document count and problems."""
    deep = nesting_hint(text)
    if deep is not None:
        out.problems.append(
            LoadProblem(
                UNREADABLE, deep[0], 1, f"nesting deeper than {_C_NESTING_LIMIT:,} levels; the file was not parsed"
            )
        )
        return
    index = -1
    prev_end = 0
    try:
        for node in _compose(text):
            index += 1
            if node is None or node.__class__ is not MappingNode:
                if node is not None and not (node.__class__ is ScalarNode and node.tag == _NULL):
                    out.documents.append(_walk_document(path, index, node, text, prev_end, max_nodes, out))
                else:
                    out.empty_documents += 1
                if node is not None:
                    prev_end = node.end_mark.index
                continue
            out.documents.append(_walk_document(path, index, node, text, prev_end, max_nodes, out))
            prev_end = node.end_mark.index
    except yaml.YAMLError as exc:
        out.problems.append(_syntax_problem(exc))


def _walk_document(
    path: str, index: int, node: Node, text: str, prev_end: int, max_nodes: int, out: ParsedSource
) -> Document:
    walker = _Walker(max_nodes, aliases="&" in text)
    origin = _origin(text, prev_end, node.start_mark.index)
    try:
        data, sub, _ = walker.value(node, 0)
    except _Abort as abort:
        out.problems.extend(walker.problems)
        out.problems.append(_with_doc(abort.problem, index))
        return Document(path, index, node.start_mark.line + 1, None, walker.pos(node), origin)
    out.problems.extend(_with_doc(p, index) for p in walker.problems)
    p = walker.pos(node)
    return Document(path, index, node.start_mark.line + 1, data, p if sub is None else (p, sub), origin)


def _with_doc(problem: LoadProblem, index: int) -> LoadProblem:
    return LoadProblem(problem.code, problem.line, problem.column, problem.message, index)


def parse_json(path: str, text: str, out: ParsedSource, max_nodes: int = DEFAULT_MAX_NODES) -> None:
    """Parse one JSON value or several back to back (as ``kubectl`` accepts) into ``out``."""
    decoder = json.JSONDecoder()
    pos = 0
    index = 0
    length = len(text)
    ws = re.compile(r"[ \t\r\n]*")
    while True:
        m = ws.match(text, pos)
        pos = m.end() if m else pos
        if pos >= length:
            break
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            out.problems.append(LoadProblem(YAML_SYNTAX, exc.lineno, exc.colno, f"JSON syntax error: {exc.msg}"))
            return
        line = text.count("\n", 0, pos)
        col = pos - (text.rfind("\n", 0, pos) + 1)
        chunk = text[pos:end].replace("\t", " ")
        doc = _json_document(path, index, chunk, value, line, col, max_nodes, out)
        out.documents.append(doc)
        index += 1
        pos = end


def _json_document(
    path: str, index: int, chunk: str, value: JSON, line: int, col: int, max_nodes: int, out: ParsedSource
) -> Document:
    try:
        nodes = list(_compose(chunk))
    except yaml.YAMLError:
        nodes = []
    if len(nodes) == 1 and nodes[0] is not None:
        walker = _Walker(max_nodes, line, col)
        try:
            data, sub, _ = walker.value(nodes[0], 0)
        except _Abort as abort:
            out.problems.append(_with_doc(abort.problem, index))
            return Document(path, index, line + 1, None, pack(line, col))
        if data == value:
            out.problems.extend(_with_doc(p, index) for p in walker.problems)
            p = pack(line, col)
            return Document(path, index, line + 1, data, p if sub is None else (p, sub))
    # JSON that YAML 1.1 reads differently: keep the JSON value, positions at the document start.
    return Document(path, index, line + 1, value, pack(line, col))


def looks_like_json(text: str) -> bool:
    """True when the text is JSON, decided as ``kubectl`` does: by its first non-blank character.

    The file name does not matter: YAML saved as ``.json`` is read as YAML, and a stream that
    starts with ``{`` is read as JSON (several values back to back are allowed). A file that is
    not named ``*.json`` and fails as JSON is read again as YAML (see ``parse_text``).
    """
    return text.lstrip("\ufeff \t\r\n")[:1] == "{"


def parse_text(path: str, text: str, *, is_json: bool, max_nodes: int = DEFAULT_MAX_NODES) -> ParsedSource:
    """Parse decoded text as a YAML stream or as JSON value(s).

    Text that looks like JSON (``is_json``) but does not parse as JSON is YAML that happens to
    start with a flow mapping (``{}`` then ``---`` then block YAML) unless the file is named
    ``*.json``: it is parsed again as YAML, and the YAML reading wins when it has no syntax error.
    """
    out = ParsedSource(path, text=text)
    if not is_json:
        parse_yaml(path, text, out, max_nodes)
        return out
    parse_json(path, text, out, max_nodes)
    if any(p.code == YAML_SYNTAX for p in out.problems) and not path.lower().endswith(".json"):
        as_yaml = ParsedSource(path, text=text)
        parse_yaml(path, text, as_yaml, max_nodes)
        if not any(p.code == YAML_SYNTAX for p in as_yaml.problems):
            return as_yaml
    return out


def parse_bytes(
    path: str,
    raw: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> ParsedSource:
    """Decode and parse one input (JSON or YAML, decided from the content)."""
    if len(raw) > max_bytes:
        out = ParsedSource(path)
        out.problems.append(
            LoadProblem(
                UNREADABLE,
                1,
                1,
                f"file is {len(raw):,} bytes, over the {max_bytes:,}-byte limit (raise it with --max-file-size)",
            )
        )
        return out
    text, problem = decode(raw)
    if text is None:
        out = ParsedSource(path)
        if problem is not None:
            out.problems.append(problem)
        return out
    return parse_text(path, text, is_json=looks_like_json(text), max_nodes=max_nodes)
