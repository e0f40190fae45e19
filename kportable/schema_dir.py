"""``--schema-dir DIR``: JSON Schemas of custom resources, found by file name, read on first use.

A directory is listed once (names only); a file is parsed only when an object of its kind
is linted, so pointing at a large catalog costs nothing for the kinds a run does not use.
Three ways to name a schema file, checked in this order:

1. ``<group>/<kind>_<version>.json``: the layout of datreeio/CRDs-catalog
   (``cert-manager.io/certificate_v1.json``);
2. ``<kind>-<group>-<version>.json``, flat, with the full group
   (``certificate-cert-manager.io-v1.json``), as kubeconform's ``{kind}-{group}-{version}``;
3. any other ``*.json`` file whose top level has ``x-kubernetes-group-version-kind`` (an object or
   a list of ``{group, version, kind}``), as the Kubernetes OpenAPI schemas do. These are read
   only when the first two conventions do not find a kind.

Kind names match case-insensitively. Schemas of the built-in API groups are ignored: built-in
kinds always validate against the schemas bundled for ``--k8s-version``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UserError

GvkKey = tuple[str, str, str]  # (group, version, kind lower-cased)


@dataclass(frozen=True, slots=True)
class DirSchema:
    """A schema read from a schema directory, or the reason it could not be used."""

    path: str
    schema: Mapping[str, Any] | None
    problem: str = ""


@dataclass
class SchemaDirectory:
    """The schema files under ``--schema-dir`` directories, indexed by name, parsed lazily."""

    roots: tuple[str, ...]
    _named: dict[GvkKey, str] = field(default_factory=dict)
    _unnamed: list[str] = field(default_factory=list)
    _by_key: dict[GvkKey, str] | None = None
    _cache: dict[str, DirSchema] = field(default_factory=dict)

    @classmethod
    def scan(cls, roots: Sequence[str]) -> SchemaDirectory:
        """Index the file names under ``roots``; raises ``UserError`` for a missing directory."""
        out = cls(tuple(roots))
        for root in roots:
            if not os.path.isdir(root):
                raise UserError(f"--schema-dir {root}: not a directory")
            for path in sorted(_json_files(Path(root))):
                key = _key_from_name(path, Path(root))
                if key is None:
                    out._unnamed.append(str(path))
                else:
                    out._named.setdefault(key, str(path))
        return out

    def __len__(self) -> int:
        return len(self._named) + len(self._unnamed)

    def find(self, group: str, version: str, kind: str) -> DirSchema | None:
        """The schema for (group, version, kind), or ``None`` if no file provides it."""
        key = (group, version, kind.lower())
        path = self._named.get(key)
        if path is None:
            path = self._by_gvk_key().get(key)
        if path is None:
            return None
        return self._load(path)

    def _by_gvk_key(self) -> dict[GvkKey, str]:
        if self._by_key is None:
            self._by_key = {}
            for path in self._unnamed:
                loaded = self._load(path)
                if loaded.schema is None:
                    continue
                for key in _declared_gvks(loaded.schema):
                    self._by_key.setdefault(key, path)
        return self._by_key

    def _load(self, path: str) -> DirSchema:
        cached = self._cache.get(path)
        if cached is not None:
            return cached
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            loaded = DirSchema(path, None, f"cannot read {path}: {exc}")
        else:
            if isinstance(data, dict):
                loaded = DirSchema(path, data)
            else:
                loaded = DirSchema(path, None, f"{path} is not a JSON Schema object")
        self._cache[path] = loaded
        return loaded


def _json_files(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.endswith(".json") and not name.startswith("."):
                yield Path(dirpath) / name


def _key_from_name(path: Path, root: Path) -> GvkKey | None:
    stem = path.stem
    parent = path.parent
    if parent != root and "_" in stem and "." in parent.name:
        kind, _, version = stem.rpartition("_")
        if kind and version:
            return (parent.name, version, kind.lower())
    first, dash, rest = stem.partition("-")
    group, dash2, version = rest.rpartition("-")
    if dash and dash2 and first and group and version and "." in group:
        return (group, version, first.lower())
    return None


def _declared_gvks(schema: Mapping[str, Any]) -> Iterator[GvkKey]:
    declared = schema.get("x-kubernetes-group-version-kind")
    entries = declared if isinstance(declared, list) else [declared]
    for entry in entries:
        if isinstance(entry, dict):
            group, version, kind = entry.get("group", ""), entry.get("version"), entry.get("kind")
            if isinstance(group, str) and isinstance(version, str) and isinstance(kind, str):
                yield (group, version, kind.lower())
