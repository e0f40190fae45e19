"""Human output: findings grouped by file, each with its source line and fix, then a summary.

``path:line:col  KPnnn  severity  message  [Kind namespace/name]``, the offending source line
under it, the portable alternative below that. Colour only when asked (the CLI enables it on
a TTY and honours ``NO_COLOR``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from itertools import groupby
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from ..findings import Finding, Severity
from .base import ReportOptions
from .common import plural
from .rendered import sections

if TYPE_CHECKING:
    from ..api import RunResult

SEVERITY_STYLE = {
    Severity.BLOCKER: "bold red",
    Severity.MAJOR: "red",
    Severity.MINOR: "yellow",
    Severity.INFO: "cyan",
}


def make_console(options: ReportOptions, buffer: io.StringIO) -> Console:
    return Console(
        file=buffer,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        width=options.width,
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )


class SourceLines:
    """Source lines of the inputs, split lazily per file (CRLF-safe)."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = texts
        self._lines: dict[str, list[str]] = {}

    def get(self, path: str, line: int) -> str | None:
        if path not in self._lines:
            text = self._texts.get(path)
            if text is None:
                return None
            self._lines[path] = text.splitlines()
        lines = self._lines[path]
        if 1 <= line <= len(lines):
            return lines[line - 1].rstrip("\r\n")
        return None


def finding_lines(f: Finding, sources: SourceLines, options: ReportOptions) -> Iterable[Text]:
    loc = f.location
    head = Text()
    head.append(f"{loc.path}:{loc.line}:{loc.column}", style="bold")
    head.append("  ")
    head.append(f.rule_id, style="bold magenta")
    head.append("  ")
    head.append(f"{f.severity.value:<7}", style=SEVERITY_STYLE[f.severity])
    head.append("  ")
    head.append(f.message)
    if f.obj is not None:
        head.append(f"  [{f.obj}]", style="dim")
    if f.clouds:
        head.append(f"  ({'/'.join(f.clouds)}{', ' + f.effect.value if f.effect else ''})", style="blue")
    if f.suppressed is not None:
        head.append(f"  suppressed: {f.suppressed.source}", style="dim italic")
    yield head
    if options.quiet:
        return
    source = sources.get(loc.path, loc.line)
    if source is not None:
        gutter = f"{loc.line:>6} │ "
        line = Text(gutter, style="dim")
        line.append(source.expandtabs(4)[:400])
        yield line
    if loc.origin:
        where = loc.origin + (f":{loc.origin_line}" if loc.origin_line else "")
        yield Text(f"       │ origin: {where}", style="dim")
    if f.fix:
        fix = Text("       │ fix: ", style="dim")
        fix.append(f.fix, style="green")
        yield fix


def summary_line(result: RunResult) -> Text:
    counts = result.counts()
    total = sum(counts.values())
    stats = result.stats
    text = Text()
    if total == 0:
        text.append("No findings", style="bold green")
    else:
        text.append(plural(total, "finding"), style="bold")
        parts = [f"{counts[s.value]} {s.value}" for s in Severity if counts[s.value]]
        text.append(f" ({', '.join(parts)})")
    text.append(
        f" in {plural(stats.files, 'file')}: {plural(stats.documents, 'document')}, "
        f"{plural(stats.resources, 'resource')}, {plural(stats.workloads, 'workload')}"
    )
    suppressed = len(result.findings) - total
    if suppressed:
        text.append(f"; {suppressed} suppressed")
    if stats.non_kubernetes:
        text.append(f"; {plural(stats.non_kubernetes, 'non-Kubernetes document')} skipped")
    if stats.context_resources:
        text.append(f"; {plural(stats.context_resources, 'context resource')}")
    schema = result.schema
    if schema is not None and schema.skipped:
        kinds = len(schema.skipped_kinds)
        text.append(
            f"; {plural(schema.skipped, 'custom resource')} of {plural(kinds, 'kind')} "
            "not schema-validated (no schema; see --schema-dir)"
        )
    text.append(".")
    return text


def render(result: RunResult, options: ReportOptions) -> str:
    buffer = io.StringIO()
    console = make_console(options, buffer)
    sources = SourceLines(result.texts)
    shown = [f for f in result.findings if f.suppressed is None or options.show_suppressed or options.verbose]
    for path, group in groupby(shown, key=lambda f: f.location.path):
        if not options.quiet:
            console.print(Text(path, style="bold underline"))
        for f in group:
            for line in finding_lines(f, sources, options):
                console.print(line)
        if not options.quiet:
            console.print()
    for crash in result.crashes:
        console.print(Text(f"error: rule {crash.rule_id} (plugin {crash.plugin!r}) crashed on {crash.obj}: "
                           f"{crash.error}", style="bold red"))
        if options.verbose:
            console.print(Text(crash.traceback, style="dim"))
    for err in result.registry.errors:
        console.print(Text(f"error: {err.message}", style="bold red"))
    for line in sections(result.extras, options.quiet):  # rendered input: kustomize builds, values profiles
        console.print(line)
    console.print(summary_line(result))
    if result.scores and not options.quiet:  # the per-workload score matrix ends the report
        from .scores import LINT_MATRIX_ROWS, print_matrix

        console.print()
        print_matrix(console, result.scores, limit=LINT_MATRIX_ROWS)
    return buffer.getvalue()
