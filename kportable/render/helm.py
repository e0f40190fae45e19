"""Helm: ``# Source:`` origins resolved to template files, and raw templates kept away from the YAML rules.

``helm template`` writes ``# Source: <chart>/templates/<file>`` above every document (the loader
keeps it as ``Document.origin``); subcharts appear as ``<chart>/charts/<sub>/templates/<file>``,
CRDs (``--include-crds``) as ``<chart>/crds/<file>``, hooks and tests like any template. With
``--chart-dir`` (repeatable, one per chart when several releases are concatenated) the origin
becomes a real path: the first component is matched to a chart by its ``Chart.yaml`` name (or
directory name; a single chart directory also takes any name), each ``charts/<sub>`` step to an
unpacked subchart (``charts/<sub>/`` or a ``file://`` dependency, aliases included; a packaged
``.tgz`` cannot be resolved), and the rest is a file under that chart, which must exist.

A raw template (``templates/*.yaml`` with ``{{ }}``) is not YAML. It is recognised cheaply, from
text the loader already read: a Go template action outside comments (``{{ .Values.x }}``,
``{{- if ... }}``, ``{{ include ... }}``; a bare ``{{cell}}`` placeholder is not one), plus either
a YAML syntax error at or after the first action, or a place in a chart's ``templates/`` directory
(a ``Chart.yaml`` beside it). Its documents are dropped and one ``KP030`` note says how to render it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError
from ..load import JSON, YAML_SYNTAX, LoadProblem, ParsedSource, parse_bytes
from ..model import as_dict, as_list, as_str

UNRENDERED_TEMPLATE = "KP030"
CHART_FILE = "Chart.yaml"


# --------------------------------------------------------------------------- charts


@dataclass
class Chart:
    """A chart directory on disk: its name, root, and (lazily) its unpacked subcharts."""

    name: str
    root: Path
    dependencies: Mapping[str, Path] = field(default_factory=dict)
    _subcharts: dict[str, Chart | None] = field(default_factory=dict)

    def subchart(self, name: str) -> Chart | None:
        """The subchart rendered as ``charts/<name>``: vendored under ``charts/`` or a ``file://`` dependency."""
        if name not in self._subcharts:
            found = None
            for candidate in (self.root / "charts" / name, self.dependencies.get(name)):
                if candidate is not None and (candidate / CHART_FILE).is_file():
                    found = load_chart(candidate)
                    break
            self._subcharts[name] = found
        return self._subcharts[name]


def chart_data(root: Path) -> dict[str, JSON]:
    """The mapping in ``root/Chart.yaml`` (empty when it cannot be read or is not a mapping)."""
    try:
        raw = (root / CHART_FILE).read_bytes()
    except OSError:
        return {}
    parsed = parse_bytes(str(root / CHART_FILE), raw)
    return as_dict(parsed.documents[0].data) if parsed.documents else {}


def load_chart(root: Path) -> Chart:
    """Read ``Chart.yaml``: the chart name and its local (``file://``) dependencies by name and alias."""
    data = chart_data(root)
    name = as_str(data.get("name")) or root.name
    deps: dict[str, Path] = {}
    for dep in as_list(data.get("dependencies")):
        d = as_dict(dep)
        repo = as_str(d.get("repository")) or ""
        dep_name = as_str(d.get("name"))
        if dep_name and repo.startswith("file://"):
            path = (root / repo[len("file://"):]).resolve()
            deps[dep_name] = path
            alias = as_str(d.get("alias"))
            if alias:
                deps[alias] = path
        elif dep_name and as_str(d.get("alias")):
            deps[str(d["alias"])] = root / "charts" / dep_name
    return Chart(name, root, deps)


class ChartIndex:
    """The charts named with ``--chart-dir``, and the charts kportable rendered itself (``bind``);
    resolves ``# Source:`` origins to files on disk."""

    def __init__(self, dirs: Sequence[str] = ()) -> None:
        self.charts: list[Chart] = []
        for d in dirs:
            root = Path(d)
            if not (root / CHART_FILE).is_file():
                raise UserError(f"--chart-dir {d}: not a Helm chart (no {CHART_FILE} in it)")
            self.charts.append(load_chart(root))
        self._by_name: dict[str, Chart] = {}
        for chart in self.charts:
            self._by_name.setdefault(chart.name, chart)
        for chart in self.charts:
            self._by_name.setdefault(chart.root.resolve().name, chart)
        self._cache: dict[tuple[str, str | None], Path | None] = {}
        self._bound: dict[str, Chart] = {}

    def __bool__(self) -> bool:
        return bool(self.charts or self._bound)

    def bind(self, source: str, chart: Chart) -> None:
        """Origins in the input named ``source`` (a render kportable made) come from ``chart``, whatever its name."""
        self._bound[source] = chart

    def resolve(self, origin: str, source: str | None = None) -> Path | None:
        """The file an origin names (``shop/charts/redis/templates/sts.yaml``), or ``None``.

        ``source`` is the input the origin was read in: a bound render resolves against its own chart
        only (several walked charts may share a name), anything else against the ``--chart-dir`` charts.
        """
        key = (origin, source if source in self._bound else None)
        if key not in self._cache:
            self._cache[key] = self._resolve(origin, self._bound.get(source) if source is not None else None)
        return self._cache[key]

    def _resolve(self, origin: str, bound: Chart | None) -> Path | None:
        split = split_origin(origin)
        if split is None:
            return None
        name, subcharts, rest = split
        if bound is not None:
            chart: Chart | None = bound
        else:
            chart = self._by_name.get(name) or (self.charts[0] if len(self.charts) == 1 else None)
        for sub in subcharts:
            if chart is None:
                return None
            chart = chart.subchart(sub)
        if chart is None:
            return None
        path = chart.root.joinpath(*rest.split("/"))
        return path if path.is_file() else None


def split_origin(origin: str) -> tuple[str, tuple[str, ...], str] | None:
    """``shop/charts/redis/templates/sts.yaml`` -> ("shop", ("redis",), "templates/sts.yaml"); ``None`` if malformed.

    The path inside the innermost chart is ``templates/...`` or ``crds/...``; ``..`` never resolves.
    """
    parts = [p for p in origin.replace("\\", "/").split("/") if p not in ("", ".")]
    if len(parts) < 2 or ".." in parts:
        return None
    rest = parts[1:]
    subcharts: list[str] = []
    while len(rest) > 2 and rest[0] == "charts":
        subcharts.append(rest[1])
        rest = rest[2:]
    return parts[0], tuple(subcharts), "/".join(rest)


# --------------------------------------------------------------------------- raw templates


# A Go template action as charts write them: a field or variable (``{{ .Values.x }}``, ``{{ $x }}``),
# a comment, or a keyword or function that starts a pipeline. ``{{cell}}`` (a sed/mustache placeholder)
# is not one: such a file stays a YAML syntax error (KP001).
_GO_ACTION = re.compile(
    r"\{\{-?\s*(?:[.$]|/\*|(?:if|else|end|range|with|define|template|block|include|tpl|toYaml|toJson|"
    r"printf|print|required|default|quote|squote|lookup|not|and|or|eq|ne)\b)"
)


def first_action_line(text: str) -> int | None:
    """1-based line of the first Go template action that is not inside a ``#`` comment line; ``None`` if none."""
    for match in _GO_ACTION.finditer(text):
        at = match.start()
        line_start = text.rfind("\n", 0, at) + 1
        if not text[line_start:at].lstrip().startswith("#"):
            return text.count("\n", 0, at) + 1
    return None


def chart_of_template(path: str) -> Path | None:
    """The chart directory when ``path`` lies in a chart's ``templates/`` tree (``Chart.yaml`` beside it)."""
    parts = Path(path).parts
    for i, part in enumerate(parts[:-1]):
        if part == "templates":
            root = Path(*parts[:i]) if i else Path(".")
            if (root / CHART_FILE).is_file():
                return root
    return None


def unrendered_template(src: ParsedSource, on_disk: bool) -> LoadProblem | None:
    """A KP030 problem when ``src`` is a raw Go template rather than YAML (see the module docstring)."""
    text = src.text
    if text is None:
        return None
    if not (on_disk and "templates" in src.path) and not any(p.code == YAML_SYNTAX for p in src.problems):
        return None  # neither in a chart's templates/ nor a YAML error: skipped below anyway, without a scan
    if "{{" not in text:
        return None
    line = first_action_line(text)
    if line is None:
        return None
    chart = chart_of_template(src.path) if on_disk else None
    if chart is None:
        errors = [p.line for p in src.problems if p.code == YAML_SYNTAX]
        if not errors or min(errors) < line:
            return None
    if chart is not None:
        message = (
            "Helm chart template (unrendered Go template): not linted as YAML; lint what the chart renders to: "
            f"helm template RELEASE {chart.as_posix()} | kportable lint -"
        )
    else:
        message = (
            "unrendered Go template: not linted as YAML; lint what it renders to "
            "(for a Helm chart: helm template RELEASE CHART | kportable lint -)"
        )
    return LoadProblem(UNRENDERED_TEMPLATE, line, 1, message)


def skip_templates(sources: Iterable[ParsedSource], on_disk: frozenset[str]) -> int:
    """Replace every raw template among ``sources`` by its KP030 note (in place); return how many."""
    count = 0
    for src in sources:
        problem = unrendered_template(src, src.path in on_disk)
        if problem is None:
            continue
        src.documents.clear()
        src.problems[:] = [problem]
        src.empty_documents = 0
        src.skipped = "unrendered template"
        count += 1
    return count


def relative(path: Path, cwd: str | None = None) -> str:
    """``path`` relative to the working directory, with ``/`` separators (as reports show paths)."""
    base = cwd or os.getcwd()
    try:
        rel = os.path.relpath(os.path.abspath(path), base)
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(path)
    return rel.replace(os.sep, "/")
