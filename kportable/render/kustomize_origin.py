"""Map a finding in kustomize's output back to the file and line a person edits.

kustomize's origin annotation names the file an object was read from (or the kustomization whose
generator made it), never a line, and never the patch or transformer that changed a field. For a
finding at a rendered pointer, in order:

1. **the origin file**: the object is found in it by kind and name (``namePrefix``/``nameSuffix``
   allowed), the pointer is carried over (list items matched by ``name``, ``mountPath``,
   ``containerPort``... as strategic merge does, else by position), and the key's line is
   the answer when the key exists there with the rendered value (or is a mapping/list);
2. **patches** of the kustomizations the build went through, the built one first (it applies
   last): strategic-merge patches (files or inline strings; the object matched by kind and name
   or by the entry's ``target``) whose same key holds the rendered value, and JSON 6902 operations
   whose ``path`` is the pointer or an ancestor of it (the line inside their ``value``);
3. **transformers** in those kustomization files: ``namespace``, ``namePrefix``/``nameSuffix``,
   ``commonLabels``/``labels``, ``commonAnnotations``, ``images`` (``newName``/``newTag``/
   ``digest`` found in the rendered image) and ``replicas``;
4. the key's line in the origin file when it exists there (its value was changed by something
   this search does not see), else the object's first line there.

A generated object (``configMapGenerator``...) points at its generator entry.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..load import JSON, Document, ParsedSource, parse_bytes, parse_text
from ..model import Resource, as_dict, as_list, as_str, value_at
from ..positions import Pointer, locate
from .helm import relative
from .kustomize import Build, Kustomization, Origin, read_kustomization
from .outline import IDENTITY_KEYS


class YamlFiles:
    """Origin and patch files, parsed once per run with kportable's loader (positions included)."""

    def __init__(self) -> None:
        self._cache: dict[str, ParsedSource | None] = {}

    def get(self, path: str) -> ParsedSource | None:
        if path not in self._cache:
            try:
                raw = Path(path).read_bytes()
            except OSError:
                self._cache[path] = None
            else:
                self._cache[path] = parse_bytes(path, raw)
        return self._cache[path]


def _is_scalar(value: JSON) -> bool:
    return not isinstance(value, dict | list)


def translate(pointer: Pointer, rendered: JSON, other: JSON) -> tuple[Pointer, bool]:
    """Carry ``pointer`` of ``rendered`` over to ``other``: (longest matching pointer, whether all of it matched).

    List items are matched by their identifying key (``name``, ``mountPath``...) when the
    rendered item has one, else by position.
    """
    out: list[str | int] = []
    r, o = rendered, other
    for part in pointer:
        if isinstance(part, int):
            if not isinstance(r, list) or not isinstance(o, list) or not 0 <= part < len(r):
                return tuple(out), False
            item = r[part]
            index: int | None = None
            key = next((k for k in IDENTITY_KEYS if isinstance(item, dict) and k in item), None)
            if key is not None and isinstance(item, dict):
                index = next((j for j, x in enumerate(o) if isinstance(x, dict) and x.get(key) == item[key]), None)
            elif part < len(o):
                index = part
            if index is None:
                return tuple(out), False
            out.append(index)
            r, o = item, o[index]
        else:
            if not isinstance(r, dict) or not isinstance(o, dict) or part not in o:
                return tuple(out), False
            out.append(part)
            r, o = r.get(part), o[part]
    return tuple(out), True


def _same(a: JSON, b: JSON) -> bool:
    return a == b or (_is_scalar(a) and _is_scalar(b) and str(a) == str(b))


def _name(data: JSON) -> str | None:
    return as_str(as_dict(as_dict(data).get("metadata")).get("name"))


def find_object(source: ParsedSource, kind: str, rendered_name: str) -> Document | None:
    """The document of ``kind`` whose name is the rendered name, or part of it (name prefix/suffix)."""
    docs = [d for d in source.documents if as_dict(d.data).get("kind") == kind]
    if not docs:
        return None
    exact = [d for d in docs if _name(d.data) == rendered_name]
    if exact:
        return exact[0]
    partial = [d for d in docs if (n := _name(d.data)) and n in rendered_name]
    if partial:
        return max(partial, key=lambda d: len(_name(d.data) or ""))
    return docs[0] if len(docs) == 1 else None


@dataclass(frozen=True, slots=True)
class Target:
    """What a finding is about, in the terms patches and transformers use."""

    kind: str
    name: str
    original: str
    pointer: Pointer
    data: JSON

    @property
    def value(self) -> JSON:
        return value_at(self.data, self.pointer)


# --------------------------------------------------------------------------- patches


@dataclass(frozen=True, slots=True)
class _Patch:
    file: str
    source: ParsedSource
    offset: int | None
    fixed_line: int
    target: dict[str, JSON]
    json6902: bool

    def line(self, inner: int) -> int:
        return self.fixed_line if self.offset is None else self.offset + inner


def _inline_offset(k: Kustomization, pointer: Pointer) -> tuple[int | None, int]:
    """Inline patch text: (offset added to a line of the string, the key's own line)."""
    line = k.line_of(*pointer)
    lines = k.text.splitlines()
    raw = lines[line - 1] if 0 < line <= len(lines) else ""
    after = raw.split(":", 1)[1] if isinstance(pointer[-1], str) and ":" in raw else raw.lstrip(" -")
    if re.match(r"^\s*\|[-+0-9]*\s*(#.*)?$", after):
        return line, line
    return None, line


def _patches(k: Kustomization, files: YamlFiles, cwd: str) -> Iterator[_Patch]:
    data = k.data
    entries: list[tuple[Pointer, JSON, bool]] = []
    for i, e in enumerate(as_list(data.get("patches"))):
        entries.append((("patches", i), e, False))
    for i, e in enumerate(as_list(data.get("patchesStrategicMerge"))):
        entries.append((("patchesStrategicMerge", i), e, False))
    for i, e in enumerate(as_list(data.get("patchesJson6902"))):
        entries.append((("patchesJson6902", i), e, True))
    for pointer, entry, json6902 in entries:
        body = entry if isinstance(entry, dict) else {}
        target = as_dict(body.get("target"))
        path = as_str(body.get("path")) if isinstance(entry, dict) else None
        inline = as_str(body.get("patch")) if isinstance(entry, dict) else None
        if isinstance(entry, str):
            if "\n" in entry or entry.lstrip().startswith(("apiVersion", "kind", "{", "-")):
                inline = entry
            else:
                path = entry
        if path:
            full = os.path.normpath(os.path.join(k.directory, path))
            source = files.get(full)
            if source is not None:
                yield _Patch(relative(Path(full), cwd), source, 0, 1, target, json6902)
        elif inline:
            key = (*pointer, "patch") if isinstance(entry, dict) else pointer
            offset, line = _inline_offset(k, key)
            source = parse_text(k.display, inline, is_json=False)
            yield _Patch(relative(k.file, cwd), source, offset, line, target, json6902)


def _target_matches(target: dict[str, JSON], t: Target) -> bool:
    kind = as_str(target.get("kind"))
    if kind and kind != t.kind:
        return False
    name = as_str(target.get("name"))
    if not name:
        return bool(kind)
    if name in (t.original, t.name):
        return True
    try:
        return bool(re.fullmatch(name, t.original) or re.fullmatch(name, t.name))
    except re.error:
        return False


def _json_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for raw in path.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        parts.append(int(part) if part.isdigit() else part)
    return parts


def _in_json6902(patch: _Patch, doc: Document, t: Target) -> int | None:
    ops = doc.data
    if not isinstance(ops, list):
        return None
    for i, op in enumerate(ops):
        body = as_dict(op)
        if body.get("op") not in ("add", "replace", "copy", "move") or not isinstance(body.get("path"), str):
            continue
        path = _json_path(str(body["path"]))
        if len(path) > len(t.pointer):
            continue
        if not all(p == q or (p == "-" and isinstance(q, int)) for p, q in zip(path, t.pointer, strict=False)):
            continue
        rest = t.pointer[len(path):]
        sub, _ = translate(rest, value_at(t.data, t.pointer[:len(path)]), body.get("value"))
        return patch.line(locate(doc.shadow, (i, "value", *sub)).line)
    return None


def _in_smp(patch: _Patch, doc: Document, t: Target) -> int | None:
    data = as_dict(doc.data)
    if patch.target:
        matches = _target_matches(patch.target, t)
    else:
        matches = data.get("kind") == t.kind and _name(data) in (t.original, t.name)
    if not matches:
        return None
    sub, full = translate(t.pointer, t.data, data)
    if not full:
        return None
    patched = value_at(data, sub)
    if _is_scalar(t.value) and not _same(patched, t.value):
        return None
    return patch.line(locate(doc.shadow, sub).line)


def in_patches(chain: list[Kustomization], t: Target, files: YamlFiles, cwd: str) -> tuple[str, int] | None:
    """The patch line that sets the finding's key (see the module docstring), if any."""
    for k in chain:
        for patch in _patches(k, files, cwd):
            for doc in patch.source.documents:
                json6902 = patch.json6902 or isinstance(doc.data, list)
                if json6902 and (not patch.target or not _target_matches(patch.target, t)):
                    continue
                line = _in_json6902(patch, doc, t) if json6902 else _in_smp(patch, doc, t)
                if line is not None:
                    return patch.file, line
    return None


# --------------------------------------------------------------------------- transformers


def _transformer(k: Kustomization, t: Target) -> Pointer | None:
    data = k.data
    p = t.pointer
    if p == ("metadata", "namespace") and "namespace" in data:
        return ("namespace",)
    if p == ("metadata", "name") and t.name != t.original:
        for key in ("namePrefix", "nameSuffix"):
            if key in data:
                return (key,)
    if len(p) >= 2 and isinstance(p[-1], str) and p[-2] in ("labels", "matchLabels"):
        if p[-1] in as_dict(data.get("commonLabels")):
            return ("commonLabels", p[-1])
        for i, entry in enumerate(as_list(data.get("labels"))):
            if p[-1] in as_dict(as_dict(entry).get("pairs")):
                return ("labels", i, "pairs", p[-1])
    if len(p) >= 2 and p[-2] == "annotations" and p[-1] in as_dict(data.get("commonAnnotations")):
        return ("commonAnnotations", p[-1])
    value = t.value
    if p[-1:] == ("image",) and isinstance(value, str):
        for i, entry in enumerate(as_list(data.get("images"))):
            e = as_dict(entry)
            for key in ("newName", "digest", "newTag"):
                v = e.get(key)
                if isinstance(v, str | int) and str(v) and (
                    str(v) in value if key != "newTag" else value.endswith(f":{v}")
                ):
                    return ("images", i, key)
    if p == ("spec", "replicas"):
        for i, entry in enumerate(as_list(data.get("replicas"))):
            if as_dict(entry).get("name") in (t.original, t.name):
                return ("replicas", i, "count")
    return None


def in_transformers(chain: list[Kustomization], t: Target, cwd: str) -> tuple[str, int] | None:
    for k in chain:
        pointer = _transformer(k, t)
        if pointer is not None:
            return relative(k.file, cwd), k.line_of(*pointer)
    return None


# --------------------------------------------------------------------------- entry point

_GENERATOR_FIELDS = {"ConfigMapGenerator": "configMapGenerator", "SecretGenerator": "secretGenerator"}


def _generator_line(build: Build, origin: Origin, res: Resource, cwd: str) -> int:
    k = next((c for c in build.chain if relative(c.file, cwd) == origin.path), None)
    if k is None:
        k = read_kustomization(Path(origin.path).parent)
    field = _GENERATOR_FIELDS.get(origin.generator or "")
    if k is None or field is None:
        return 1
    for i, entry in enumerate(as_list(k.data.get(field))):
        name = as_str(as_dict(entry).get("name"))
        if name and name in res.name:
            return k.line_of(field, i)
    return k.line_of(field)


def locate_in_build(
    build: Build, res: Resource, pointer: Pointer, files: YamlFiles, cwd: str
) -> tuple[str, int] | None:
    """(file, line) a person edits for ``pointer`` of ``res`` (a pointer that exists in the output)."""
    origin = build.origins.get(res.doc.index)
    if origin is None or not origin.local:
        return None
    if origin.generator:
        return origin.path, _generator_line(build, origin, res, cwd)
    source = files.get(os.path.join(cwd, origin.path))
    doc = find_object(source, res.kind, res.name) if source is not None else None
    original = (_name(doc.data) if doc is not None else None) or res.name
    t = Target(res.kind, res.name, original, pointer, res.doc.data)
    own: tuple[Pointer, bool] = ((), False)
    if doc is not None:
        own = translate(pointer, res.doc.data, doc.data)
        if own[1] and (not _is_scalar(t.value) or _same(value_at(doc.data, own[0]), t.value)):
            return origin.path, locate(doc.shadow, own[0]).line
    hit = in_patches(build.chain, t, files, cwd) or in_transformers(build.chain, t, cwd)
    if hit is not None:
        return hit
    if doc is None:
        return origin.path, 1
    return origin.path, locate(doc.shadow, own[0]).line if own[1] else doc.line
