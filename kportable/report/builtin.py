"""The output formats kportable ships, registered by the ``core`` plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import OutputFormat, ReportOptions

if TYPE_CHECKING:
    from ..api import RunResult


def builtin_formats() -> list[OutputFormat]:
    return [
        OutputFormat(
            "text", "Findings grouped by file with the offending line, then a summary (default).", _text
        ),
        OutputFormat("json", "Stable, sorted JSON described by schemas/report.schema.json.", _json),
    ]


# Each renderer is imported when its format is used: ``--format json`` never loads rich.
def _text(result: RunResult, options: ReportOptions) -> str:
    from .text import render

    return render(result, options)


def _json(result: RunResult, options: ReportOptions) -> str:
    from .json_report import render

    return render(result, options)
