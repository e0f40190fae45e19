"""Markdown report: the pull-request comment (and the GitHub step summary).

Shape, most important first: the gate's verdict, the score matrix (workload x cloud), the
blockers, counts by rule, then every finding in a collapsed ``<details>`` block per file.
The first line is a hidden marker (``MARKER``) so a workflow can find and update its previous
comment instead of adding one per push; the body has no timestamps, so re-posting an unchanged
result is a no-op. GitHub caps a comment at 65,536 characters: past ``MAX_CHARS`` the per-file
blocks stop and a line says how many were left out.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .. import __version__
from ..findings import Finding, Severity
from ..gates import EXIT_INTERNAL, EXIT_OK, exit_status, minimum_for, score_violations
from ..score_types import row_labels
from .base import ReportOptions
from .common import finding_text, plural, score_matrix, worst_first
from .locations import Locator

if TYPE_CHECKING:
    from ..api import RunResult

MARKER = "<!-- kportable-report -->"
MAX_CHARS = 60_000


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell (no HTML, no pipes, one line)."""
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|")


def code(text: str) -> str:
    """An inline code span (backticks in the text cannot close it)."""
    return "`" + " ".join(text.replace("`", "'").split()).replace("|", "\\|") + "`"


class _Report:
    def __init__(self, result: RunResult, options: ReportOptions) -> None:
        self.result = result
        self.locator = Locator(options.sarif_root)
        self.status = exit_status(result)

    def where(self, f: Finding) -> tuple[str, int]:
        place = self.locator.place(f)
        return self.locator.display(place.path), place.line

    def headline(self) -> list[str]:
        result = self.result
        active = result.active
        counts = Counter(f.severity for f in active)
        if self.status == EXIT_INTERNAL:
            verdict = ":warning: **incomplete run**"
        elif self.status == EXIT_OK:
            verdict = ":white_check_mark: **passed**"
        else:
            verdict = ":x: **failed**"
        parts = [f"{counts[s]} {s.value}" for s in Severity if counts[s]]
        found = plural(len(active), "finding") + (f" ({', '.join(parts)})" if parts else "")
        stats = result.stats
        lines = [
            MARKER,
            f"## kportable: {verdict}",
            "",
            f"{found} in {plural(stats.files, 'file')}, {plural(stats.resources, 'resource')}, "
            f"{plural(stats.workloads, 'workload')}. Gate: fail on `{result.options.fail_on.value}` or worse"
            + self._min_score_text()
            + ".",
        ]
        suppressed = len(result.findings) - len(active)
        if suppressed:
            lines.append(f"{plural(suppressed, 'finding')} suppressed (annotations, comments, exemptions, baseline).")
        for crash in result.crashes:
            lines.append(f"- :warning: rule {crash.rule_id} crashed on {cell(crash.obj)}: {cell(crash.error)}")
        for err in result.registry.errors:
            lines.append(f"- :warning: {cell(err.message)}")
        return lines

    def _min_score_text(self) -> str:
        minimum = self.result.options.min_score
        if not minimum:
            return ""
        parts = [f"{'any target' if k == '*' else k} < {v}" for k, v in sorted(minimum.items())]
        return f", or a score under the minimum ({', '.join(parts)})"

    def scores(self) -> list[str]:
        result = self.result
        matrix = score_matrix(result.scores)
        if not matrix.rows:
            return []
        minimum = result.options.min_score
        lines = ["", "### Portability scores", "", "| workload | " + " | ".join(matrix.targets) + " |",
                 "|---|" + "---:|" * len(matrix.targets)]
        labels = row_labels(matrix.rows)
        for ws in matrix.rows:
            cells = []
            for target in matrix.targets:
                score = ws.scores.get(target)
                if score is None:
                    cells.append("-")
                    continue
                floor = minimum_for(minimum, target)
                cells.append(f"**{score}** :x:" if floor is not None and score < floor else str(score))
            lines.append(f"| {code(labels[id(ws)])} | " + " | ".join(cells) + " |")
        violations = score_violations(result.scores, minimum)
        if violations:
            lines += ["", f":x: {plural(len(violations), 'score')} under the minimum."]
        return lines

    def blockers(self) -> list[str]:
        found = [f for f in self.result.active if f.severity is Severity.BLOCKER]
        if not found:
            return []
        lines = ["", f"### Blockers ({len(found)})", ""]
        for f in worst_first(found):
            path, line = self.where(f)
            obj = f" {code(str(f.obj))}" if f.obj is not None else ""
            lines.append(f"- {code(f'{path}:{line}')} **{f.rule_id}** {code(f.slug)}{obj}: {cell(finding_text(f))}")
        return lines

    def by_rule(self) -> list[str]:
        findings = self.result.findings
        if not findings:
            return []
        active: Counter[str] = Counter()
        suppressed: Counter[str] = Counter()
        first: dict[str, Finding] = {}
        for f in findings:
            (active if f.suppressed is None else suppressed)[f.rule_id] += 1
            first.setdefault(f.rule_id, f)
        order = sorted(first, key=lambda r: (-first[r].severity.rank, -active[r], r))
        lines = ["", "### Findings by rule", "", "| rule | severity | findings | suppressed |", "|---|---|---:|---:|"]
        for rule_id in order:
            f = first[rule_id]
            counts = f"{active[rule_id]} | {suppressed[rule_id]}"
            lines.append(f"| {rule_id} {code(f.slug)} | {f.severity.value} | {counts} |")
        return lines

    def by_file(self, budget: int) -> list[str]:
        groups: dict[str, list[Finding]] = defaultdict(list)
        for f in self.result.active:
            groups[self.where(f)[0]].append(f)
        if not groups:
            return []
        lines = ["### Findings by file", ""]
        used = 0
        paths = sorted(groups, key=lambda p: (-max(f.severity.rank for f in groups[p]), p))
        for i, path in enumerate(paths):
            block = self._file_block(path, groups[path])
            if used + len(block) > budget:
                rest = paths[i:]
                count = sum(len(groups[p]) for p in rest)
                lines.append(f"_{plural(len(rest), 'more file')} ({plural(count, 'finding')}) not shown: the comment "
                             "would be too long; see the code scanning alerts or the job log._")
                break
            lines += [block, ""]
            used += len(block) + 1
        return lines

    def _file_block(self, path: str, findings: Iterable[Finding]) -> str:
        items = worst_first(findings)
        worst = items[0].severity.value
        rows = [
            f"<details><summary><code>{html.escape(path)}</code>: {plural(len(items), 'finding')} "
            f"(worst: {worst})</summary>",
            "",
            "| line | rule | severity | object | message |",
            "|---:|---|---|---|---|",
        ]
        for f in items:
            _, line = self.where(f)
            obj = code(str(f.obj)) if f.obj is not None else ""
            rule = f"{f.rule_id} {code(f.slug)}"
            rows.append(f"| {line} | {rule} | {f.severity.value} | {obj} | {cell(finding_text(f))} |")
        rows += ["", "</details>"]
        return "\n".join(rows)

    def render(self) -> str:
        head = [*self.headline(), *self.scores(), *self.blockers(), *self.by_rule(), ""]
        footer = [f"<sub>kportable {__version__} · suppressed findings are counted, not listed · "
                      "details in the code scanning alerts (SARIF).</sub>"]
        used = sum(len(line) + 1 for line in (*head, *footer))
        body = self.by_file(MAX_CHARS - used)
        return "\n".join([*head, *body, *footer]) + "\n"


def render(result: RunResult, options: ReportOptions) -> str:
    return _Report(result, options).render()
