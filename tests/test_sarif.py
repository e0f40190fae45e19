"""SARIF 2.1.0 output: schema-valid (see conftest), and what GitHub code scanning needs."""

from __future__ import annotations

import dataclasses
import json
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from kportable.api import RunOptions, run
from kportable.baseline import baseline_from_data, dumps_baseline
from kportable.cli import main
from kportable.findings import Finding, Location, ObjectRef, Severity
from kportable.plugins.hookspecs import hookimpl
from kportable.report.base import ReportOptions
from kportable.report.catalog import RULES_DOC_URL, rule_anchor
from kportable.report.locations import Locator
from kportable.report.sarif import FINGERPRINT_KEY, SRCROOT, render, rule_descriptor
from kportable.rule import Target, rule
from kportable.score_types import ScoreCost, WorkloadScore
from kportable.suppress import Exemption

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"

DEPLOY = """\
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

# The same Deployment after unrelated edits: a ConfigMap and comments above it, keys reordered,
# a different indentation. Line numbers change; what is wrong does not.
DEPLOY_MOVED = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  colour: blue
---
# the web tier
kind: Deployment
apiVersion: apps/v1
spec:
    template:
        spec:
            containers:
                -   image: nginx:1.27
                    name: web
        metadata:
            labels: {app: web}
    selector:
        matchLabels: {app: web}
metadata:
    namespace: shop
    name: web
"""


def log_of(result, root=None):
    return json.loads(render(result, ReportOptions(sarif_root=root)))


def test_demo_log_has_everything_code_scanning_reads(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run(RunOptions(paths=("fixtures/demo",)))
    log = log_of(result, str(ROOT))
    assert log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(spec.id for spec in result.rules)
    specs = {spec.id: spec for spec in result.rules}
    for descriptor in rules:
        assert descriptor["shortDescription"]["text"]
        assert descriptor["fullDescription"]["text"].startswith(descriptor["shortDescription"]["text"])
        assert descriptor["help"]["text"]
        assert descriptor["help"]["markdown"].startswith(f"# {descriptor['id']}")
        # the rule's section of docs/rules.md on GitHub (tests/test_plugin_docs.py checks the anchor exists)
        assert descriptor["helpUri"] == f"{RULES_DOC_URL}#{rule_anchor(specs[descriptor['id']])}"
        assert descriptor["defaultConfiguration"]["level"] in {"error", "warning", "note"}
        assert "portability" in descriptor["properties"]["tags"]
        assert "security-severity" not in descriptor["properties"]
    results = sarif_run["results"]
    # every default rule on the demo: 14 hygiene findings (5 KP701, 6 KP252, KP251, KP711, KP712 on the
    # namespace), 4 container-resources findings (KP101-KP103 on orders-api, KP103 on storefront) and
    # 19 cloud ties (3 KP401, KP402, 5 KP201, 2 KP203, KP204, KP304, 2 KP501, 3 KP603, KP604)
    assert len(results) == len(result.findings) == 37
    for f, res in zip(result.findings, results, strict=True):
        assert res["ruleId"] == f.rule_id
        assert rules[res["ruleIndex"]]["id"] == f.rule_id
        (location,) = res["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": f.location.path, "uriBaseId": SRCROOT}
        region = physical["region"]
        assert (region["startLine"], region["startColumn"], region["endLine"]) == (
            f.location.line, f.location.column, f.location.line)
        source_line = (ROOT / f.location.path).read_text().splitlines()[f.location.line - 1]
        assert region["snippet"]["text"] == source_line
        assert res["partialFingerprints"] == {FINGERPRINT_KEY: f.fingerprint}
        assert f.message in res["message"]["text"]
        assert f.fix in res["message"]["text"]
        qualified = "Namespace/shop" if f.obj.kind == "Namespace" else f"{f.obj.kind}/shop/{f.obj.name}"
        assert location["logicalLocations"][0]["fullyQualifiedName"] == qualified
    assert sarif_run["invocations"] == [{"executionSuccessful": True, "exitCode": 1}]
    assert sarif_run["columnKind"] == "unicodeCodePoints"


def test_bytes_are_deterministic(monkeypatch):
    monkeypatch.chdir(ROOT)
    first = render(run(RunOptions(paths=("fixtures/demo",))), ReportOptions(sarif_root=str(ROOT)))
    second = render(run(RunOptions(paths=("fixtures/demo", "fixtures/demo/orders.yaml"))),
                    ReportOptions(sarif_root=str(ROOT)))
    assert first == second
    assert first.endswith("}\n")


def test_fingerprints_survive_unrelated_line_moves(lint_dir):
    before = log_of(lint_dir({"k8s/web.yaml": DEPLOY}))
    after = log_of(lint_dir({"k8s/web.yaml": DEPLOY_MOVED}))

    def keyed(log):
        return {
            (r["ruleId"], r["partialFingerprints"][FINGERPRINT_KEY]): r["locations"][0]["physicalLocation"]["region"]
            for r in log["runs"][0]["results"]
        }

    old, new = keyed(before), keyed(after)
    assert set(old) == set(new)
    assert len(old) == 3  # KP101-KP103 on the one container (KP104 reports only under a ResourceQuota)
    assert {r["startLine"] for r in old.values()} == {14}
    assert {r["startLine"] for r in new.values()} == {16}


def test_fingerprints_differ_per_object_and_rule(lint_dir):
    second = DEPLOY.replace("name: web\n  namespace", "name: api\n  namespace")
    log = log_of(lint_dir({"k8s/web.yaml": DEPLOY, "k8s/api.yaml": second}))
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in log["runs"][0]["results"]]
    assert len(prints) == 6
    assert len(set(prints)) == 6


def test_suppressed_findings_are_carried_with_kind_and_justification(lint_dir):
    manifest = DEPLOY.replace(
        "  namespace: shop\n",
        '  namespace: shop\n  annotations:\n    kportable.io/ignore: KP101\n    kportable.io/ignore-reason: "vendor"\n',
    )
    every = ("KP101", "KP102", "KP103", "KP104")
    everywhere = {"KP104": {"everywhere": True}}  # KP104 at info without a ResourceQuota: a finding that is new
    first = lint_dir({"k8s/web.yaml": manifest}, select=every, rule_options=everywhere)
    kp103 = [f for f in first.findings if f.rule_id == "KP103"]
    baseline = baseline_from_data(json.loads(dumps_baseline(kp103)), ".kportable-baseline.json")
    exemption = Exemption(("KP102",), "memory is sized by the operator", kind="Deployment", source=".kportable.yaml",
                          line=3)
    result = lint_dir({}, paths=("k8s/web.yaml",), select=every, rule_options=everywhere, exemptions=(exemption,),
                      baseline=baseline)
    by_rule = {r["ruleId"]: r for r in log_of(result)["runs"][0]["results"]}
    assert by_rule["KP101"]["suppressions"] == [{
        "kind": "inSource", "status": "accepted", "justification": "vendor",
        "properties": {"source": "annotation kportable.io/ignore on Deployment 'shop/web'"},
    }]
    assert by_rule["KP102"]["suppressions"][0]["kind"] == "external"
    assert by_rule["KP102"]["suppressions"][0]["justification"] == "memory is sized by the operator"
    assert by_rule["KP103"]["suppressions"][0]["properties"] == {"source": "baseline .kportable-baseline.json"}
    assert by_rule["KP103"]["baselineState"] == "unchanged"
    assert by_rule["KP104"]["baselineState"] == "new"
    assert "suppressions" not in by_rule["KP104"]
    assert log_of(result)["runs"][0]["invocations"][0]["exitCode"] == 0  # only KP104 (info) counts
    assert result.active == tuple(f for f in result.findings if f.rule_id == "KP104")


def _crashing_plugin():
    @rule("TST901", "always-crashes", Severity.MINOR, target=Target.RESOURCE, kinds={"ConfigMap"})
    def always_crashes(res, ctx):
        """## What it does\nCrashes, to test how a crash is reported.\n"""
        raise RuntimeError("boom")
        yield

    @hookimpl
    def kportable_rules():
        return [always_crashes]

    @hookimpl
    def kportable_output_formats():
        raise ValueError("broken format hook")

    return types.SimpleNamespace(__name__="crashy", kportable_rules=kportable_rules,
                                 kportable_output_formats=kportable_output_formats)


def test_parse_errors_crashes_and_plugin_errors_are_notifications(lint_dir):
    plugin = _crashing_plugin()
    result = lint_dir(
        {"k8s/bad.yaml": "apiVersion: v1\nkind: [\n",
         "k8s/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"},
        select=("KP001", "TST901"),
        plugins=(plugin,),
    )
    (invocation,) = log_of(result)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 3
    notes = invocation["toolExecutionNotifications"]
    kinds = [n["descriptor"]["id"] for n in notes]
    assert kinds == ["parse-error", "rule-crash", "plugin-error"]
    parse = notes[0]
    where = parse["locations"][0]["physicalLocation"]
    assert where["artifactLocation"] == {"uri": "k8s/bad.yaml", "uriBaseId": SRCROOT}
    assert parse["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    crash = notes[1]
    assert crash["associatedRule"]["id"] == "TST901"
    assert crash["exception"] == {"kind": "RuntimeError", "message": "RuntimeError: boom"}
    assert "broken format hook" in notes[2]["message"]["text"]
    driver = log_of(result)["runs"][0]["tool"]["driver"]
    assert [n["id"] for n in driver["notifications"]] == ["parse-error", "rule-crash", "plugin-error"]
    # a plugin rule without help_uri has no page in kportable's docs: no helpUri rather than a dead link
    descriptors = {r["id"]: r for r in driver["rules"]}
    assert "helpUri" not in descriptors["TST901"]
    assert descriptors["KP001"]["helpUri"] == f"{RULES_DOC_URL}#kp001-yaml-syntax-error"


def test_help_uri_of_a_rule_wins():
    spec = next(s for s in run(RunOptions(inputs=(("a.yaml", b"{}"),), select=("KP001",))).rules)
    page = "https://example.org/rules/KP001"
    assert rule_descriptor(dataclasses.replace(spec, help_uri=page))["helpUri"] == page
    assert "helpUri" not in rule_descriptor(dataclasses.replace(spec, plugin="acme"))


def test_helm_output_points_at_the_template_file_in_the_repository(lint_dir, tmp_path):
    template = tmp_path / "shop" / "templates" / "deployment.yaml"
    template.parent.mkdir(parents=True)
    template.write_text("{{- /* a Helm template, not YAML */ -}}\n", encoding="utf-8")
    rendered = "---\n# Source: shop/templates/deployment.yaml\n" + DEPLOY
    result = lint_dir({}, paths=(), inputs=(("<stdin>", rendered.encode()),), select=("KP101",))
    (res,) = log_of(result)["runs"][0]["results"]
    physical = res["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "shop/templates/deployment.yaml", "uriBaseId": SRCROOT}
    assert physical["region"] == {"startLine": 1, "endLine": 1}
    assert res["properties"]["rendered"] == {"file": "<stdin>", "line": 16}
    assert res["properties"]["templateLineUnknown"] is True

    template.unlink()  # no template on disk: the rendered stream is all there is
    (res,) = log_of(lint_dir({}, paths=(), inputs=(("<stdin>", rendered.encode()),), select=("KP101",)))["runs"][0][
        "results"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "%3Cstdin%3E"
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 16


def test_locator_uses_the_template_line_and_relates_the_rendered_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "templates" / "svc.yaml").write_text("x\n")
    (tmp_path / "out.yaml").write_text("x\n")
    f = Finding("KP201", "x", Severity.MINOR, "m", Location("out.yaml", 40, 3, origin="chart/templates/svc.yaml",
                                                              origin_line=7), obj=ObjectRef("Service", "a", "b"))
    place = Locator(str(tmp_path)).place(f)
    assert (place.path, place.line, place.column, place.approximate) == ("chart/templates/svc.yaml", 7, None, False)
    assert place.rendered is not None
    assert place.rendered.line == 40


def test_uris_are_relative_to_the_root_and_percent_encoded(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "deploy" / "my app"
    sub.mkdir(parents=True)
    (sub / "web.yaml").write_text(DEPLOY)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text(DEPLOY)
    monkeypatch.chdir(tmp_path / "deploy")
    result = run(RunOptions(paths=("my app/web.yaml", str(outside)), select=("KP101",)))
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"]
                 for r in log_of(result, str(tmp_path))["runs"][0]["results"]]
    assert {"uri": "deploy/my%20app/web.yaml", "uriBaseId": SRCROOT} in locations
    assert {"uri": "file://" + str(outside).replace(" ", "%20")} in locations


def test_a_root_given_through_a_symlink_still_holds_the_files(tmp_path, monkeypatch):
    """The working directory is a physical path (getcwd resolves links); the root may be a symlink."""
    real = tmp_path / "checkout"
    (real / "k8s").mkdir(parents=True)
    (real / "k8s" / "web.yaml").write_text(DEPLOY)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    monkeypatch.chdir(link)  # as `cd /tmp/x` on macOS, where /tmp is a link to /private/tmp
    result = run(RunOptions(paths=("k8s/web.yaml",), select=("KP101",)))
    (res,) = log_of(result, str(link))["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "k8s/web.yaml", "uriBaseId": SRCROOT}
    assert Locator(str(real)).relative(str(link / "k8s" / "web.yaml")) == "k8s/web.yaml"  # and the other way
    assert Locator(str(link)).relative(str(tmp_path / "elsewhere.yaml")) is None


def _scored(result, scores, min_score):
    return dataclasses.replace(result, scores=tuple(scores),
                               options=dataclasses.replace(result.options, min_score=min_score))


def test_score_matrix_and_gate_in_run_properties(lint_dir):
    result = lint_dir({"k8s/web.yaml": DEPLOY}, select=("KP001",))
    web, api = ObjectRef("Deployment", "shop", "web", "apps/v1"), ObjectRef("Deployment", "shop", "api", "apps/v1")
    cost = ScoreCost("eks", 38.0, "KP301", "f" * 32, "node path", web)
    scores = [
        WorkloadScore(api, {"eks": 100, "gke": 100, "portable": 100}),
        WorkloadScore(web, {"portable": 62, "gke": 90, "eks": 62}, (cost,)),
    ]
    sarif_run = log_of(_scored(result, scores, {"eks": 80}))["runs"][0]
    props = sarif_run["properties"]
    assert props["targets"] == ["eks", "gke", "portable"]
    assert props["scores"][0] == {
        "workload": {"kind": "Deployment", "namespace": "shop", "name": "web"},
        "scope": "workload",
        "scores": {"eks": 62, "gke": 90, "portable": 62},
    }
    assert props["minScore"] == {"eks": 80}
    assert props["scoreViolations"] == [
        {"workload": "Deployment shop/web", "target": "eks", "score": 62, "minimum": 80}]
    assert sarif_run["invocations"][0]["exitCode"] == 1
    assert log_of(_scored(result, scores, {"*": 60}))["runs"][0]["invocations"][0]["exitCode"] == 0


def test_severity_overrides_are_rule_configuration_overrides(lint_dir):
    result = lint_dir({"k8s/web.yaml": DEPLOY}, severity_overrides={"missing-cpu-request": Severity.INFO})
    sarif_run = log_of(result)["runs"][0]
    (override,) = sarif_run["invocations"][0]["ruleConfigurationOverrides"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert rules[override["descriptor"]["index"]]["id"] == "KP101"
    assert override["configuration"] == {"level": "note"}
    kp101 = next(r for r in sarif_run["results"] if r["ruleId"] == "KP101")
    assert kp101["level"] == "note"


def test_cli_writes_sarif_relative_to_sarif_root(tmp_path, monkeypatch, valid_sarif):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "kportable.sarif"
    outcome = CliRunner().invoke(main, ["lint", "fixtures/demo", "--no-config", "-f", "sarif", "-o", str(out),
                                        "--sarif-root", "fixtures"])
    assert outcome.exit_code == 1, outcome.output
    log = valid_sarif(out.read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {f"demo/{name}.yaml" for name in ("catalog", "namespace", "orders", "payments", "recommendations",
                                                     "storefront")}  # each demo file has findings


@pytest.mark.corpus
def test_real_corpus_sarif_has_relative_uris_real_lines_and_fingerprints(real_corpus, monkeypatch):
    monkeypatch.chdir(real_corpus.parent)
    result = run(RunOptions(paths=(real_corpus.name,), jobs=2))
    log = log_of(result, str(real_corpus.parent))
    results = log["runs"][0]["results"]
    assert len(results) == len(result.findings) > 100
    lines: dict[str, list[str]] = {}
    for f, res in zip(result.findings, results, strict=True):
        physical = res["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert physical["artifactLocation"]["uriBaseId"] == SRCROOT
        assert uri.startswith(real_corpus.name + "/")
        assert len(res["partialFingerprints"][FINGERPRINT_KEY]) == 32
        region = physical["region"]
        assert region["startLine"] == f.location.line
        if f.location.path not in lines:
            lines[f.location.path] = (real_corpus.parent / f.location.path).read_text(
                encoding="utf-8", errors="replace").splitlines()
        assert 1 <= region["startLine"] <= max(1, len(lines[f.location.path]))
    assert len({r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results}) > 50


def test_the_validator_rejects_invalid_logs(valid_sarif):
    good = {"version": "2.1.0", "runs": []}
    assert valid_sarif(json.dumps(good)) == good
    with pytest.raises(AssertionError, match="required property"):
        valid_sarif(json.dumps({"runs": []}))
    broken_uri = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{
        "message": {"text": "m"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "my file.yaml", "uriBaseId": "%SRCROOT%"}}}],
    }]}]}
    with pytest.raises(AssertionError, match="not percent-encoded"):
        valid_sarif(json.dumps(broken_uri))
