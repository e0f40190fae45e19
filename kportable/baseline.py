"""Baselines: accept today's findings, fail only on new ones.

``kportable lint --write-baseline FILE`` records the fingerprint of every finding that counts;
``--baseline FILE`` then marks findings whose fingerprint is recorded as suppressed (kind
``external``), so only new findings reach the exit code. A fingerprint is the rule id, the
object's identity and the key path, never the line (``Finding.fingerprint``), so moving lines,
re-indenting or moving an object to another file keeps it matched.

The file is JSON, one entry per line, sorted, with no timestamps, so it diffs and merges well::

    {
      "kportable-baseline": 1,
      "findings": [
        {"fingerprint": "5d0c...", "rule": "KP101", "file": "k8s/web.yaml",
         "object": "Deployment shop/web", "key": "spec.template.spec.containers[0]", "message": "..."}
      ]
    }

Only ``fingerprint`` is used for matching; ``rule``, ``file``, ``object``, ``key`` and
``message`` are there for the people who review the file (and for the stale-entry report).
Entries are matched as a multiset: two identical findings need two entries.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import UserError
from .findings import Finding, Suppression

BASELINE_VERSION = 1
VERSION_KEY = "kportable-baseline"


@dataclass(frozen=True, slots=True, order=True)
class BaselineEntry:
    """One accepted finding. Field order is the file's sort order."""

    file: str
    rule: str
    object: str
    key: str
    fingerprint: str
    message: str = ""

    def describe(self) -> str:
        where = f"{self.object} {self.key}".strip() if self.object else self.file
        return f"{self.rule} {where} ({self.file})"


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline file: where it came from (for messages) and its entries."""

    path: str
    entries: tuple[BaselineEntry, ...] = ()


def entry_of(f: Finding) -> BaselineEntry:
    return BaselineEntry(
        file=f.location.path,
        rule=f.rule_id,
        object="" if f.obj is None else str(f.obj),
        key=f.path,
        fingerprint=f.fingerprint,
        message=f.message,
    )


def dumps_baseline(findings: Iterable[Finding]) -> str:
    """The baseline file for ``findings``: deterministic bytes, one sorted entry per line."""
    entries = sorted(entry_of(f) for f in findings)
    rows = [
        json.dumps(
            {"fingerprint": e.fingerprint, "rule": e.rule, "file": e.file, "object": e.object, "key": e.key,
             "message": e.message},
            ensure_ascii=False,
        )
        for e in entries
    ]
    body = ",\n".join(f"    {r}" for r in rows)
    findings_part = f"[\n{body}\n  ]" if rows else "[]"
    return f'{{\n  "{VERSION_KEY}": {BASELINE_VERSION},\n  "findings": {findings_part}\n}}\n'


def load_baseline(path: str) -> Baseline:
    """Read and check a baseline file; a missing or malformed file is a ``UserError`` (exit 2)."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise UserError(f"--baseline: {path} does not exist (create it with --write-baseline {path})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"--baseline: cannot read {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"--baseline: {path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    return baseline_from_data(data, path)


def baseline_from_data(data: object, path: str) -> Baseline:
    if not isinstance(data, dict) or data.get(VERSION_KEY) != BASELINE_VERSION:
        raise UserError(
            f"--baseline: {path} is not a kportable baseline (expected {{\"{VERSION_KEY}\": {BASELINE_VERSION}, "
            f"\"findings\": [...]}}; write one with --write-baseline)"
        )
    raw = data.get("findings")
    if not isinstance(raw, list):
        raise UserError(f"--baseline: {path}: 'findings' must be a list")
    entries = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise UserError(f"--baseline: {path}: entry {i} has no 'fingerprint' string")
        entries.append(
            BaselineEntry(
                file=str(item.get("file", "")),
                rule=str(item.get("rule", "")),
                object=str(item.get("object", "")),
                key=str(item.get("key", "")),
                fingerprint=item["fingerprint"],
                message=str(item.get("message", "")),
            )
        )
    return Baseline(path, tuple(entries))


def apply_baseline(
    findings: Sequence[Finding], baseline: Baseline
) -> tuple[list[Finding], tuple[BaselineEntry, ...]]:
    """Mark findings recorded in ``baseline`` as suppressed; return them and the stale entries.

    Only findings that still count (not already suppressed) consume entries, in the given
    (sorted) order. An entry left over matched nothing: the problem was fixed, or the object
    renamed, and the entry can go (``--write-baseline`` again).
    """
    remaining = Counter(e.fingerprint for e in baseline.entries)
    marker = Suppression("external", f"baseline {baseline.path}", "accepted in the baseline")
    out = []
    for f in findings:
        fp = f.fingerprint if f.suppressed is None else ""
        if fp and remaining[fp] > 0:
            remaining[fp] -= 1
            out.append(f.with_suppression(marker))
        else:
            out.append(f)
    stale = []
    for entry in sorted(baseline.entries):
        if remaining[entry.fingerprint] > 0:
            remaining[entry.fingerprint] -= 1
            stale.append(entry)
    return out, tuple(stale)
