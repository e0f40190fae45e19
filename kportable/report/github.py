"""GitHub Actions workflow commands: one annotation per finding, plus the step summary.

``::error file=k8s/web.yaml,line=14,col=9,endLine=14,title=KP101 missing-cpu-request::message``
puts the finding on the pull request's diff. Levels: blocker and major are ``error``, minor
``warning``, info ``notice``. Paths are relative to the repository root (``--sarif-root``,
default the git top level), which is what the runner resolves them against. Values are escaped
as the runner expects: ``%``, CR and LF everywhere, and ``:`` and ``,`` in properties.

GitHub shows at most 10 error and 10 warning annotations per step, so the worst come first.
Suppressed findings are not annotated. When ``GITHUB_STEP_SUMMARY`` is set (it is inside a
workflow step) the Markdown report is appended to that file, so the job's summary page shows
the score matrix and the counts.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from .base import ReportOptions
from .common import object_text, worst_first
from .locations import Locator

if TYPE_CHECKING:
    from ..api import RunResult

COMMAND = {Severity.BLOCKER: "error", Severity.MAJOR: "error", Severity.MINOR: "warning", Severity.INFO: "notice"}
STEP_SUMMARY = "GITHUB_STEP_SUMMARY"


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (``file=``, ``title=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, locator: Locator) -> str:
    place = locator.place(f)
    props = [f"file={escape_property(locator.display(place.path))}", f"line={place.line}"]
    if place.column is not None:
        props.append(f"col={place.column}")
    props.append(f"endLine={place.end_line}")
    props.append(f"title={escape_property(f'{f.rule_id} {f.slug}')}")
    return f"::{COMMAND[f.severity]} {','.join(props)}::{escape_data(object_text(f))}"


def render(result: RunResult, options: ReportOptions) -> str:
    locator = Locator(options.sarif_root)
    lines = [annotation(f, locator) for f in worst_first(result.active)]
    for crash in result.crashes:
        lines.append(f"::error title={escape_property('kportable internal error')}::"
                     f"{escape_data(f'rule {crash.rule_id} crashed on {crash.obj}: {crash.error}')}")
    for err in result.registry.errors:
        lines.append(f"::error title={escape_property('kportable plugin error')}::{escape_data(err.message)}")
    from .text import summary_line

    lines.append("kportable: " + summary_line(result).plain)
    summary = os.environ.get(STEP_SUMMARY)
    if summary:
        from .markdown import render as markdown

        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(markdown(result, options))
    return "\n".join(lines) + "\n"
