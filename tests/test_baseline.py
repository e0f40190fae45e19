"""Baselines: write, match by fingerprint across line moves, report stale entries."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import CORE_SELECT

from kportable.baseline import Baseline, apply_baseline, baseline_from_data, dumps_baseline, load_baseline
from kportable.cli import main
from kportable.errors import UserError

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
"""

# Reformatted and moved down: flow style, other indentation, a Service in front.
WEB_REFORMATTED = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {namespace: shop, name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
"""

API = WEB.replace("name: web\n  namespace", "name: api\n  namespace")


def cli(*args):
    result = CliRunner().invoke(main, ["lint", "--no-config", CORE_SELECT, *args])
    return result.exit_code, result.stdout, result.stderr


def test_file_format_is_sorted_and_deterministic(lint_dir):
    result = lint_dir({"k8s/web.yaml": WEB, "k8s/api.yaml": API})
    text = dumps_baseline(result.active)
    assert text == dumps_baseline(reversed(result.active))
    data = json.loads(text)
    assert data["kportable-baseline"] == 1
    assert [(e["file"], e["rule"]) for e in data["findings"]] == [
        ("k8s/api.yaml", "KP101"), ("k8s/api.yaml", "KP102"), ("k8s/api.yaml", "KP103"),
        ("k8s/web.yaml", "KP101"), ("k8s/web.yaml", "KP102"), ("k8s/web.yaml", "KP103")]
    assert set(data["findings"][0]) == {"fingerprint", "rule", "file", "object", "key", "message"}
    assert text.count("\n") == len(data["findings"]) + 5  # one entry per line
    assert dumps_baseline([]) == '{\n  "kportable-baseline": 1,\n  "findings": []\n}\n'


def test_baseline_survives_line_moves_and_reformatting(lint_dir):
    before = lint_dir({"k8s/web.yaml": WEB})
    baseline = baseline_from_data(json.loads(dumps_baseline(before.active)), "b.json")
    after = lint_dir({"k8s/web.yaml": WEB_REFORMATTED}, baseline=baseline)
    assert {f.location.line for f in after.findings} != {f.location.line for f in before.findings}
    assert after.findings
    assert not after.active
    assert after.stale_baseline == ()
    assert {f.suppressed.source for f in after.findings} == {"baseline b.json"}


def test_only_new_findings_count_and_fixed_ones_are_stale(lint_dir):
    sized = WEB.replace("        image: nginx:1.27\n", "        image: nginx:1.27\n        resources: {}\n")
    baseline = baseline_from_data(json.loads(dumps_baseline(lint_dir({"k8s/web.yaml": sized}).active)), "b.json")
    fixed = sized.replace("resources: {}", "resources: {limits: {memory: 64Mi}}")
    result = lint_dir({"k8s/web.yaml": fixed, "k8s/api.yaml": API}, baseline=baseline)
    assert {(f.obj.name, f.rule_id) for f in result.active} == {("api", "KP101"), ("api", "KP102"), ("api", "KP103")}
    assert {(f.obj.name, f.rule_id) for f in result.findings if f.suppressed} == {("web", "KP101")}
    stale = {e.rule for e in result.stale_baseline}
    assert "KP103" in stale
    assert "KP101" not in stale
    entry = next(e for e in result.stale_baseline if e.rule == "KP103")
    assert entry.describe() == "KP103 Deployment shop/web spec.template.spec.containers[0].resources (k8s/web.yaml)"


def test_entries_match_as_a_multiset(lint_dir):
    result = lint_dir({"k8s/web.yaml": WEB}, select=("KP101",))
    (finding,) = result.findings
    double = result.findings + result.findings
    marked, stale = apply_baseline(double, Baseline("b.json", ()))
    assert [f.suppressed for f in marked] == [None, None]
    assert stale == ()
    one = baseline_from_data(json.loads(dumps_baseline([finding])), "b.json")
    marked, _ = apply_baseline(double, one)
    assert [f.suppressed is not None for f in marked] == [True, False]


@pytest.mark.parametrize(("content", "message"), [
    ("{", "not valid JSON"),
    ('{"findings": []}', "is not a kportable baseline"),
    ('{"kportable-baseline": 1, "findings": {}}', "'findings' must be a list"),
    ('{"kportable-baseline": 1, "findings": [{"rule": "KP101"}]}', "entry 0 has no 'fingerprint'"),
])
def test_bad_baseline_files_are_user_errors(tmp_path, content, message):
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(UserError, match=message):
        load_baseline(str(path))
    with pytest.raises(UserError, match="does not exist"):
        load_baseline(str(tmp_path / "missing.json"))


def test_cli_write_then_use_the_baseline(lint_dir, tmp_path):
    lint_dir({"k8s/web.yaml": WEB})
    code, out, err = cli("k8s", "--write-baseline", ".kportable-baseline.json")
    assert code == 0, err
    assert "wrote 3 finding(s) to baseline .kportable-baseline.json" in err
    assert "3 suppressed" in out
    written = (tmp_path / ".kportable-baseline.json").read_text()

    (tmp_path / "k8s" / "web.yaml").write_text(WEB_REFORMATTED)
    assert cli("k8s", "--baseline", ".kportable-baseline.json")[0] == 0

    (tmp_path / "k8s" / "api.yaml").write_text(API)
    code, out, _ = cli("k8s", "--baseline", ".kportable-baseline.json", "-q")
    assert code == 1
    assert "k8s/api.yaml:14:9  KP101" in out
    assert "k8s/web.yaml" not in out

    (tmp_path / "k8s" / "web.yaml").unlink()
    code, _, err = cli("k8s", "--baseline", ".kportable-baseline.json", "-q")
    assert "stale" not in err
    code, _, err = cli("k8s", "--baseline", ".kportable-baseline.json", "-q", "-v")
    assert "3 stale entries in .kportable-baseline.json" in err
    assert "KP101 Deployment shop/web spec.template.spec.containers[0] (k8s/web.yaml)" in err

    assert cli("k8s", "--write-baseline", ".kportable-baseline.json")[0] == 0
    assert (tmp_path / ".kportable-baseline.json").read_text() != written
    code, _, err = cli("k8s", "--baseline", "b.json", "--write-baseline", "c.json")
    assert code == 2
    assert "cannot be combined" in err


def test_cli_missing_baseline_exits_2(lint_dir):
    lint_dir({"k8s/web.yaml": WEB})
    code, _, err = cli("k8s", "--baseline", "nope.json")
    assert code == 2
    assert "nope.json does not exist (create it with --write-baseline nope.json)" in err


def test_write_baseline_scores_like_the_run_that_reads_it(lint_dir):
    """Baselined findings cost nothing: writing the baseline must not score (or gate) the run as before it."""
    lint_dir({"k8s/web.yaml": WEB})
    assert cli("k8s", "-f", "json", "--min-score", "90")[0] == 1  # KP101-KP103 cost web 17 points
    code, out, err = cli("k8s", "--write-baseline", "b.json", "-f", "json", "--min-score", "90")
    assert code == 0, err
    written = json.loads(out)["scores"]
    code, out, _ = cli("k8s", "--baseline", "b.json", "-f", "json", "--min-score", "90")
    assert code == 0
    assert written == json.loads(out)["scores"]
    assert written[0]["scores"] == {"aks": 100, "eks": 100, "gke": 100, "portable": 100}
    assert written[0]["costs"] == []
