"""GitLab Code Quality report (the Code Climate subset GitLab reads from ``artifacts:reports:codequality``).

One issue per unsuppressed finding: ``description``, ``check_name`` (the rule id),
``fingerprint`` (``Finding.fingerprint``, made unique when two findings share it, as GitLab
requires), ``severity`` (kportable's blocker/major/minor/info are Code Climate severities too),
``location.path`` relative to the repository root and ``location.lines.begin``. The merge
request widget then shows new and fixed findings.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from .base import ReportOptions
from .common import object_text
from .locations import Locator

if TYPE_CHECKING:
    from ..api import RunResult


def render(result: RunResult, options: ReportOptions) -> str:
    locator = Locator(options.sarif_root)
    seen: Counter[str] = Counter()
    issues: list[dict[str, Any]] = []
    for f in result.active:
        place = locator.place(f)
        fingerprint = f.fingerprint
        seen[fingerprint] += 1
        if seen[fingerprint] > 1:
            fingerprint = f"{fingerprint}-{seen[fingerprint]}"
        issues.append({
            "type": "issue",
            "check_name": f"{f.rule_id} {f.slug}",
            "description": object_text(f),
            "categories": ["Compatibility"],
            "severity": f.severity.value,
            "fingerprint": fingerprint,
            "location": {"path": locator.display(place.path), "lines": {"begin": place.line, "end": place.end_line}},
        })
    if not issues:
        return "[]\n"
    return "[\n" + ",\n".join("  " + json.dumps(i, ensure_ascii=False) for i in issues) + "\n]\n"
