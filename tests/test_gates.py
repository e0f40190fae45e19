"""CI gates: --fail-on and --min-score, with hand-built scores (the formula lives elsewhere)."""

from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner
from conftest import CORE_SELECT

import kportable.api
from kportable.cli import main
from kportable.findings import ObjectRef
from kportable.gates import EXIT_FINDINGS, EXIT_OK, ScoreViolation, exit_status, minimum_for, score_violations
from kportable.score_types import WorkloadScore

WEB = ObjectRef("Deployment", "shop", "web", "apps/v1")
API = ObjectRef("Deployment", "shop", "api", "apps/v1")
SCORES = (
    WorkloadScore(WEB, {"eks": 55, "gke": 95, "aks": 88, "portable": 62}),
    WorkloadScore(API, {"eks": 100, "gke": 100, "aks": 79, "portable": 79}),
)
CLEAN = """\
apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
  - name: api
    image: nginx:1.27
    resources:
      requests: {cpu: 100m, memory: 64Mi}
      limits: {memory: 64Mi}
"""


def test_minimum_for_prefers_the_target_entry():
    assert minimum_for({"*": 50, "eks": 80}, "eks") == 80
    assert minimum_for({"*": 50, "eks": 80}, "gke") == 50
    assert minimum_for({"eks": 80}, "gke") is None


def test_score_violations():
    assert score_violations(SCORES, {}) == ()
    assert score_violations(SCORES, {"*": 80}) == (
        ScoreViolation(API, "aks", 79, 80), ScoreViolation(API, "portable", 79, 80),
        ScoreViolation(WEB, "eks", 55, 80), ScoreViolation(WEB, "portable", 62, 80))
    assert score_violations(SCORES, {"gke": 96}) == (ScoreViolation(WEB, "gke", 95, 96),)
    assert score_violations(SCORES, {"portable": 62}) == ()  # "under" is strict
    described = ScoreViolation(WEB, "eks", 62, 80).describe()
    assert described == "Deployment shop/web scores 62 for eks, under the minimum 80"


def test_exit_status_combines_findings_and_scores(lint_dir):
    result = lint_dir({"pod.yaml": CLEAN})
    assert exit_status(result) == EXIT_OK
    scored = dataclasses.replace(result, scores=SCORES)
    assert exit_status(scored) == EXIT_OK  # no minimum set
    gated = dataclasses.replace(scored, options=dataclasses.replace(result.options, min_score={"aks": 80}))
    assert exit_status(gated) == EXIT_FINDINGS


@pytest.fixture
def scored_runs(monkeypatch):
    """Make ``api.run`` attach the hand-built scores, as the scoring stage will."""
    real = kportable.api.run

    def run(options, registry=None):
        return dataclasses.replace(real(options, registry), scores=SCORES)

    monkeypatch.setattr(kportable.api, "run", run)


@pytest.mark.parametrize(("args", "code", "messages"), [
    ([], 0, []),
    (["--min-score", "50"], 0, []),
    (["--min-score", "60"], 1, ["Deployment shop/web scores 55 for eks, under the minimum 60 (--min-score)"]),
    (["--min-score", "60", "--target", "portable"], 0, []),  # only portable is gated: eks 55 does not count
    (["--min-score", "80", "--target", "portable"], 1, ["Deployment shop/api scores 79 for portable",
                                                         "Deployment shop/web scores 62 for portable"]),
])
def test_cli_min_score(lint_dir, scored_runs, args, code, messages):
    lint_dir({"pod.yaml": CLEAN})
    outcome = CliRunner().invoke(main, ["lint", "pod.yaml", "--no-config", CORE_SELECT, "-q", *args])
    assert outcome.exit_code == code, outcome.stderr
    for message in messages:
        assert message in outcome.stderr
    if not messages:
        assert "--min-score" not in outcome.stderr


def test_cli_min_score_from_config(lint_dir, scored_runs, tmp_path):
    lint_dir({"pod.yaml": CLEAN})
    (tmp_path / ".kportable.yaml").write_text("min-score: {portable: 70}\n")
    assert CliRunner().invoke(main, ["lint", "pod.yaml", CORE_SELECT]).exit_code == 1  # web: portable 62
    flag = CliRunner().invoke(main, ["lint", "pod.yaml", CORE_SELECT, "--min-score", "50"])
    assert flag.exit_code == 0  # the flag replaces it


def test_cli_fail_on(lint_dir):
    lint_dir({"pod.yaml": CLEAN.replace("      limits: {memory: 64Mi}\n", "")})  # KP103 (minor) only
    lint = ["lint", "pod.yaml", "--no-config", CORE_SELECT]
    assert CliRunner().invoke(main, lint).exit_code == 1
    assert CliRunner().invoke(main, [*lint, "--fail-on", "major"]).exit_code == 0
    assert CliRunner().invoke(main, [*lint, "--fail-on", "minor"]).exit_code == 1
