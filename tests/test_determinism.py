"""Determinism: the same inputs give byte-identical reports in every registered format.

Whatever the order of the arguments, the order the file system lists directories in, the
number of worker processes, the run or the process (hash seed), the output is the same. No
format is exempt: a format that cannot be deterministic would have to be listed here with the
reason, and there is none.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kportable import parallel
from kportable.api import RunOptions, RunResult, run
from kportable.plugins.manager import get_registry
from kportable.report.base import ReportOptions
from kportable.sources import expand

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NON_DETERMINISTIC_FORMATS: frozenset[str] = frozenset()  # none, and it should stay that way

pytestmark = pytest.mark.corpus


def formats() -> list[str]:
    return sorted(n for n in get_registry().formats if n not in NON_DETERMINISTIC_FORMATS)


def render_all(result: RunResult) -> dict[str, str]:
    registry = result.registry
    return {name: registry.formats[name].render(result, ReportOptions()) for name in formats()}


def lint(*paths: str, jobs: int = 1) -> dict[str, str]:
    return render_all(run(RunOptions(paths=paths, jobs=jobs)))


@pytest.fixture(scope="module")
def baseline(real_corpus: Path) -> dict[str, str]:
    reports = lint(str(real_corpus), str(FIXTURES))
    assert set(reports) >= {"json", "text"}
    assert '"rule_id": "KP' in reports["json"]  # the corpus has findings: the comparison means something
    return reports


def test_two_runs_in_one_process(real_corpus: Path, baseline: dict[str, str]) -> None:
    assert lint(str(real_corpus), str(FIXTURES)) == baseline


def test_argument_order_and_spelling(real_corpus: Path, baseline: dict[str, str]) -> None:
    files, _ = expand([str(real_corpus), str(FIXTURES)])
    paths = [f.display for f in files]
    assert lint(str(FIXTURES), str(real_corpus)) == baseline
    assert lint(*reversed(paths)) == baseline
    shuffled = list(paths)
    random.Random(7).shuffle(shuffled)
    assert lint(*shuffled, str(real_corpus)) == baseline  # named twice: counted once


def test_directory_listing_order(
    real_corpus: Path, baseline: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_scandir = os.scandir
    rng = random.Random(11)

    class Shuffled:
        def __init__(self, path: str) -> None:
            with real_scandir(path) as it:
                self.entries = list(it)
            rng.shuffle(self.entries)

        def __iter__(self) -> Iterator[os.DirEntry[str]]:
            return iter(self.entries)

        def __enter__(self) -> Shuffled:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    def shuffled_scandir(path: str) -> Shuffled:
        return Shuffled(path)

    monkeypatch.setattr(os, "scandir", shuffled_scandir)
    assert lint(str(real_corpus), str(FIXTURES)) == baseline


@pytest.mark.parametrize("jobs", [2, 3, 5])
def test_any_number_of_jobs(
    jobs: int, real_corpus: Path, baseline: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "available_cpus", lambda: 8)  # parallel even on a one-CPU runner
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    assert lint(str(real_corpus), str(FIXTURES), jobs=jobs) == baseline


def test_parallel_codec_round_trips_every_field(real_corpus: Path) -> None:
    from kportable.sources import read_input

    files, _ = expand([str(real_corpus), str(FIXTURES)])
    sources = [read_input(f) for f in files]
    assert list(parallel.decode(parallel.encode(sources))) == sources


def test_separate_processes_with_different_hash_seeds(real_corpus: Path, tmp_path: Path) -> None:
    """The CLI in fresh interpreters (set and dict order vary with PYTHONHASHSEED) writes the same bytes."""
    for name in formats():
        outputs = []
        for seed in ("1", "2"):
            out = tmp_path / f"{name}-{seed}.out"
            env = {**os.environ, "PYTHONHASHSEED": seed}
            proc = subprocess.run(
                [sys.executable, "-m", "kportable", "lint", str(real_corpus), str(FIXTURES), "--format", name,
                 "--output", str(out)],
                env=env, capture_output=True, text=True, check=False,
            )
            assert proc.returncode in (0, 1), proc.stderr
            outputs.append(out.read_bytes())
        assert outputs[0] == outputs[1], name
