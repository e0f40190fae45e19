"""The score matrix (rows: workloads, columns: targets) in text and JSON, and score explanations.

Used by ``kportable score``, at the end of ``kportable lint``'s text output, and for the ``scores``
key of the JSON report.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..findings import Finding
from ..model import label
from ..score_types import PORTABLE, WorkloadScore, row_labels
from .base import ReportOptions
from .common import score_dict
from .text import make_console

if TYPE_CHECKING:
    from ..api import RunResult

LINT_MATRIX_ROWS = 20


def targets_of(scores: Sequence[WorkloadScore]) -> list[str]:
    """Score columns in display order: the clouds, then ``portable``."""
    seen = {t for s in scores for t in s.scores}
    return [*sorted(seen - {PORTABLE}), *([PORTABLE] if PORTABLE in seen else [])]


def worst_first(scores: Sequence[WorkloadScore]) -> list[WorkloadScore]:
    """Lowest portable score first (then the lowest on any cloud), ties by workload: deterministic."""
    def key(s: WorkloadScore) -> tuple[int, int, str, str, str]:
        values = list(s.scores.values()) or [100]
        ref = s.workload
        return (s.scores.get(PORTABLE, 100), min(values), ref.namespace or "", ref.kind, ref.name)

    return sorted(scores, key=key)


def _style(score: int) -> str:
    return "green" if score >= 90 else "yellow" if score >= 60 else "red"


def matrix_table(scores: Sequence[WorkloadScore], *, limit: int | None = None, title: str | None = None) -> Table:
    targets = targets_of(scores)
    table = Table(title=title, header_style="bold", title_justify="left", title_style="bold")
    table.add_column("workload", overflow="fold")
    for t in targets:
        table.add_column(t, justify="right", no_wrap=True)
    rows = worst_first(scores)
    labels = row_labels(scores)
    for s in rows[:limit] if limit is not None else rows:
        cells = [Text(str(s.scores[t]), style=_style(s.scores[t])) if t in s.scores else Text("-") for t in targets]
        table.add_row(labels[id(s)], *cells)
    return table


def print_matrix(console: Console, scores: Sequence[WorkloadScore], *, limit: int | None = None,
                 title: str = "Portability scores (0-100, per target)") -> None:
    """The matrix, cut to ``limit`` rows (worst first) with a line saying how many were left out."""
    if not scores:
        return
    console.print(matrix_table(scores, limit=limit, title=title))
    if limit is not None and len(scores) > limit:
        console.print(Text(f"{len(scores) - limit} more workloads not shown; `kportable score PATH...` lists "
                           "them all, `--explain WORKLOAD` shows what each point is for.", style="dim"))


def render_score(result: RunResult, options: ReportOptions, fmt: str) -> str:
    """``kportable score``: the whole matrix as a table (text) or as JSON."""
    if fmt == "json":
        data = {"targets": targets_of(result.scores), "scores": [score_dict(s) for s in worst_first(result.scores)]}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    buffer = io.StringIO()
    console = make_console(options, buffer)
    if not result.scores:
        console.print("No workloads found (scores are per Pod, Deployment, StatefulSet, DaemonSet, Job, ...).")
    else:
        print_matrix(console, result.scores)
    return buffer.getvalue()


def find_workloads(scores: Sequence[WorkloadScore], query: str) -> list[WorkloadScore]:
    """Workloads matching ``Kind/namespace/name``, ``namespace/name``, ``Kind/name`` or ``name``
    (the kind case-insensitive)."""
    parts = [p for p in query.strip().replace(" ", "/").split("/") if p]
    out = []
    for s in scores:
        ref = s.workload
        ns = ref.namespace or "-"
        if len(parts) == 1:
            ok = parts[0] == ref.name
        elif len(parts) == 2:
            ok = parts[1] == ref.name and (parts[0] == ns or parts[0].lower() == ref.kind.lower())
        elif len(parts) == 3:
            ok = parts[0].lower() == ref.kind.lower() and parts[1] == ns and parts[2] == ref.name
        else:
            ok = False
        if ok:
            out.append(s)
    return out


def render_explain(result: RunResult, chosen: Sequence[WorkloadScore], options: ReportOptions) -> str:
    """``kportable score --explain``: per target, which finding costs how many points, and where."""
    by_fingerprint: dict[str, Finding] = {f.fingerprint: f for f in result.findings}
    buffer = io.StringIO()
    console = make_console(options, buffer)
    labels = row_labels(result.scores)
    for s in chosen:
        console.print(Text(labels.get(id(s), s.row_label), style="bold underline"))
        workload = next((w for w in result.inventory.workloads
                         if w.ref == s.workload and (not s.file or w.resource.path == s.file)), None)
        if workload is not None:
            linked = [r for r in result.inventory.linked(workload) if r is not workload.resource]
            if linked:
                console.print(Text("linked objects: " + ", ".join(label(r) for r in linked), style="dim"))
        for target in targets_of([s]):
            console.print(Text.assemble((f"{target}: ", "bold"), (str(s.scores[target]), _style(s.scores[target]))))
            costs = [c for c in s.costs if c.target == target]
            if not costs:
                console.print(Text("  nothing costs points here", style="dim"))
            for c in costs:
                f = by_fingerprint.get(c.fingerprint)
                where = f"{f.location.path}:{f.location.line}" if f is not None else ""
                line = Text(f"  -{c.points:5.1f}  ")
                line.append(c.rule_id, style="bold magenta")
                line.append(f"  {c.message}")
                if where:
                    line.append(f"  {where}", style="dim")
                console.print(line)
        console.print()
    return buffer.getvalue()
