"""The cloud items of ``../shared/corpus/real/EXPECTED.md`` (encoded in ``data/expected_real.yaml``):
every tie is found at its line with its cloud, and no "must not flag" item produces a finding.

The corpus is linted in place (skipped when ``../shared`` is absent). ``measure`` is also used by
hand to print recall and precision: ``python -m tests.test_expected_real``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from kportable.api import RunOptions, run
from kportable.findings import Effect, Finding

DATA = Path(__file__).resolve().parent / "data" / "expected_real.yaml"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "real"


def load() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return data


def span(item: dict[str, Any]) -> tuple[int, int]:
    if "lines" in item:
        return item["lines"][0], item["lines"][1]
    return item["line"], item["line"]


@dataclass
class Measure:
    missed: list[dict[str, Any]] = field(default_factory=list)
    found: list[dict[str, Any]] = field(default_factory=list)
    object_level: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[tuple[dict[str, Any], Finding]] = field(default_factory=list)
    info_missed: list[dict[str, Any]] = field(default_factory=list)
    cloud_findings: int = 0
    matched: int = 0

    @property
    def recall(self) -> float:
        total = len(self.found) + len(self.missed)
        return len(self.found) / total if total else 1.0

    @property
    def precision(self) -> float:
        """Of the cloud findings in the files EXPECTED.md lists, the share that hits no must-not-flag item."""
        return 1 - len(self.false_positives) / self.cloud_findings if self.cloud_findings else 1.0


def measure(corpus: Path) -> Measure:
    data = load()
    items = [*data["ties"], *data["info"], *data["must_not_flag"]]
    files = sorted({item["file"] for item in items})
    result = run(RunOptions(paths=tuple(str(corpus / f) for f in files), jobs=1))
    assert not result.crashes, result.crashes
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        if f.clouds:
            by_file[str(Path(f.location.path).relative_to(corpus))].append(f)
    m = Measure(cloud_findings=sum(len(v) for v in by_file.values()))
    matched: set[int] = set()
    for tie in data["ties"]:
        first, last = span(tie)
        hits = [f for f in by_file[tie["file"]] if tie["cloud"] in f.clouds and first <= f.location.line <= last]
        if not hits and tie.get("object_level"):
            kind, _, name = tie["object"].partition("/")
            hits = [f for f in by_file[tie["file"]]
                    if tie["cloud"] in f.clouds and f.obj is not None and (f.obj.kind, f.obj.name) == (kind, name)]
            if hits:
                m.object_level.append(tie)
        (m.found if hits else m.missed).append(tie)
        matched.update(id(f) for f in hits)
    for info in data["info"]:
        first, last = span(info)
        hits = [f for f in by_file[info["file"]] if info["cloud"] in f.clouds and first <= f.location.line <= last]
        if not hits:
            m.info_missed.append(info)
        matched.update(id(f) for f in hits)
    m.matched = len(matched)
    for rule in data["must_not_flag"]:
        for f in by_file[rule["file"]]:
            if rule.get("whole_file"):
                if rule.get("allow_info") and f.effect is Effect.INFO:
                    continue
                if f.location.line in rule.get("except_lines", ()):
                    continue
                m.false_positives.append((rule, f))
            else:
                first, last = span(rule)
                if first <= f.location.line <= last:
                    m.false_positives.append((rule, f))
    return m


@pytest.fixture(scope="module")
def measured(real_corpus: Path) -> Measure:
    return measure(real_corpus)


def test_test_data_names_existing_files(real_corpus: Path) -> None:
    data = load()
    for item in [*data["ties"], *data["info"], *data["must_not_flag"]]:
        assert (real_corpus / item["file"]).is_file(), item


def test_every_tie_is_found_at_its_line_with_its_cloud(measured: Measure) -> None:
    missed = [f"item {t['item']} {t['file']}:{span(t)} {t['cloud']} ({t['note']})" for t in measured.missed]
    assert not missed, "missed ties:\n" + "\n".join(missed)


def test_info_items_are_reported(measured: Measure) -> None:
    assert not measured.info_missed, measured.info_missed


def test_no_must_not_flag_item_is_flagged(measured: Measure) -> None:
    flagged = [f"item {r['item']} ({r['note']}): {f.location.path}:{f.location.line} {f.rule_id} {f.message}"
               for r, f in measured.false_positives]
    assert not flagged, "false positives:\n" + "\n".join(flagged)


if __name__ == "__main__":  # pragma: no cover - a report for people
    result = measure(CORPUS)
    print(f"ties: {len(result.found)}/{len(result.found) + len(result.missed)} found "
          f"(recall {result.recall:.3f}; {len(result.object_level)} of them at object level)")
    print(f"cloud findings in the listed files: {result.cloud_findings}, matching a listed tie/info line: "
          f"{result.matched}, on a must-not-flag item: {len(result.false_positives)} "
          f"(precision {result.precision:.3f})")
    for t in result.missed:
        print("MISSED", t)
    for r, f in result.false_positives:
        print("FALSE POSITIVE", r["item"], f.location.path, f.location.line, f.rule_id, f.message)
