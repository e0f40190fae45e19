"""Shared fixtures: paths to the real corpus (skipped cleanly when absent) and a lint helper."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REAL_CORPUS = SHARED / "corpus" / "real"
SEEDS = SHARED / "corpus" / "seeds"
FIXTURES = ROOT / "fixtures"


@pytest.fixture(scope="session")
def real_corpus() -> Path:
    """``../shared/corpus/real``, read in place; the test is skipped when it is not there."""
    if not REAL_CORPUS.is_dir():
        pytest.skip("../shared/corpus/real is not available")
    return REAL_CORPUS


@pytest.fixture(scope="session")
def seeds_corpus() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/corpus/seeds is not available")
    return SEEDS
