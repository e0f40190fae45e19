"""Where CI reports point: one decision for SARIF, GitHub annotations, GitLab and the PR comment.

Code scanning and annotations need a path relative to the repository root that exists in the
commit, and the line a person should edit. For ``helm template`` output that is the template
named by ``# Source:`` (``Location.origin``) when that file exists, not the rendered stream
(often stdin, which is in no repository). ``Locator.place`` is the only function that makes
this choice; paths become root-relative URIs in ``Locator.relative``/``Locator.uri``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote

from ..findings import Finding, Location

_URI_SAFE = "/-._~!$&'()*+,;=:@"


@dataclass(frozen=True, slots=True)
class Place:
    """The file and lines a CI report shows for a finding.

    ``column`` is ``None`` when unknown (a template line). ``rendered`` is the linted location
    when the place was moved to a Helm template; ``approximate`` is True when the template is
    known but not the line in it (the place is then line 1 of the template).
    """

    path: str
    line: int
    column: int | None
    end_line: int
    rendered: Location | None = None
    approximate: bool = False


def _inside(absolute: str, root: str) -> str | None:
    """``absolute`` relative to ``root``, or ``None`` when it is the root itself or lies outside it."""
    rel = os.path.relpath(absolute, root)
    if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir:
        return None
    return rel


class Locator:
    """Resolves findings to places and paths to URIs relative to ``root`` (default: the working directory)."""

    def __init__(self, root: str | None = None) -> None:
        self.root = os.path.abspath(root or os.getcwd())
        self._real_root: str | None = None
        self._files: dict[str, bool] = {}
        self._relative: dict[str, str | None] = {}  # one path resolution per file, not per finding
        self._uris: dict[str, tuple[str, bool]] = {}

    def is_file(self, path: str) -> bool:
        known = self._files.get(path)
        if known is None:
            known = self._files[path] = os.path.isfile(path)
        return known

    def place(self, f: Finding) -> Place:
        """The template a rendered finding came from when it exists on disk, else the linted file."""
        loc = f.location
        end = loc.end_line if loc.end_line is not None else loc.line
        origin = loc.origin
        if origin and self.is_file(origin):
            if loc.origin_line:
                return Place(origin, loc.origin_line, None, loc.origin_line, rendered=loc)
            if not self.is_file(loc.path):
                return Place(origin, 1, None, 1, rendered=loc, approximate=True)
        return Place(loc.path, loc.line, loc.column, max(end, loc.line))

    def relative(self, path: str) -> str | None:
        """``path`` (as reported: relative to the working directory) relative to the root, or
        ``None`` when it lies outside the root."""
        if path not in self._relative:
            self._relative[path] = self._resolve(path)
        return self._relative[path]

    def _resolve(self, path: str) -> str | None:
        rel = _inside(os.path.abspath(path), self.root)
        if rel is None:
            # The working directory is a physical path (``os.getcwd`` resolves symlinks) while the
            # root may be given through a symlink (``--sarif-root``, macOS /tmp): compare real paths.
            if self._real_root is None:
                self._real_root = os.path.realpath(self.root)
            rel = _inside(os.path.realpath(path), self._real_root)
        return None if rel is None else rel.replace(os.sep, "/")

    def uri(self, path: str) -> tuple[str, bool]:
        """(URI, is_relative): a percent-encoded root-relative URI, or a ``file://`` URI outside the root."""
        found = self._uris.get(path)
        if found is None:
            found = self._uris[path] = self._uri(path)
        return found

    def _uri(self, path: str) -> tuple[str, bool]:
        rel = self.relative(path)
        if rel is not None:
            return quote(rel, safe=_URI_SAFE), True
        absolute = os.path.abspath(path).replace(os.sep, "/")
        return "file://" + quote(absolute if absolute.startswith("/") else "/" + absolute, safe=_URI_SAFE), False

    def display(self, path: str) -> str:
        """Root-relative path for annotations and comments (the path as given when outside the root)."""
        rel = self.relative(path)
        return rel if rel is not None else path
