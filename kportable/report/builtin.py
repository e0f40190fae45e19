"""The output formats kportable ships, registered by the ``core`` plugin.

Each renderer is imported when its format is used: ``--format json`` never loads rich, and
``--format text`` never loads the SARIF code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .base import OutputFormat, Render, ReportOptions

if TYPE_CHECKING:
    from ..api import RunResult


def _lazy(module: str) -> Render:
    """A renderer that imports ``kportable.report.<module>`` on first call and delegates to its ``render``."""

    def render(result: RunResult, options: ReportOptions) -> str:
        real: Render = importlib.import_module(f"{__package__}.{module}").render
        return real(result, options)

    render.__name__ = f"render_{module}"
    return render


def builtin_formats() -> list[OutputFormat]:
    return [
        OutputFormat(
            "text", "Findings grouped by file with the offending line, then a summary (default).", _lazy("text")
        ),
        OutputFormat("json", "Stable, sorted JSON described by schemas/report.schema.json.", _lazy("json_report")),
        OutputFormat(
            "sarif", "SARIF 2.1.0 for GitHub code scanning (paths relative to --sarif-root).", _lazy("sarif")
        ),
        OutputFormat(
            "github", "GitHub Actions annotations, plus the Markdown summary in $GITHUB_STEP_SUMMARY.",
            _lazy("github"),
        ),
        OutputFormat(
            "markdown", "A pull-request comment: verdict, score matrix, blockers, counts, details.",
            _lazy("markdown"),
        ),
        OutputFormat("gitlab", "GitLab Code Quality JSON (artifacts:reports:codequality).", _lazy("gitlab")),
    ]
