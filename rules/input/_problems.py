"""Shared check for the input rules: turn the loader's problems of one code into findings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding
from kportable.rule import RuleContext


def problem_findings(ctx: RuleContext[Any], code: str, fix: str) -> Iterator[Finding]:
    """One finding per load problem with ``code``, at the problem's file, line and column."""
    for item in ctx.inventory.problems:
        problem = item.problem
        if problem.code == code:
            yield ctx.finding_at(item.path, problem.line, problem.column, problem.message, fix=fix)
