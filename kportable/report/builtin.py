"""The output formats kportable ships, registered by the ``core`` plugin."""

from __future__ import annotations

from .base import OutputFormat


def builtin_formats() -> list[OutputFormat]:
    from . import json_report, text

    return [
        OutputFormat(
            "text", "Findings grouped by file with the offending line, then a summary (default).", text.render
        ),
        OutputFormat("json", "Stable, sorted JSON described by schemas/report.schema.json.", json_report.render),
    ]
