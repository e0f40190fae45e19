"""Human output: findings grouped by file, each with its source line and fix, then a summary.

``path:line:col  KPnnn  severity  message  [Kind namespace/name]``, the offending source line
under it, the portable alternative below that. Colour only when asked (the CLI enables it on
a TTY and honours ``NO_COLOR``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
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
    """Source lines of the inputs, split lazily per file (CRLF-safe).

    Only the last few files stay split: reports walk findings file by file, and keeping every
    file's lines as strings costs several times the input (80 MB for 24 MB of manifests).
    """

    KEEP = 4

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = texts
        self._lines: dict[str, list[str]] = {}

    def get(self, path: str, line: int) -> str | None:
        if path not in self._lines:
            text = self._texts.get(path)
            if text is None:
                return None
            if len(self._lines) >= self.KEEP:
                del self._lines[next(iter(self._lines))]  # the file split longest ago
            self._lines[path] = text.splitlines()
        lines = self._lines[path]
        if 1 <= line <= len(lines):
            return lines[line - 1].rstrip("\r\n")
        return None


Piece = tuple[str, str | None]
"""A run of a line's text and the style of its span (``None``: the line's base style only)."""
Line = tuple[str, list[Piece]]
"""One output line: its base style (``""`` for none) and its pieces."""


def finding_pieces(f: Finding, sources: SourceLines, options: ReportOptions) -> Iterator[Line]:
    """The lines of one finding: the head, then (unless quiet) its source line, origin and fix."""
    loc = f.location
    head: list[Piece] = [
        (f"{loc.path}:{loc.line}:{loc.column}", "bold"), ("  ", None), (f.rule_id, "bold magenta"), ("  ", None),
        (f"{f.severity.value:<7}", SEVERITY_STYLE[f.severity]), ("  ", None), (f.message, None),
    ]
    if f.obj is not None:
        obj = f.obj
        head.append((f"  [{obj.kind} {obj.name if obj.namespace is None else f'{obj.namespace}/{obj.name}'}]", "dim"))
    if f.clouds:
        head.append((f"  ({'/'.join(f.clouds)}{', ' + f.effect.value if f.effect else ''})", "blue"))
    if f.suppressed is not None:
        head.append((f"  suppressed: {f.suppressed.source}", "dim italic"))
    yield "", head
    if options.quiet:
        return
    source = sources.get(loc.path, loc.line)
    if source is not None:
        yield "dim", [(f"{loc.line:>6} │ ", None), (source.expandtabs(4)[:400], None)]
    if loc.origin:
        where = loc.origin + (f":{loc.origin_line}" if loc.origin_line else "")
        yield "dim", [(f"       │ origin: {where}", None)]
    if f.fix:
        yield "dim", [("       │ fix: ", None), (f.fix, "green")]


def as_text(line: Line) -> Text:
    """A line as a rich ``Text``: the base style over it all, a span for each styled piece."""
    base, pieces = line
    text = Text(style=base)
    for part, style in pieces:
        text.append(part, style=style)
    return text


def finding_lines(f: Finding, sources: SourceLines, options: ReportOptions) -> Iterable[Text]:
    """The lines of one finding as rich ``Text`` (the report itself writes them with ``LineWriter``)."""
    return [as_text(line) for line in finding_pieces(f, sources, options)]


# Characters rich rewrites in a Text (tab stops, stripped control codes): a line holding one is
# printed through rich itself. In colour, so is a line with a newline (rich styles each line apart).
_RICH_PLAIN = frozenset("\t\x07\x08\x0b\x0c\x0d")
_RICH_COLOUR = _RICH_PLAIN | {"\n"}
_PROBE = "\ue000"


class LineWriter:
    """Writes lines exactly as ``console.print(as_text(line))`` would, without a console per line.

    Plain output is the text itself. In colour, each piece is wrapped in the escape codes rich
    emits for its style, found once per (base, span) style by printing a probe through a console
    made like the report's; unstyled neighbours share one run, as rich renders them. A line with a
    character rich would rewrite goes through rich. Printing 30,000 short lines one
    ``console.print`` at a time costs seconds; this costs a string join.
    """

    def __init__(self, options: ReportOptions) -> None:
        self.options = options
        self.parts: list[str] = []
        self._special = _RICH_COLOUR if options.color else _RICH_PLAIN
        self._codes: dict[tuple[str, str | None], tuple[str, str]] = {}
        self._buffer = io.StringIO()
        self._console: Console | None = None

    def line(self, line: Line) -> None:
        base, pieces = line
        special = self._special
        if any(not special.isdisjoint(part) for part, _ in pieces):
            self.parts.append(self._through_rich(as_text(line)))
            return
        if not self.options.color:
            self.parts.append("".join(part for part, _ in pieces) + "\n")
            return
        out: list[str] = []
        run = ""  # unstyled pieces form one run, as rich renders text between spans
        for part, style in pieces:
            if style is None:
                run += part
                continue
            if not part:  # an empty append makes no span in rich: the run goes on
                continue
            if run:
                out.append(self._paint(run, base, None))
                run = ""
            out.append(self._paint(part, base, style))
        if run:
            out.append(self._paint(run, base, None))
        self.parts.append("".join(out) + "\n")

    def blank(self) -> None:
        self.parts.append("\n")

    def getvalue(self) -> str:
        return "".join(self.parts)

    def _paint(self, text: str, base: str, style: str | None) -> str:
        key = (base, style)
        codes = self._codes.get(key)
        if codes is None:
            probe = Text(style=base)
            probe.append(_PROBE, style=style)
            before, _, after = self._through_rich(probe).partition(_PROBE)
            codes = self._codes[key] = (before, after[:-1])  # without the newline print adds
        return codes[0] + text + codes[1]

    def _through_rich(self, text: Text) -> str:
        if self._console is None:
            self._console = make_console(self.options, self._buffer)
        self._console.print(text)
        out = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return out


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
    writer = LineWriter(options)
    for path, group in groupby(shown, key=lambda f: f.location.path):
        if not options.quiet:
            writer.line(("bold underline", [(path, None)]))
        for f in group:
            for line in finding_pieces(f, sources, options):
                writer.line(line)
        if not options.quiet:
            writer.blank()
    buffer.write(writer.getvalue())
    for crash in result.crashes:
        console.print(Text(f"error: rule {crash.rule_id} (plugin {crash.plugin!r}) crashed on {crash.obj}: "
                           f"{crash.error}", style="bold red"))
        if options.verbose:
            console.print(Text(crash.traceback, style="dim"))
    for err in result.registry.errors:
        console.print(Text(f"error: {err.message}", style="bold red"))
    for section_line in sections(result.extras, options.quiet):  # rendered input: kustomize builds, values profiles
        console.print(section_line)
    console.print(summary_line(result))
    if result.scores and not options.quiet:  # the per-workload score matrix ends the report
        from .scores import LINT_MATRIX_ROWS, print_matrix

        console.print()
        print_matrix(console, result.scores, limit=LINT_MATRIX_ROWS)
    return buffer.getvalue()
