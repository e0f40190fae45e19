"""Helm charts rendered for you: which charts to render, with which values, and what a failure looks like.

A chart is a directory holding ``Chart.yaml``, or a packaged ``.tgz``:

- **named on the command line** (the directory, its ``Chart.yaml``, or a ``.tgz``): rendered with
  the values the command line gives (``-f``/``--values``, ``--set``, ``--set-string``, ``--release``,
  ``-n``), else with the chart's defaults;
- **found while walking** a directory: rendered with its defaults, unless it is a vendored subchart
  (``<chart>/charts/<sub>/``, rendered through its parent) or a library chart (``type: library``:
  not installable, nothing to render). A packaged ``.tgz`` found while walking is not rendered.
- **every file under a chart directory leaves the plain walk** (templates, values files, subcharts):
  they are Helm's input, not Kubernetes objects, so no KP030 note is written for its templates.

The render is a ``helm template``-style stream (``chart_backends``) parsed like piped output, named
``<helm template DIR>``; its documents keep ``# Source:`` as their origin, and the chart is bound to
that stream in the ``ChartIndex``, so findings land on ``DIR/templates/x.yaml:LINE``. A ``.tgz`` has no
file to edit: its findings keep Helm's origin (``web/templates/x.yaml``) without a line, on the stream
``<helm template web-0.1.0.tgz>``.

A chart that does not render is a KP032 finding, never a crash: on the template file and line Helm's
message names (``template: web/templates/x.yaml:12:3: executing ...``, ``execution error at
(web/templates/x.yaml:16:20): ... is required``), on ``values.schema.json`` when the values fail the
chart's schema, else on ``Chart.yaml``. Dependencies that are not vendored under ``charts/`` are found
before rendering and reported on their line of ``Chart.yaml``: kportable never downloads a chart.
"""

from __future__ import annotations

import os
import re
import tarfile
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..load import YAML_SYNTAX, Document, LoadProblem, ParsedSource, parse_bytes, parse_text
from ..model import as_dict, as_list, as_str
from ..positions import locate
from ..sources import STDIN, display_path, is_excluded, walk_directories
from .chart_backends import ChartRenderer, ChartRenderError, RenderRequest, deep_merge
from .helm import CHART_FILE, Chart, chart_data, load_chart, relative, split_origin

RENDER_ERROR = "KP032"
DEFAULT_RELEASE = "release-name"
ARCHIVE_SUFFIXES = (".tgz", ".tar.gz")
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024


def display_name(chart: str, profile: str | None = None) -> str:
    """The name findings use for a chart's render: not a file, like ``<stdin>``."""
    return f"<helm template {chart}>" if profile is None else f"<helm template {chart} [{profile}]>"


def is_archive(path: str) -> bool:
    return path.endswith(ARCHIVE_SUFFIXES)


# --------------------------------------------------------------------------- which charts


@dataclass(frozen=True)
class ChartRoot:
    """A chart to render: where it is (``display``: as shown, a directory or a ``.tgz``), and how it was found."""

    display: str
    named: bool
    archive: bool = False

    @property
    def directory(self) -> Path:
        return Path(self.display)


@dataclass
class ChartPlan:
    """What to render, and which directories' files leave the plain walk."""

    roots: list[ChartRoot] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)
    named_files: set[str] = field(default_factory=set)

    @property
    def named(self) -> list[ChartRoot]:
        return [r for r in self.roots if r.named]

    def covers(self, display: str) -> bool:
        """True when a file (display path) lies under a chart directory, or is a named ``.tgz``/``Chart.yaml``."""
        if display in self.named_files:
            return True
        path = os.path.abspath(display)
        return any(path.startswith(os.path.join(os.path.abspath(d), "")) for d in self.covered)


def names_chart(path: str) -> bool:
    """True when a command-line path names a chart: a directory holding ``Chart.yaml``, a ``Chart.yaml``, a ``.tgz``."""
    p = Path(path)
    if p.is_dir():
        return (p / CHART_FILE).is_file()
    return p.is_file() and (p.name == CHART_FILE or is_archive(p.name))


def enclosing_chart(path: str) -> str | None:
    """The chart a file belongs to (its templates, values files, ``Chart.yaml``, subcharts), as a path
    spelled like ``path``; ``None`` for a file in no chart. A vendored subchart's file belongs to the
    top chart (``shop/charts/redis/templates/x.yaml`` -> ``shop``): the parent renders it."""
    p = Path(path)
    found: Path | None = None
    for directory in ([p] if p.is_dir() else []) + list(p.parents):
        if (directory / CHART_FILE).is_file():
            found = directory
            if not _is_subchart(directory):
                break
        elif found is not None and directory.name != "charts":
            break
    return None if found is None else (str(found) if str(found) != "." else ".")


def charts_of(paths: Sequence[str]) -> tuple[str, ...]:
    """The charts the files of ``paths`` belong to, once each, in first-seen order (other files: none)."""
    return tuple(dict.fromkeys(c for c in (enclosing_chart(p) for p in paths if p != STDIN) if c is not None))


def _chart_type(directory: Path) -> str:
    return as_str(chart_data(directory).get("type")) or "application"


def _is_subchart(directory: Path) -> bool:
    """``<chart>/charts/<sub>``: rendered by its parent."""
    return directory.parent.name == "charts" and (directory.parent.parent / CHART_FILE).is_file()


def plan(paths: Sequence[str], exclude: Sequence[str] = ()) -> ChartPlan:
    """Find the charts the command line names or contains (see the module docstring)."""
    out = ChartPlan()
    seen: set[str] = set()

    def add(root: ChartRoot) -> None:
        real = os.path.realpath(root.display)
        if real not in seen:
            seen.add(real)
            out.roots.append(root)

    for raw in paths:
        if raw == STDIN:
            continue
        p = Path(raw)
        shown = display_path(raw)
        if p.is_file() and is_archive(p.name):
            out.named_files.add(shown)
            add(ChartRoot(shown, named=True, archive=True))
        elif p.is_file() and p.name == CHART_FILE:
            out.named_files.add(shown)
            out.covered.append(display_path(str(p.parent)))
            add(ChartRoot(display_path(str(p.parent)), named=True))
        elif p.is_dir() and (p / CHART_FILE).is_file():
            out.covered.append(shown)
            add(ChartRoot(shown, named=True))
        elif p.is_dir():
            for directory, files in walk_directories(p, shown, exclude):
                if not any(name == CHART_FILE for name, _ in files):
                    continue
                d = Path(directory)
                chart_shown = display_path(os.path.dirname(next(s for n, s in files if n == CHART_FILE)))
                if is_excluded(chart_shown, exclude):
                    continue
                out.covered.append(chart_shown)
                if not _is_subchart(d) and _chart_type(d) != "library":
                    add(ChartRoot(chart_shown, named=False))
    out.covered = sorted(set(out.covered))
    return out


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class ChartValues:
    """What the command line says about named charts' values (helm's flags of the same names)."""

    files: tuple[str, ...] = ()
    set_values: tuple[str, ...] = ()
    set_strings: tuple[str, ...] = ()
    release: str = DEFAULT_RELEASE


def read_values_file(path: str) -> dict[str, Any]:
    """One values file as data; ``UserError`` (exit 2) with the file and line when it is not a YAML mapping."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"values file {path}: {exc.strerror or exc}") from None
    parsed = parse_bytes(display_path(path), raw)
    if parsed.problems:
        problem = parsed.problems[0]
        raise UserError(f"values file {display_path(path)}:{problem.line}:{problem.column}: {problem.message}")
    if not parsed.documents or parsed.documents[0].data is None:
        return {}
    data = parsed.documents[0].data
    if not isinstance(data, dict):
        doc = parsed.documents[0]
        raise UserError(f"values file {display_path(path)}:{doc.line}: expected a mapping of values, "
                        f"found a {type(data).__name__}")
    return data


def merged_values(files: Sequence[str]) -> dict[str, Any]:
    """Every values file, read and merged in order (later files win)."""
    merged: dict[str, Any] = {}
    for path in files:
        merged = deep_merge(merged, read_values_file(path))
    return merged


# --------------------------------------------------------------------------- rendering


@dataclass
class RenderedChart:
    """One chart's render: the parsed stream (or the sources carrying KP032), and the chart to bind origins to."""

    root: ChartRoot
    display: str
    sources: list[ParsedSource]
    chart: Chart | None = None
    failed: bool = False


def unvendored(doc: Document, charts: Path | None, archive: bool = False) -> list[LoadProblem]:
    """KP032 for every dependency a ``Chart.yaml`` document lists that is not vendored in ``charts``
    (``None``: a file not on disk, beside which nothing is vendored)."""
    present = _vendored(charts) if charts is not None else set()
    problems = []
    for i, dep in enumerate(as_list(as_dict(doc.data).get("dependencies"))):
        d = as_dict(dep)
        name = as_str(d.get("name"))
        if not name or name in present:
            continue
        repo = as_str(d.get("repository")) or ""
        where = f" from {repo}" if repo else ""
        pos = locate(doc.shadow, ("dependencies", i))
        problems.append(LoadProblem(
            RENDER_ERROR, 1 if archive else pos.line, 1 if archive else pos.column,
            f"dependency {name!r}{where} is not vendored in charts/: kportable never downloads charts, so what it "
            "brings is not linted; run `helm dependency build` in the chart directory and lint again",
            doc.index,
        ))
    return problems


def _dependency_problems(directory: Path, shown_file: str, archive: bool) -> ParsedSource | None:
    """The KP032 source for a chart whose dependencies are not all vendored (it is then not rendered)."""
    try:
        raw = (directory / CHART_FILE).read_bytes()
    except OSError:
        return None
    parsed = parse_bytes(shown_file, raw)
    if not parsed.documents:
        return None
    problems = unvendored(parsed.documents[0], directory / "charts", archive)
    if not problems:
        return None
    return ParsedSource(shown_file, problems=problems, text=None if archive else parsed.text)


def report_unvendored(sources: Sequence[ParsedSource], on_disk: frozenset[str]) -> None:
    """A ``Chart.yaml`` read as a file (not rendered: ``--no-build``, or the API's default) still reports the
    dependencies it lacks, as a kustomization read as a file reports its remote bases (in place)."""
    for src in sources:
        if os.path.basename(src.path) != CHART_FILE or not src.documents:
            continue
        charts = Path(os.path.dirname(src.path) or ".") / "charts" if src.path in on_disk else None
        src.problems.extend(unvendored(src.documents[0], charts))


def _vendored(charts: Path) -> set[str]:
    """Names of the subcharts under ``charts/`` (unpacked directories, and ``NAME-VERSION.tgz`` archives)."""
    names: set[str] = set()
    try:
        entries = list(os.scandir(charts))
    except OSError:
        return names
    for entry in entries:
        if entry.is_dir() and (Path(entry.path) / CHART_FILE).is_file():
            names.add(as_str(chart_data(Path(entry.path)).get("name")) or entry.name)
        elif is_archive(entry.name):
            stem = entry.name.removesuffix(".tgz").removesuffix(".tar.gz")
            names.add(stem)
            names.add(re.sub(r"-v?\d+\.\d+.*$", "", stem))
    return names


_LOCATION = re.compile(
    r"(?P<path>[A-Za-z0-9_.@-]+(?:/[A-Za-z0-9_.@-]+)*/(?:templates|crds)/[^\s:()\"'<>]+)"
    r"(?::(?P<line>\d+)(?::(?P<col>\d+))?)?"
)
_NOISE = re.compile(r"^(?:Error:\s*|Use --debug flag to render out invalid YAML\s*$)", re.M)


def clean_message(message: str, replace: Mapping[str, str] = {}) -> str:
    """Helm's message on one line, without ``Error:``, ``--debug`` advice or temporary paths (deterministic)."""
    text = _NOISE.sub("", message)
    for old, new in replace.items():
        text = text.replace(old, new)
    text = re.sub(r"^template:\s*", "", " ".join(text.split()))
    return text if len(text) <= 1200 else text[:1200] + "..."


def _subchart_file(chart: Chart, origin: str) -> Path | None:
    split = split_origin(origin)
    if split is None:
        return None
    _, subcharts, rest = split
    current: Chart | None = chart
    for sub in subcharts:
        current = current.subchart(sub) if current is not None else None
    if current is None:
        return None
    path = current.root.joinpath(*rest.split("/"))
    return path if path.is_file() else None


def failure_source(root: ChartRoot, directory: Path, message: str, cwd: str) -> ParsedSource:
    """The KP032 source for a failed render: on the template line Helm names, the schema, or ``Chart.yaml``."""
    text = clean_message(message, {str(directory.resolve().parent) + "/": ""} if root.archive else {})
    chart_file = relative(directory / CHART_FILE, cwd)
    where = f"{root.display}" if root.archive else chart_file
    path: Path | None = None
    line = column = 1
    match = _LOCATION.search(text)
    if match and not root.archive:
        path = _subchart_file(load_chart(directory), match.group("path"))
        if path is not None and match.group("line"):
            line = int(match.group("line"))
            column = int(match.group("col") or 1)
    elif "values don't meet the specifications of the schema" in text and not root.archive:
        schema = directory / "values.schema.json"
        path = schema if schema.is_file() else None
    display = relative(path, cwd) if path is not None else where
    body = None
    if path is not None or not root.archive:
        try:
            body = (path or directory / CHART_FILE).read_text(encoding="utf-8", errors="replace")
        except OSError:
            body = None
    problem = LoadProblem(RENDER_ERROR, line, column, f"helm template {root.display} failed: {text}")
    return ParsedSource(display, problems=[problem], text=body)


def _yaml_failure(root: ChartRoot, directory: Path, source: ParsedSource, cwd: str) -> ParsedSource | None:
    """A render that is not YAML fails in ``helm template`` ("YAML parse error on ..."); the SDK's render too, here."""
    problems = [p for p in source.problems if p.code == YAML_SYNTAX]
    if not problems or source.text is None:
        return None
    lines = source.text.splitlines()
    origin = next((ln[len("# Source: "):].strip() for ln in reversed(lines[: problems[0].line])
                   if ln.startswith("# Source: ")), "")
    return failure_source(root, directory, f"YAML parse error on {origin}: {problems[0].message}", cwd)


@contextmanager
def chart_directory(root: ChartRoot) -> Iterator[Path]:
    """The chart's directory: itself, or a ``.tgz`` unpacked into a temporary directory (removed afterwards)."""
    if not root.archive:
        yield root.directory
        return
    with tempfile.TemporaryDirectory(prefix="kportable-chart-") as tmp:
        try:
            with tarfile.open(root.display, "r:*") as tar:
                members = tar.getmembers()
                if sum(m.size for m in members) > MAX_ARCHIVE_BYTES:
                    raise ChartRenderError(f"the archive unpacks to more than {MAX_ARCHIVE_BYTES >> 20} MiB")
                tar.extractall(tmp, members=members, filter="data")
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise ChartRenderError(f"cannot unpack {root.display}: {exc}") from None
        charts = sorted(p.parent for p in Path(tmp).glob(f"*/{CHART_FILE}"))
        if not charts:
            raise ChartRenderError(f"{root.display} holds no chart (no */{CHART_FILE} in it)")
        yield charts[0]


class LazyRenderer:
    """The backend, picked on first use: a run whose charts all fail before rendering needs none."""

    def __init__(self, choice: str, helm_bin: str | None) -> None:
        self.choice = choice
        self.helm_bin = helm_bin
        self._renderer: ChartRenderer | None = None
        self._lock = threading.Lock()

    def get(self) -> ChartRenderer:
        with self._lock:
            if self._renderer is None:
                from .chart_backends import pick_backend

                self._renderer = pick_backend(self.choice, self.helm_bin)
            return self._renderer


@dataclass(frozen=True)
class RenderSettings:
    """Everything a render needs besides the chart: values for named charts, namespace, profile, backend."""

    values: ChartValues
    merged: Mapping[str, Any]
    namespace: str
    profile: str | None
    renderer: LazyRenderer


def render_one(root: ChartRoot, settings: RenderSettings, cwd: str) -> RenderedChart:
    """Render one chart; a failure becomes a KP032 source, never an exception (except ``UserError``)."""
    display = display_name(root.display, settings.profile)
    values = settings.values if root.named else ChartValues(release=settings.values.release)
    try:
        with chart_directory(root) as directory:
            chart_file = root.display if root.archive else relative(directory / CHART_FILE, cwd)
            missing = _dependency_problems(directory, chart_file, root.archive)
            if missing is not None:
                return RenderedChart(root, display, [missing], failed=True)
            request = RenderRequest(
                chart=str(directory), release=values.release, namespace=settings.namespace,
                values_files=values.files, set_values=values.set_values, set_strings=values.set_strings,
                values=settings.merged if root.named else {},
            )
            try:
                text = settings.renderer.get().render(request)
            except ChartRenderError as exc:
                return RenderedChart(root, display, [failure_source(root, directory, exc.message, cwd)], failed=True)
            source = parse_text(display, text, is_json=False)
            bad = _yaml_failure(root, directory, source, cwd)
            if bad is not None:
                return RenderedChart(root, display, [bad], failed=True)
            return RenderedChart(root, display, [source], None if root.archive else load_chart(directory))
    except ChartRenderError as exc:  # an archive that cannot be unpacked
        problem = LoadProblem(RENDER_ERROR, 1, 1, f"helm template {root.display} failed: {exc.message}")
        return RenderedChart(root, display, [ParsedSource(root.display, problems=[problem])], failed=True)


def render_all(roots: Sequence[ChartRoot], settings: RenderSettings, jobs: int = 1) -> list[RenderedChart]:
    """Render every root (in threads when ``jobs > 1``: helm is a subprocess, the SDK releases the GIL), in order."""
    if not roots:
        return []
    cwd = os.path.realpath(os.getcwd())
    workers = max(1, min(jobs, len(roots), 8))
    if workers == 1:
        return [render_one(r, settings, cwd) for r in roots]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda r: render_one(r, settings, cwd), roots))
