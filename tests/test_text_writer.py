"""The text report writes finding lines without rich; the bytes must be the ones rich would print."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kportable.api import RunOptions, run
from kportable.report.base import ReportOptions
from kportable.report.text import Line, LineWriter, as_text, make_console, render

STYLES = [None, "bold", "dim", "green", "bold magenta", "dim italic", "bold red", "blue", "yellow"]
BASES = ["", "dim", "bold underline", "bold"]
# ASCII, the gutter bar, wide characters, and what rich rewrites: tabs, control codes, newlines, escapes
FRAGMENTS = st.sampled_from([*"ab  :[]/", "│", "…", "日本", "é", "\t", "\r", "\n", "\x07", "\x08", "\x0b", "\x0c",
                             "\x1b[31m", "\x00", "\ue000"])
pieces = st.lists(st.tuples(st.lists(FRAGMENTS, max_size=6).map("".join), st.sampled_from(STYLES)), max_size=6)


def through_rich(lines: list[Line], options: ReportOptions) -> str:
    buffer = io.StringIO()
    console = make_console(options, buffer)
    for line in lines:
        console.print(as_text(line))
    return buffer.getvalue()


def written(lines: list[Line], options: ReportOptions) -> str:
    writer = LineWriter(options)
    for line in lines:
        writer.line(line)
    return writer.getvalue()


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.tuples(st.sampled_from(BASES), pieces), min_size=1, max_size=4), color=st.booleans())
def test_writer_prints_what_rich_prints(lines: list[Line], color: bool) -> None:
    options = ReportOptions(color=color)
    assert written(lines, options) == through_rich(lines, options)


@pytest.mark.parametrize("color", [False, True])
def test_styled_runs_match_rich(color: bool) -> None:
    lines: list[Line] = [
        ("", [("a.yaml:1:2", "bold"), ("  ", None), ("KP101", "bold magenta"), ("  ", None), ("msg", None),
              ("", "green"), (" tail", None)]),
        ("dim", [("     3 │ ", None), ("image: x", None)]),
        ("dim", [("       │ fix: ", None), ("do this", "green"), ("", None)]),
        ("bold underline", [("a.yaml", None)]),
    ]
    options = ReportOptions(color=color)
    out = written(lines, options)
    assert out == through_rich(lines, options)
    assert ("\x1b[" in out) is color


@pytest.mark.corpus
@pytest.mark.parametrize("color", [False, True])
def test_report_on_the_seeds_is_what_rich_prints(seeds_corpus: object, color: bool,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole report, against the same report printed one ``console.print`` per line."""
    result = run(RunOptions(paths=(str(seeds_corpus),)))
    options = ReportOptions(color=color, verbose=1)
    fast = render(result, options)

    class RichWriter(LineWriter):
        def line(self, line: Line) -> None:
            self.parts.append(through_rich([line], self.options))

    monkeypatch.setattr("kportable.report.text.LineWriter", RichWriter)
    assert fast == render(result, options)
    assert result.findings
