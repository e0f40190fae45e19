"""Bytes -> documents: libyaml-speed parsing that keeps the line of every key.

This is the only module that touches the YAML parser. It reads each stream's events from
PyYAML's C parser (libyaml marks on every event) and builds, in one pass, plain JSON-compatible
data and a position shadow (see ``positions``), with the same results PyYAML's composer would
give but without building its node tree. No Python object is ever constructed from a tag;
aliases are shared, never copied, and their expanded size is bounded; nesting depth is bounded.

Every problem with the input is a ``LoadProblem`` (turned into a ``KP0xx`` finding later),
never an exception: a broken file still yields the documents that parsed before the error.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .positions import COL_MASK, Entry, Shadow, pack

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
# No Kubernetes object nests this deep. Past it the document is not linted and the rest of the file
# is not read: libyaml's cost per token grows with the flow nesting depth (quadratic overall), so
# reading on through a pathological file would hang instead of failing fast.
MAX_DEPTH = 400
_TOO_DEEP = (
    f"nesting deeper than {MAX_DEPTH} levels (no Kubernetes object nests that deep); "
    "the document was not linted and the rest of the file was not read"
)

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
    """The current document cannot be linted; ``fatal``: nor can the rest of the file be read."""

    def __init__(self, code: str, line: int, column: int, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.problem = LoadProblem(code, line, column, message)
        self.fatal = fatal


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


# --------------------------------------------------------------------------- scalars


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


def _convert(tag: str, value: str) -> JSON:
    """The plain-data value of a scalar with a resolved tag (unknown tags read as the string)."""
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
    return value


# PyYAML's own resolver (YAML 1.1 implicit types), so tags are exactly the composer's.
_resolve: Callable[[Any, str, tuple[bool, bool]], str] = Resolver().resolve
_PLAIN_IMPLICIT = (True, False)
# Plain scalars repeat endlessly across manifests (``name``, ``TCP``, ``"80"``, ``true``): their
# resolved value is memoised, which skips PyYAML's regex resolver and shares one object per value.
# Bounded, and only for tags that need no problem report, so it never changes a result.
_PLAIN_CACHE: dict[str, JSON] = {}
_PLAIN_CACHE_MAX = 1 << 16
_CACHEABLE_TAGS = frozenset((_STR, _INT, _FLOAT, _BOOL, _NULL, *_PLAIN_TAGS))
_MISS: Any = object()


def _scalar_tag(ev: ScalarEvent) -> str:
    """The tag PyYAML's composer gives a scalar: explicit, or resolved from the value (YAML 1.1)."""
    tag: str | None = ev.tag
    if tag is None or tag == "!":
        return _resolve(ScalarNode, ev.value, ev.implicit)
    return tag


# --------------------------------------------------------------------------- event walk


class _Builder:
    """Libyaml events -> (data, shadow) for the documents of one stream, in a single pass.

    This replaces PyYAML's composer: building nodes costs a Python object per node plus three
    Python-level resolver calls, which was most of the parse time. The results are exactly the
    composer's (same tags, same marks, same errors): scalars are resolved with PyYAML's own
    resolver (memoised for plain scalars), anchors are registered when their node starts (so an
    alias inside its own anchor is caught as recursive), and the composer's errors (undefined
    alias, duplicate anchor) are raised as the same ``ComposerError``.

    Hot path: about 110 events per Kubernetes object. Untagged, unanchored scalars are handled
    inline in the mapping and sequence loops, keys are interned (they repeat in every object),
    and positions are packed inline unless offsets (JSON chunks) or very long lines need
    ``pos``.
    """

    __slots__ = (
        "anchors", "col_offset", "end", "get", "line_offset", "max_nodes", "names", "open", "plain",
        "problems",
    )

    def __init__(
        self, get_event: Callable[[], Any], max_nodes: int, line_offset: int = 0, col_offset: int = 0,
        *, long_lines: bool = False,
    ) -> None:
        self.get = get_event
        self.max_nodes = max_nodes
        self.line_offset = line_offset
        self.col_offset = col_offset
        # inline packing is exact only without offsets and with columns below 2**20
        self.plain = not (line_offset or col_offset or long_lines)
        self.problems: list[LoadProblem] = []
        self.anchors: dict[str, _Anchored] = {}
        self.names: dict[str, Any] = {}
        self.open: dict[str, int] = {}
        self.end: Any = None

    def pos(self, mark: Any) -> int:
        if mark.line == 0:
            return pack(self.line_offset, mark.column + self.col_offset)
        return pack(mark.line + self.line_offset, mark.column)

    # ---------------------------------------------------------------- documents

    def document(self, root: Any) -> tuple[JSON, Entry, _Abort | None, Any]:
        """Build one document from its root event through its ``DocumentEndEvent``.

        Returns (data, shadow entry, abort or None, end mark of the root node). After an abort
        the rest of the document is still read, so a syntax error later in it wins, as it does
        with the composer (which reads the whole document before anything is built).
        """
        self.problems = []
        self.anchors = {}
        self.names = {}
        self.open = {}
        try:
            data, sub, _, p = self.value(root, 0)
        except RecursionError:  # MAX_DEPTH keeps this out of reach unless the caller's stack is already deep
            return None, self.pos(root.start_mark), _too_deep(self.pos(root.start_mark)), None
        except _Abort as abort:
            end = None if abort.fatal else self.drain()
            return None, self.pos(root.start_mark), abort, end
        end = root.end_mark if root.__class__ is ScalarEvent else self.end
        self.get()  # DocumentEndEvent
        return data, p if sub is None else (p, sub), None, end

    def drain(self) -> Any:
        """Skip to the end of the document, raising the composer's errors; return the root's end mark."""
        get = self.get
        last = None
        while True:
            ev = get()
            cls = ev.__class__
            if cls is DocumentEndEvent:
                return None if last is None else last.end_mark
            last = ev
            if cls is AliasEvent:
                if ev.anchor not in self.names:
                    raise ComposerError(None, None, "found undefined alias", ev.start_mark)
            elif getattr(ev, "anchor", None) is not None:
                self.define(ev)

    # ---------------------------------------------------------------- nodes

    def define(self, ev: Any) -> None:
        name = ev.anchor
        first = self.names.get(name)
        if first is not None:
            raise ComposerError("found duplicate anchor; first occurrence", first, "second occurrence", ev.start_mark)
        self.names[name] = ev.start_mark

    def value(self, ev: Any, depth: int) -> tuple[JSON, Shadow | None, int, int]:
        """Build the node starting at ``ev``: (data, shadow or None for scalars, expanded size, position)."""
        cls = ev.__class__
        if cls is ScalarEvent:
            p = self.pos(ev.start_mark)
            tag = _scalar_tag(ev)
            if ev.anchor is not None:
                self.define(ev)
                self.anchors[ev.anchor] = (None, ev.value, tag, p, None)
            return self.scalar(tag, ev.value, p), None, 1, p
        if cls is AliasEvent:
            return self.alias(ev, depth)
        m = ev.start_mark
        p = (m.line << 20) | m.column if self.plain else self.pos(m)
        anchor = ev.anchor
        if anchor is not None:
            self.define(ev)
        if depth > MAX_DEPTH:
            raise _too_deep(p)
        tag = ev.tag
        if tag is not None and tag != "!" and tag not in (_MAP, _SEQ):
            self.unsupported(tag, p)
        if anchor is None:
            if cls is MappingStartEvent:
                data, sub, n = self.mapping(p, depth)
            else:
                data, sub, n = self.sequence(p, depth)
            return data, sub, n, p
        self.open[anchor] = p
        sizes: list[int] | None = None
        if cls is MappingStartEvent:
            data, sub, n = self.mapping(p, depth)
        else:
            sizes = []
            data, sub, n = self.sequence(p, depth, sizes)
        del self.open[anchor]
        self.anchors[anchor] = (sub, data, n, p, sizes)
        return data, sub, n, p

    def alias(self, ev: Any, depth: int) -> tuple[JSON, Shadow | None, int, int]:
        """An alias shares its anchor's data (never copied); its size counts again, so bombs are bounded."""
        name = ev.anchor
        if name not in self.names:
            raise ComposerError(None, None, "found undefined alias", ev.start_mark)
        entry = self.anchors.get(name)
        if entry is None:  # still open: the alias is inside its own anchor
            p = self.open.get(name, self.pos(ev.start_mark))
            if depth > MAX_DEPTH:
                raise _too_deep(p)
            raise _abort(ALIAS_LIMIT, p, "recursive YAML alias: an anchor refers to itself")
        sub, data, n, p, _ = entry
        if sub is None:  # a scalar: (None, raw value, tag, position, None)
            return self.scalar(n, data, p), None, 1, p
        if depth > MAX_DEPTH:
            raise _too_deep(p)
        return data, sub, n, p

    def scalar(self, tag: str, value: str, p: int) -> JSON:
        if tag not in _CACHEABLE_TAGS:
            self.unsupported(tag, p)
        return _convert(tag, value)

    def plain_scalar(self, ev: Any) -> JSON:
        """Resolve an untagged plain scalar (a cache miss) and remember it when that is safe."""
        value: str = ev.value
        tag = _resolve(ScalarNode, value, _PLAIN_IMPLICIT)
        if tag not in _CACHEABLE_TAGS:
            self.unsupported(tag, self.pos(ev.start_mark))
            return value
        result = _convert(tag, value)
        if len(_PLAIN_CACHE) < _PLAIN_CACHE_MAX:
            _PLAIN_CACHE[value] = result
        return result

    def unsupported(self, tag: str, p: int) -> None:
        self.problems.append(
            LoadProblem(
                UNSUPPORTED_TAG,
                (p >> 20) + 1,
                (p & 0xFFFFF) + 1,
                f"YAML tag {tag!r} is not a Kubernetes type; it was ignored and the value read as plain data",
            )
        )

    def sequence(self, start: int, depth: int, sizes: list[int] | None = None) -> tuple[JSON, Shadow, int]:
        get = self.get
        plain = self.plain
        cache = _PLAIN_CACHE
        data: list[JSON] = []
        shadow: list[Entry] = []
        append = data.append
        mark_at = shadow.append
        size = 1
        while True:
            ev = get()
            cls = ev.__class__
            if cls is ScalarEvent and ev.tag is None and ev.anchor is None:
                m = ev.start_mark
                mark_at((m.line << 20) | m.column if plain else self.pos(m))
                v = ev.value
                if ev.implicit[0]:
                    c = cache.get(v, _MISS)
                    append(self.plain_scalar(ev) if c is _MISS else c)
                else:
                    append(v)
                size += 1
                if sizes is not None:
                    sizes.append(1)
            elif cls is SequenceEndEvent:
                self.end = ev.end_mark
                break
            else:
                v, sub, n, p = self.value(ev, depth + 1)
                append(v)
                mark_at(p if sub is None else (p, sub))
                size += n
                if sizes is not None:
                    sizes.append(n)
        if size > self.max_nodes:
            raise self.too_big(start)
        return data, shadow, size

    def mapping(self, start: int, depth: int) -> tuple[JSON, Shadow, int]:
        get = self.get
        plain = self.plain
        cache = _PLAIN_CACHE
        problems = self.problems
        data: dict[str, JSON] = {}
        shadow: dict[str, Entry] = {}
        size = 1
        merged: set[str] | None = None
        while True:
            ev = get()
            cls = ev.__class__
            if cls is ScalarEvent and ev.tag is None and ev.anchor is None and (k := ev.value) != "<<":
                m = ev.start_mark
                kp = (m.line << 20) | m.column if plain else self.pos(m)
                k = _intern(k)
            elif cls is MappingEndEvent:
                self.end = ev.end_mark
                break
            else:
                key = self.key(ev, depth)
                if key is None:
                    if merged is None:
                        merged = set()
                    size += self.merge(depth, data, shadow, merged)
                    continue
                k, kp = key
            if k in data and (merged is None or k not in merged):
                problems.append(
                    LoadProblem(
                        DUPLICATE_KEY,
                        (kp >> 20) + 1,
                        (kp & 0xFFFFF) + 1,
                        f"duplicate key {k!r}: Kubernetes keeps this last value, readers see the first",
                    )
                )
            if merged:
                merged.discard(k)
            ev = get()
            if ev.__class__ is ScalarEvent and ev.tag is None and ev.anchor is None:
                v = ev.value
                if ev.implicit[0]:
                    c = cache.get(v, _MISS)
                    data[k] = self.plain_scalar(ev) if c is _MISS else c
                else:
                    data[k] = v
                shadow[k] = kp
                size += 1
            else:
                v, sub, n, _ = self.value(ev, depth + 1)
                data[k] = v
                shadow[k] = kp if sub is None else (kp, sub)
                size += n
        if size > self.max_nodes:
            raise self.too_big(start)
        return data, shadow, size

    def key(self, ev: Any, depth: int) -> tuple[str, int] | None:
        """A mapping key that is not a plain string (tagged, anchored, alias, ``<<`` or a collection).

        Returns None for a merge key. A collection used as a key becomes its JSON text and a
        problem (an unrendered ``{{ template }}`` is the usual cause).
        """
        cls = ev.__class__
        if cls is ScalarEvent:
            tag = _scalar_tag(ev)
            p = self.pos(ev.start_mark)
            if ev.anchor is not None:
                self.define(ev)
                self.anchors[ev.anchor] = (None, ev.value, tag, p, None)
            return None if tag == _MERGE else (_intern(ev.value), p)
        if cls is AliasEvent:
            entry = self.anchors.get(ev.anchor)
            if entry is not None and entry[0] is None:
                _, raw, tag, p, _ = entry
                return None if tag == _MERGE else (_intern(raw), p)
            v, _, _, p = self.alias(ev, depth + 1)
        else:
            v, _, _, p = self.value(ev, depth + 1)
        self.problems.append(
            LoadProblem(
                YAML_SYNTAX,
                (p >> 20) + 1,
                (p & 0xFFFFF) + 1,
                "a mapping or list is used as a key (an unrendered template placeholder such as "
                "{{ value }}?); Kubernetes YAML needs string keys, kubectl cannot convert this",
            )
        )
        return json.dumps(v, sort_keys=True, default=str), p

    def merge(self, depth: int, data: dict[str, JSON], shadow: dict[str, Entry], merged: set[str]) -> int:
        """Read the value of a ``<<`` key and merge its mapping(s) into ``data`` (own keys win)."""
        ev = self.get()
        cls = ev.__class__
        sources: list[tuple[Any, Any, int]] = []
        v: Any
        sub: Any
        if cls is ScalarEvent:  # not a mapping: ignored, as by the composer-based reader
            if ev.anchor is not None:
                self.define(ev)
                self.anchors[ev.anchor] = (None, ev.value, _scalar_tag(ev), self.pos(ev.start_mark), None)
            return 0
        if cls is AliasEvent:
            entry = self.anchors.get(ev.anchor)
            if entry is not None and entry[0] is None:  # an anchored scalar: ignored
                return 0
            v, sub, n, _ = self.alias(ev, depth + 1)  # raises for an undefined or recursive alias
            if entry is not None and entry[4] is not None:  # an anchored sequence: merge its mappings
                sources = [(item, sub[i][1], entry[4][i]) for i, item in enumerate(v) if isinstance(item, dict)]
            elif isinstance(v, dict):
                sources = [(v, sub, n)]
        elif cls is MappingStartEvent:
            v, sub, n, _ = self.value(ev, depth + 1)
            sources = [(v, sub, n)]
        else:
            sizes: list[int] = []
            p = self.pos(ev.start_mark)
            if ev.anchor is not None:
                self.define(ev)
                self.open[ev.anchor] = p
            v, sub, n = self.sequence(p, depth, sizes)
            if ev.anchor is not None:
                del self.open[ev.anchor]
                self.anchors[ev.anchor] = (sub, v, n, p, sizes)
            sources = [(item, sub[i][1], sizes[i]) for i, item in enumerate(v) if isinstance(item, dict)]
        size = 0
        for v, sub, n in sources:
            size += n
            for k, item in v.items():
                if k not in data:
                    data[k] = item
                    shadow[k] = sub[k]
                    merged.add(k)
        return size

    def too_big(self, start: int) -> _Abort:
        return _abort(
            ALIAS_LIMIT,
            start,
            f"aliases expand this document beyond {self.max_nodes:,} nodes (an alias bomb?); it was not linted",
        )


# An anchor: (shadow, data, size, position, item sizes) for a collection,
# (None, raw value, tag, position, None) for a scalar.
_Anchored = tuple[Any, Any, Any, int, list[int] | None]


def _abort(code: str, packed: int, message: str) -> _Abort:
    return _Abort(code, (packed >> 20) + 1, (packed & 0xFFFFF) + 1, message)


def _too_deep(packed: int) -> _Abort:
    return _Abort(UNREADABLE, (packed >> 20) + 1, (packed & 0xFFFFF) + 1, _TOO_DEEP, fatal=True)


# --------------------------------------------------------------------------- streams


def _origin(text: str, start: int, end: int) -> str | None:
    found = None
    for m in _SOURCE_RE.finditer(text, start, end):
        found = m.group(1)
    return found


def _syntax_problem(exc: yaml.YAMLError, text: str) -> LoadProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    if isinstance(exc, yaml.reader.ReaderError):
        message = f"YAML reader error: {exc.reason} (character {exc.character!r})"
        return LoadProblem(YAML_SYNTAX, 1, 1, message)
    if mark is None:
        return LoadProblem(YAML_SYNTAX, 1, 1, message)
    line, column = mark.line + 1, mark.column + 1
    if column == 1 and line > 1:
        # at the end of a stream without a final line break, libyaml moves to a line that does
        # not exist; point at the end of the last line instead
        breaks = [m.end() for m in _LINE_BREAK.finditer(text)]
        if line > len(breaks) + 1:
            line, column = len(breaks) + 1, len(text) - (breaks[-1] if breaks else 0) + 1
    return LoadProblem(YAML_SYNTAX, line, column, message)


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # libyaml's (YAML 1.1) line breaks


def parse_yaml(path: str, text: str, out: ParsedSource, max_nodes: int = DEFAULT_MAX_NODES) -> None:
    """Parse a YAML stream into ``out``: documents, empty-document count and problems."""
    helm = "# Source: " in text
    loader = _Loader(text)
    try:
        get: Callable[[], Any] = loader.get_event
        builder = _Builder(get, max_nodes, long_lines=len(text) > COL_MASK)
        get()  # StreamStartEvent
        index = -1
        prev_end = 0
        while get().__class__ is DocumentStartEvent:
            index += 1
            root: Any = get()
            start = root.start_mark
            if root.__class__ is ScalarEvent and _scalar_tag(root) == _NULL:
                get()  # DocumentEndEvent (a syntax error before it loses the document)
                out.empty_documents += 1
                prev_end = _end_index(root)
                continue
            origin = _origin(text, prev_end, start.index) if helm else None
            data, entry, abort, end = builder.document(root)
            out.problems.extend(_with_doc(p, index) for p in builder.problems)
            out.documents.append(Document(path, index, start.line + 1, data, entry, origin))
            if abort is not None:
                out.problems.append(_with_doc(abort.problem, index))
                if abort.fatal:
                    return
            prev_end = end.index
    except yaml.YAMLError as exc:
        out.problems.append(_syntax_problem(exc, text))
    finally:
        loader.dispose()


def _end_index(event: Any) -> int:
    return int(event.end_mark.index)


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
        except RecursionError:  # the C decoder recurses; no Kubernetes object nests near its limit
            line = text.count("\n", 0, pos)
            out.problems.append(LoadProblem(UNREADABLE, line + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1, _TOO_DEEP))
            return
        line = text.count("\n", 0, pos)
        col = pos - (text.rfind("\n", 0, pos) + 1)
        chunk = _NOT_YAML.sub(" ", text[pos:end])
        if "\\u" in chunk:
            chunk = _SURROGATE_ESCAPE.sub(_private_use, chunk)
        doc, stop = _json_document(path, index, chunk, value, line, col, max_nodes, out)
        out.documents.append(doc)
        if stop:
            return
        index += 1
        pos = end


def _json_document(
    path: str, index: int, chunk: str, value: JSON, line: int, col: int, max_nodes: int, out: ParsedSource
) -> tuple[Document, bool]:
    """One JSON value (the data, as ``kubectl`` reads it) with positions from reading it again as YAML.

    Returns the document and whether to stop reading the file (a fatal abort: nesting too deep).
    """
    built = None
    loader = _Loader(chunk)
    try:
        get: Callable[[], Any] = loader.get_event
        builder = _Builder(get, max_nodes, line, col, long_lines=len(chunk) > COL_MASK)
        get()  # StreamStartEvent
        if get().__class__ is DocumentStartEvent:
            built = builder.document(get())
            if built[2] is None or not built[2].fatal:
                built = built if get().__class__ is StreamEndEvent else None
    except yaml.YAMLError:
        built = None
    finally:
        loader.dispose()
    if built is not None:
        data, entry, abort, _ = built
        if abort is not None:
            out.problems.append(_with_doc(abort.problem, index))
            return Document(path, index, line + 1, None, pack(line, col)), abort.fatal
        shadow = entry if _same_shape(data, value) else _rekeyed(entry, data, value)
        if shadow is not None:
            out.problems.extend(_with_doc(p, index) for p in builder.problems)
            return Document(path, index, line + 1, value, shadow), False
    # JSON that YAML 1.1 cannot read: keep the JSON value, positions at the document start.
    return Document(path, index, line + 1, value, pack(line, col)), False


# JSON read again as YAML for positions: characters JSON allows raw but YAML does not (a tab as
# indentation, DEL and C1 controls, U+FFFE/U+FFFF) or reads as line breaks (NEL, LS, PS; JSON and
# editors do not) become spaces, one for one, so every column stays put.
_NOT_YAML = re.compile("[\t\x7f-\x9f\u2028\u2029\ufffe\uffff]")
# libyaml rejects the surrogate-pair escapes JSON uses for astral characters (json.dumps writes
# them by default); strings only feed positions here, so a same-length escape of a private-use
# character stands in (D800-DFFF -> E800-EFFF: distinct keys stay distinct).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _private_use(match: re.Match[str]) -> str:
    return "\\ue" + match.group()[3:]


def _same_shape(a: JSON, b: JSON) -> bool:
    """Same keys and list lengths all the way down (scalars may differ: YAML 1.1 reads ``1e+20``
    as a string). The YAML shadow then locates every key of the JSON value exactly."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same_shape(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same_shape(x, y) for x, y in zip(a, b, strict=True))
    return not isinstance(b, dict | list)


def _rekeyed(entry: Entry, data: JSON, value: JSON) -> Entry | None:
    """The shadow of ``data`` keyed like ``value`` (keys matched by order), or None if shapes differ.

    For keys YAML read differently (a surrogate-pair escape stood in for by a space)."""
    if isinstance(value, dict):
        if not isinstance(data, dict) or len(data) != len(value) or not isinstance(entry, tuple):
            return None
        sub = entry[1]
        assert isinstance(sub, dict)
        out: dict[str, Entry] = {}
        for (ykey, yvalue), (jkey, jvalue) in zip(data.items(), value.items(), strict=True):
            child = _rekeyed(sub[ykey], yvalue, jvalue)
            if child is None:
                return None
            out[jkey] = child
        return entry[0], out
    if isinstance(value, list):
        if not isinstance(data, list) or len(data) != len(value) or not isinstance(entry, tuple):
            return None
        items = entry[1]
        assert isinstance(items, list)
        rekeyed: list[Entry] = []
        for item, yvalue, jvalue in zip(items, data, value, strict=True):
            child = _rekeyed(item, yvalue, jvalue)
            if child is None:
                return None
            rekeyed.append(child)
        return entry[0], rekeyed
    return None if isinstance(data, dict | list) else entry


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
