"""The output-format contract shared by built-in and plugin formatters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..api import RunResult


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """How to render: colour, verbosity, the root SARIF paths are relative to, the terminal width."""

    color: bool = False
    verbose: int = 0
    quiet: bool = False
    sarif_root: str | None = None
    width: int = 100
    show_suppressed: bool = False


Render = Callable[["RunResult", ReportOptions], str]


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """A named output format: ``render(result, options)`` returns the whole report as text."""

    name: str
    help: str
    render: Render
    plugin: str = ""
