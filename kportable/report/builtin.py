"""The output formats kportable ships, registered by the ``core`` plugin."""

from __future__ import annotations

from .base import OutputFormat


def builtin_formats() -> list[OutputFormat]:
    from . import github, gitlab, json_report, markdown, sarif, text

    return [
        OutputFormat(
            "text", "Findings grouped by file with the offending line, then a summary (default).", text.render
        ),
        OutputFormat("json", "Stable, sorted JSON described by schemas/report.schema.json.", json_report.render),
        # --- ci (issue #6) ---------------------------------------------------------------
        OutputFormat("sarif", "SARIF 2.1.0 for GitHub code scanning (paths relative to --sarif-root).", sarif.render),
        OutputFormat(
            "github", "GitHub Actions annotations, plus the Markdown summary in $GITHUB_STEP_SUMMARY.", github.render
        ),
        OutputFormat("markdown", "A pull-request comment: verdict, score matrix, blockers, counts, details.",
                     markdown.render),
        OutputFormat("gitlab", "GitLab Code Quality JSON (artifacts:reports:codequality).", gitlab.render),
    ]
