"""Findings on rendered objects, pointed at the file a person edits.

Rules locate findings in what they linted (the rendered stream). After they ran, this module fills
``Location.origin``/``origin_line`` for findings on objects that came from somewhere else:

- **Helm** (``# Source:`` origins) with ``--chart-dir``: the origin becomes the template's path
  relative to the working directory, and ``origin_line`` the template line of the key
  (``outline.find_line``) or, when it cannot be told for certain, the first key of the template
  document the object came from. Without ``--chart-dir`` the origin stays as Helm wrote it
  (``shop/templates/deployment.yaml``) and ``origin_line`` stays ``None``.
- **kustomize** builds: the origin file, patch or kustomization line (``kustomize_origin``).

Contract with report formats (SARIF, GitHub annotations, editors): **``origin_line is not None``
means ``origin`` is the path, relative to the working directory, of a file that exists**, and that
is where a person fixes the finding; ``edit_target(location)`` returns it, or the finding's own
place otherwise.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from ..findings import Finding, Location, ObjectRef
from ..inventory import Inventory
from ..model import Resource
from ..positions import Pointer, locate, opens_literal_block
from .helm import ChartIndex, relative
from .kustomize import Build
from .kustomize_origin import YamlFiles, locate_in_build
from .outline import Segment, find_line, outline


def edit_target(location: Location) -> tuple[str, int]:
    """Where a person fixes a finding: the resolved origin ``(file, line)`` if any, else ``(path, line)``.

    Report formats that point at files (SARIF ``artifactLocation``, GitHub ``::error file=``) call
    this instead of reading ``location.path``: for ``helm template`` output linted with
    ``--chart-dir`` it is the template in the chart, for a kustomize build the base, patch or
    kustomization file; for everything else it is the input file itself.
    """
    if location.origin is not None and location.origin_line is not None:
        return location.origin, location.origin_line
    return location.path, location.line


def choose_segment(segments: Sequence[Segment], ordinal: int, count: int, kind: str) -> Segment | None:
    """The template document a rendered document came from.

    ``ordinal``/``count``: its position among the documents with the same ``# Source:`` in the same
    input. One non-empty segment takes all (a template rendering one object, or a ``range`` over a
    whole document); as many documents as segments map in order, and whole multiples too (several
    releases concatenated); otherwise the only segment whose literal ``kind`` matches.
    """
    segs = [s for s in segments if not s.empty]
    if len(segs) == 1:
        return segs[0]
    if segs and count % len(segs) == 0:
        seg = segs[ordinal % len(segs)]
        literal = seg.top_value("kind")
        if literal is None or "{{" in literal or literal == kind:
            return seg
    by_kind = [s for s in segs if s.top_value("kind") == kind]
    return by_kind[0] if len(by_kind) == 1 else None


class OriginMapper:
    """Fills in origins for one run's findings; caches every file it reads."""

    def __init__(self, inventory: Inventory, charts: ChartIndex | None, builds: Mapping[str, Build]) -> None:
        self.charts = charts
        self.builds = builds
        self.inventory = inventory
        self._texts: dict[str, list[str]] = {}
        self._rendered: dict[str, list[str]] = {}
        self.cwd = os.path.realpath(os.getcwd())
        self.files = YamlFiles()
        self._outlines: dict[Path, list[Segment]] = {}
        self._by_ref: dict[tuple[str, ObjectRef], list[Resource]] = defaultdict(list)
        docs_by_origin: dict[tuple[str, str], dict[int, None]] = defaultdict(dict)
        for res in inventory.resources:
            if res.doc.origin is None:
                continue
            self._by_ref[(res.doc.path, res.ref)].append(res)
            docs_by_origin[(res.doc.path, res.doc.origin)][res.doc.index] = None
        self._ordinal: dict[tuple[str, int], tuple[int, int]] = {}
        for (path, _), indexes in docs_by_origin.items():
            ordered = sorted(indexes)
            for k, index in enumerate(ordered):
                self._ordinal[(path, index)] = (k, len(ordered))

    def apply(self, findings: Iterable[Finding]) -> tuple[Finding, ...]:
        return tuple(self.map(f) for f in findings)

    def _resource(self, f: Finding) -> Resource | None:
        if f.obj is None:
            return None
        candidates = self._by_ref.get((f.location.path, f.obj))
        if not candidates:
            return None
        before = [r for r in candidates if r.doc.line <= f.location.line]
        return max(before, key=lambda r: r.doc.line) if before else candidates[0]

    def map(self, f: Finding) -> Finding:
        res = self._resource(f)
        if res is None:
            return f
        full = (*res.base, *f.pointer)
        located: Pointer = full[: locate(res.doc.shadow, full).depth]
        build = self.builds.get(res.doc.path)
        if build is not None:
            hit = locate_in_build(build, res, located, self.files, self.cwd)
        elif self.charts:
            hit = self._helm(res, located)
        else:
            hit = None
        if hit is None:
            return f
        if len(located) < len(full):  # the finding points inside a string (aws-auth mapRoles: |)
            hit = (hit[0], self._inside_block(f.location, res, located, hit) or hit[1])
        return replace(f, location=replace(f.location, origin=hit[0], origin_line=hit[1]))

    def _inside_block(self, at: Location, res: Resource, holder: Pointer, hit: tuple[str, int]) -> int | None:
        """The origin line of a finding inside a literal block, when the origin file has the same block.

        Rules may point at a line inside a string value (an aws-auth entry inside ``mapRoles: |``).
        The origin search finds the key holding the string; when both the rendered stream and the
        origin file hold it as a literal block whose line at the same offset reads the same, that
        line is the answer.
        """
        offset = at.line - locate(res.doc.shadow, holder).line
        rendered = self._rendered_lines(res.doc.path)
        if offset <= 0 or at.line > len(rendered):
            return None
        source = self._lines(hit[0])
        line = hit[1] + offset
        if line > len(source) or not opens_literal_block(source[hit[1] - 1]):
            return None
        wanted = rendered[at.line - 1].strip()
        return line if wanted and source[line - 1].strip() == wanted else None

    def _rendered_lines(self, path: str) -> list[str]:
        """The lines of an input the rules read (a build or render stream), split once per run."""
        if path not in self._rendered:
            self._rendered[path] = self.inventory.texts.get(path, "").split("\n")
        return self._rendered[path]

    def _lines(self, path: str) -> list[str]:
        if path not in self._texts:
            try:
                self._texts[path] = Path(self.cwd, path).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._texts[path] = []
        return self._texts[path]

    def _helm(self, res: Resource, pointer: Pointer) -> tuple[str, int] | None:
        if self.charts is None or res.doc.origin is None:
            return None
        path = self.charts.resolve(res.doc.origin, res.doc.path)
        if path is None:
            return None
        if path not in self._outlines:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
            self._outlines[path] = outline(text)
        ordinal, count = self._ordinal.get((res.doc.path, res.doc.index), (0, 1))
        seg = choose_segment(self._outlines[path], ordinal, count, res.kind)
        line = find_line(seg, pointer, res.doc.data) if seg is not None else None
        return relative(path, self.cwd), line or (seg.start if seg is not None else 0) or 1
