"""The render stage of a run: where ``api.run`` hands rendered input to this package.

Three calls, in pipeline order: ``expand`` (before reading: render Helm charts and build
kustomizations, take their files out of the plain walk), ``prepare`` (after parsing: skip raw
templates and kustomization files, read origin annotations) and ``map_findings`` (after the
rules: fill in origins). Each is free when the input has nothing rendered in it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import UserError
from ..findings import Finding
from ..inventory import Inventory
from ..load import ParsedSource
from ..sources import InputFile
from .charts import (
    ChartPlan,
    ChartValues,
    LazyRenderer,
    RenderedChart,
    RenderSettings,
    merged_values,
    render_all,
    report_unvendored,
)
from .charts import plan as plan_charts
from .helm import ChartIndex, skip_templates
from .kustomize import Build, build_all, plan, skip_kustomizations, strip_origin_annotations
from .origins import OriginMapper

if TYPE_CHECKING:
    from ..api import RunOptions


class RenderStage:
    """Per-run state of the render stage (the builds made, what was skipped)."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.charts = ChartIndex(options.chart_dirs) if options.chart_dirs else None
        self.builds: dict[str, Build] = {}
        self.rendered: list[RenderedChart] = []
        self.not_rendered: list[str] = []  # charts found while walking, with no renderer to render them
        self.built_sources: list[ParsedSource] = []
        self.kustomizations_skipped = 0
        self.templates_skipped = 0

    def expand(self, items: Sequence[InputFile]) -> list[InputFile]:
        """Render the charts and build the kustomizations the paths name or contain; return the items left
        to read as files."""
        items = self._charts(items)
        if not self.options.kustomize_build:
            return list(items)
        found = plan(self.options.paths, self.options.exclude)
        if not found.roots and not found.covered:
            return list(items)
        builds = build_all(found.roots, self.options.kustomize_bin, self.options.jobs)
        origin_files: set[str] = set()
        by_path: dict[str, ParsedSource] = {}
        for build in builds:
            if not build.failed:
                self.builds[build.display] = build
                self.built_sources.extend(build.sources)
            else:
                for src in build.sources:
                    _merge_failure(by_path, src)
            origin_files.update(
                os.path.realpath(o.path) for o in build.origins.values() if o.local and o.generator is None
            )
        self.built_sources.extend(by_path[k] for k in sorted(by_path))
        return [
            item for item in items
            if item.path is None or not (found.covers(item.display) or os.path.realpath(item.display) in origin_files)
        ]

    def _charts(self, items: Sequence[InputFile]) -> Sequence[InputFile]:
        """Render the charts among the paths (``charts``); their files leave the plain walk."""
        o = self.options
        wants_values = bool(o.chart_values or o.chart_set or o.chart_set_string)
        if not o.chart_render:
            if wants_values:
                raise UserError("-f/--values, --set and --set-string apply to charts kportable renders; "
                                "they cannot be combined with --no-build")
            return items
        found: ChartPlan = plan_charts(o.paths, o.exclude)
        if wants_values and not found.named:
            raise UserError(
                f"{_values_flag(o)} applies to a Helm chart, and no chart is among the paths (a directory holding "
                "Chart.yaml, a Chart.yaml, or a .tgz); to render elsewhere and lint the output: "
                "helm template NAME CHART -f values.yaml | kportable lint -")
        if not found.roots and not found.covered:
            return items
        settings = RenderSettings(
            values=ChartValues(o.chart_values, o.chart_set, o.chart_set_string, o.release),
            merged=merged_values(o.chart_values),
            namespace=o.namespace,
            profile=o.profile_name,
            renderer=LazyRenderer(o.helm_backend, o.helm_bin),
        )
        if not found.named and o.helm_backend == "auto" and not o.helm_bin:
            try:  # charts found while walking need a renderer; without one, read them as before
                settings.renderer.get()
            except UserError:
                self.not_rendered = [r.display for r in found.roots]
                return items
        by_path: dict[str, ParsedSource] = {}
        for rendered in render_all(found.roots, settings, o.jobs):
            self.rendered.append(rendered)
            if rendered.failed:
                for src in rendered.sources:
                    _merge_failure(by_path, src)
                continue
            self.built_sources.extend(rendered.sources)
            if rendered.chart is not None:
                if self.charts is None:
                    self.charts = ChartIndex()
                self.charts.bind(rendered.display, rendered.chart)
        self.built_sources.extend(by_path[k] for k in sorted(by_path))
        return [item for item in items if item.path is None or not found.covers(item.display)]

    def prepare(self, groups: Iterable[Sequence[ParsedSource]], items: Iterable[InputFile]) -> None:
        """Skip raw templates and kustomization files; read origin annotations (in place)."""
        on_disk = frozenset(i.display for i in items if i.path is not None)
        for sources in groups:
            self.templates_skipped += skip_templates(sources, on_disk)
            self.kustomizations_skipped += skip_kustomizations(sources, on_disk)
            report_unvendored(sources, on_disk)
            strip_origin_annotations([s for s in sources if s.path not in self.builds])

    def map_findings(self, findings: Sequence[Finding], inventory: Inventory) -> tuple[Finding, ...]:
        """Fill in ``Location.origin``/``origin_line`` (see ``origins``)."""
        if not self.builds and not self.charts:
            return tuple(findings)
        return OriginMapper(inventory, self.charts, self.builds).apply(findings)

    def extras(self) -> dict[str, Any]:
        """The ``kustomize`` and ``helm`` keys of the JSON report: builds and renders made, files skipped."""
        out: dict[str, Any] = {}
        if self.rendered or self.not_rendered:
            out["helm"] = {
                "charts": sorted(r.root.display for r in self.rendered if not r.failed),
                "failed": sorted(r.root.display for r in self.rendered if r.failed),
            }
            if self.not_rendered:
                out["helm"]["not_rendered"] = sorted(self.not_rendered)
        if not self.builds and not self.kustomizations_skipped:
            return out
        data: dict[str, Any] = {"builds": sorted(b.root.display_dir for b in self.builds.values())}
        if self.kustomizations_skipped:
            data["kustomization_files_skipped"] = self.kustomizations_skipped
        out["kustomize"] = data
        return out


def _values_flag(options: RunOptions) -> str:
    if options.chart_values:
        return f"-f/--values {options.chart_values[0]}"
    return "--set" if options.chart_set else "--set-string"


def _merge_failure(by_path: dict[str, ParsedSource], src: ParsedSource) -> None:
    """One source per kustomization file with problems, however many builds went through it."""
    existing = by_path.get(src.path)
    if existing is None:
        by_path[src.path] = src
        return
    for problem in src.problems:
        if problem not in existing.problems:
            existing.problems.append(problem)
