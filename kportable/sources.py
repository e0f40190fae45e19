"""Paths -> input files: directory walking, excludes, stdin, reading with limits.

Directories are walked recursively in sorted order, taking ``.yaml``, ``.yml`` and ``.json``
files; hidden and VCS directories are skipped, symbolic links to directories are never
followed (no loops, nothing outside what the user named). A file named explicitly is read
whatever its extension. The final list is sorted by display path and de-duplicated, so the
order of the arguments never changes the output.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .load import DEFAULT_MAX_BYTES, LoadProblem, ParsedSource, parse_bytes
from .load import UNREADABLE as UNREADABLE_CODE

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
SKIP_DIRS = frozenset((".git", ".hg", ".svn", ".bzr", "_darcs", "CVS", "node_modules", "__pycache__"))
STDIN = "-"


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input to read: a file on disk (``path``) or stdin (``path is None``)."""

    display: str
    path: str | None
    context: bool = False


def display_path(path: str) -> str:
    """The path as reports show it: as given, with ``./`` and duplicate separators removed."""
    return os.path.normpath(path).replace(os.sep, "/")


def is_excluded(display: str, patterns: Sequence[str]) -> bool:
    """True when ``display`` or any of its parent directories matches an exclude glob.

    Globs use ``fnmatch`` (``*`` also crosses ``/``) and are tried against the whole path, the
    file name, and every parent prefix, so ``charts/*/templates``, ``*.json`` and ``vendor`` work.
    """
    if not patterns:
        return False
    posix = PurePosixPath(display)
    candidates = [display, posix.name]
    parts = posix.parts
    for i in range(1, len(parts)):
        candidates.append("/".join(parts[:i]))
        candidates.append(parts[i - 1])
    return any(fnmatch.fnmatchcase(c, p.rstrip("/")) for p in patterns for c in candidates)


def expand(
    paths: Sequence[str],
    *,
    exclude: Sequence[str] = (),
    context: bool = False,
    stdin_name: str = "<stdin>",
) -> tuple[list[InputFile], list[tuple[str, LoadProblem]]]:
    """Expand command-line paths into input files; unusable paths become problems, not errors."""
    found: dict[str, InputFile] = {}
    problems: list[tuple[str, LoadProblem]] = []
    for raw in paths:
        if raw == STDIN:
            found.setdefault(stdin_name, InputFile(stdin_name, None, context))
            continue
        p = Path(raw)
        display = display_path(raw)
        if p.is_dir():
            for file in _walk(p, display, exclude):
                found.setdefault(file, InputFile(file, file, context))
        elif p.exists() or p.is_symlink():
            if not is_excluded(display, exclude):
                found.setdefault(display, InputFile(display, raw, context))
        else:
            problems.append((display, LoadProblem(UNREADABLE_CODE, 1, 1, f"no such file or directory: {raw}")))
    return sorted(found.values(), key=lambda f: f.display), problems


def _walk(root: Path, display_root: str, exclude: Sequence[str]) -> Iterator[str]:
    for _, files in walk_directories(root, display_root, exclude):
        for name, shown in files:
            if name.endswith(MANIFEST_SUFFIXES) and not is_excluded(shown, exclude):
                yield shown


def walk_directories(
    root: Path, display_root: str, exclude: Sequence[str]
) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """The directories a directory argument covers, ``root`` first then depth-first by name, each
    with its files as (name, display path).

    The one walk of the tree, for the manifest files and for the kustomization directories (so
    both skip the same): hidden directories, ``SKIP_DIRS``, excluded ones, and symlinked
    directories (never followed, so a link loop cannot hang a run).
    """
    stack = [(str(root), display_root)]
    while stack:
        directory, shown = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        files = []
        subdirs = []
        for entry in entries:
            name = entry.name
            child = f"{shown}/{name}" if shown not in (".", "") else name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if not is_dir:
                files.append((name, child))
            elif not (name.startswith(".") or name in SKIP_DIRS or is_excluded(child, exclude)):
                subdirs.append((entry.path, child))
        yield directory, files
        stack.extend(reversed(subdirs))


def read_input(
    item: InputFile,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: bytes | None = None,
) -> ParsedSource:
    """Read and parse one input. Never raises for the file's fault: problems are recorded."""
    if item.path is None:
        raw = stdin if stdin is not None else sys.stdin.buffer.read()
        return parse_bytes(item.display, raw, max_bytes=max_bytes)
    try:
        size = os.stat(item.path).st_size
        if size > max_bytes:
            out = ParsedSource(item.display)
            out.problems.append(
                LoadProblem(
                    UNREADABLE_CODE, 1, 1,
                    f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (raise it with --max-file-size)",
                )
            )
            return out
        with open(item.path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        out = ParsedSource(item.display)
        reason = exc.strerror or type(exc).__name__
        out.problems.append(LoadProblem(UNREADABLE_CODE, 1, 1, f"cannot read file: {reason}"))
        return out
    return parse_bytes(item.display, raw, max_bytes=max_bytes)
