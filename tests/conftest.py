"""Shared fixtures: paths to the real corpus (skipped cleanly when absent) and a lint helper."""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REAL_CORPUS = SHARED / "corpus" / "real"
SEEDS = SHARED / "corpus" / "seeds"
FIXTURES = ROOT / "fixtures"

# The rules the CI-surface tests (baseline, suppressions, gates, output formats) lint with: input
# problems (KP0xx) and the core's container-resources rules. Those tests are about what happens to
# findings, not about which rules exist, so they pin this selection: a new hygiene or cloud rule
# must not change their expected lists. A test that wants every default rule passes ``select=None``.
CORE_RULES = ("KP0", "KP101", "KP102", "KP103")
CORE_SELECT = "--select=" + ",".join(CORE_RULES)  # the same selection for CLI invocations


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


# --------------------------------------------------------------------------- SARIF validation

SARIF_SCHEMA = ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json"


@functools.cache
def _sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


_URI_BAD = re.compile(r"[\s\\<>\"{}|^`]")


def sarif_problems(log: object) -> list[str]:
    """Violations of the official SARIF 2.1.0 schema, plus what code scanning needs of URIs.

    jsonschema does not check the ``uri-reference`` format without extra packages, so URIs are
    checked here: no characters that must be percent-encoded, and a root-relative URI (one with
    ``uriBaseId``) is never absolute or ``..``-escaping.
    """
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in _sarif_validator().iter_errors(log)
    ]

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if "uri" in node and isinstance(node["uri"], str):
                uri = node["uri"]
                if _URI_BAD.search(uri):
                    problems.append(f"{where}: uri {uri!r} is not percent-encoded")
                if "uriBaseId" in node and (uri.startswith(("/", "../")) or "://" in uri):
                    problems.append(f"{where}: uri {uri!r} with uriBaseId is not root-relative")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(log, "")
    return problems


def assert_valid_sarif(text: str) -> dict:
    """Parse a SARIF log and fail with its problems unless it is valid; return the log."""
    log = json.loads(text)
    problems = sarif_problems(log)
    assert not problems, "invalid SARIF:\n" + "\n".join(problems[:20])
    return log


@pytest.fixture(scope="session", autouse=True)
def every_sarif_is_valid():
    """Validate every SARIF log the suite renders in-process against the official schema.

    Wraps ``kportable.report.sarif.dumps`` (what ``render`` calls last) for the whole session and
    checks each log when the session ends, naming the test that produced it. Logs written by a
    ``kportable`` subprocess are checked by their tests with ``assert_valid_sarif``.
    """
    import kportable.report.sarif as sarif

    produced: list[tuple[str, str]] = []
    original = sarif.dumps

    def recording(log):
        text = original(log)
        produced.append((os.environ.get("PYTEST_CURRENT_TEST", "?"), text))
        return text

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sarif, "dumps", recording)
        yield produced
    failures = []
    for test, text in produced:
        problems = sarif_problems(json.loads(text))
        if problems:
            failures.append(f"{test}:\n  " + "\n  ".join(problems[:10]))
    if failures:
        pytest.fail(f"{len(failures)} of {len(produced)} SARIF logs are invalid:\n" + "\n".join(failures))


@pytest.fixture
def valid_sarif():
    """``valid_sarif(text) -> log``: parse a SARIF log and assert it passes the official schema."""
    return assert_valid_sarif


@pytest.fixture
def lint_dir(tmp_path, monkeypatch):
    """Write manifests under a temporary git repository, chdir there, return a lint function.

    ``lint_dir({"k8s/a.yaml": text}, **RunOptions fields) -> RunResult`` lints the ``paths``
    (default: every file written) with the real pipeline and the ``CORE_RULES`` selection (unless
    the test passes ``select``; ``select=None`` runs every default rule).
    """
    from kportable.api import RunOptions, run

    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)

    def lint(files, paths=None, **fields):
        fields.setdefault("select", CORE_RULES)
        for name, text in files.items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return run(RunOptions(paths=tuple(paths or sorted(files)), **fields))

    return lint
