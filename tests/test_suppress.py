"""In-file suppressions, config exemptions and the stage that applies them (``kportable.suppress``)."""

from __future__ import annotations

from datetime import date

import pytest

from kportable.api import RunOptions, run
from kportable.suppress import Exemption, parse_comment, parse_rule_list
from kportable.testing import lint_text

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
  labels: {team: payments, tier: backend}
spec:
  containers:
  - name: api
    image: nginx:1.27
"""  # KP101, KP102, KP103 at line 9


def lint(manifest: str, **fields):
    return run(RunOptions(inputs=(("pod.yaml", manifest.encode()),), select=("KP1", "KP009", "KP020", "KP021"),
                          **fields))


def state(result):
    """{rule: suppression source or None} for the KP1xx findings."""
    return {f.rule_id: (f.suppressed.source if f.suppressed else None) for f in result.findings if f.rule_id < "KP2"
            and f.rule_id.startswith("KP1")}


# --------------------------------------------------------------------------- grammar


@pytest.mark.parametrize(("body", "names", "reason"), [
    (" ignore[KP101]", ("KP101",), ""),
    (" ignore[KP101] vendor chart", ("KP101",), "vendor chart"),
    ("ignore[KP101,host-path-volume]  two rules ", ("KP101", "host-path-volume"), "two rules"),
    (" ignore[ KP101 , KP102 ]", ("KP101", "KP102"), ""),
    (" ignore[KP101 KP102] spaces separate too", ("KP101", "KP102"), "spaces separate too"),
    (" ignore[kp101] ids are case-insensitive", ("kp101",), "ids are case-insensitive"),
])
def test_comment_grammar_accepts(body, names, reason):
    parsed = parse_comment(body)
    assert (parsed.names, parsed.reason, parsed.error) == (names, reason, None)


@pytest.mark.parametrize("body", [
    " ignore KP101",
    " ignore[]",
    " ignore[KP101",
    " disable=KP101",
    " ignore[KP101]reason-without-space",
    " ignore[KP1$1]",
    "",
])
def test_comment_grammar_rejects(body):
    assert parse_comment(body).error


def test_annotation_value_grammar():
    assert parse_rule_list("KP101, host-path-volume").names == ("KP101", "host-path-volume")
    assert parse_rule_list(" ").error == "names no rule"
    assert parse_rule_list("KP101;KP102").error


# --------------------------------------------------------------------------- in-file suppressions


def test_annotation_on_the_object_suppresses_its_findings_with_the_reason():
    manifest = POD.replace("  labels:", "  annotations:\n    kportable.io/ignore: KP101,missing-memory-request\n"
                                         "    kportable.io/ignore-reason: batch pod\n  labels:")
    result = lint(manifest)
    assert state(result) == {"KP101": "annotation kportable.io/ignore on Pod 'shop/api'",
                             "KP102": "annotation kportable.io/ignore on Pod 'shop/api'", "KP103": None}
    kp101 = next(f for f in result.findings if f.rule_id == "KP101")
    assert kp101.suppressed.kind == "inSource"
    assert kp101.suppressed.justification == "batch pod"
    assert [f.rule_id for f in result.active] == ["KP103"]


def test_annotation_on_the_pod_template_covers_the_workload():
    deploy = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations:
        kportable.io/ignore: KP103
    spec:
      containers:
      - name: web
        image: nginx:1.27
"""
    result = lint(deploy)
    assert state(result) == {"KP101": None, "KP102": None,
                             "KP103": "annotation kportable.io/ignore on pod template of Deployment 'default/web'"}


def test_annotation_covers_only_its_object():
    other = POD.replace("name: api", "name: worker")
    manifest = POD.replace("  labels:", "  annotations: {kportable.io/ignore: KP101}\n  labels:") + "---\n" + other
    result = lint(manifest)
    suppressed = {(f.obj.name, f.rule_id) for f in result.findings if f.suppressed}
    assert suppressed == {("api", "KP101")}


@pytest.mark.parametrize(("edit", "expected"), [
    # trailing comment on the offending line
    (("  - name: api", "  - name: api  # kportable: ignore[KP101] sized by VPA"), {"KP101"}),
    # own-line comment on the line above
    (("  - name: api", "  # kportable: ignore[KP102, KP103] sized by VPA\n  - name: api"), {"KP102", "KP103"}),
    # stacked own-line comments above the line
    (("  - name: api", "  # kportable: ignore[KP101]\n  # kportable: ignore[KP103]\n  - name: api"),
     {"KP101", "KP103"}),
    # a comment two lines above, with something in between, covers nothing
    (("  - name: api", "  # kportable: ignore[KP101]\n  # unrelated note\n  - name: api"), set()),
    # a comment on another line covers nothing
    (("    image: nginx:1.27", "    image: nginx:1.27  # kportable: ignore[KP101]"), set()),
])
def test_comment_covers_its_line_or_the_line_below(edit, expected):
    result = lint(POD.replace(*edit))
    assert {r for r, source in state(result).items() if source} == expected
    for f in result.findings:
        if f.suppressed:
            assert f.suppressed.kind == "inSource"
            assert f.suppressed.source.startswith("comment at pod.yaml:")


def test_comment_reason_is_the_justification():
    result = lint(POD.replace("  - name: api", "  - name: api  # kportable: ignore[KP101] VPA sets requests"))
    kp101 = next(f for f in result.findings if f.rule_id == "KP101")
    assert kp101.suppressed.justification == "VPA sets requests"


def test_unknown_rule_is_reported_and_suppresses_nothing():
    result = lint(POD.replace("  - name: api", "  - name: api  # kportable: ignore[KP1O1]"))
    assert state(result)["KP101"] is None
    (unknown,) = [f for f in result.findings if f.rule_id == "KP009"]
    assert (unknown.location.line, unknown.location.column) == (9, 16)
    assert "unknown rule 'KP1O1'" in unknown.message


def test_suppressed_findings_do_not_count_toward_the_exit_code():
    clean = lint(POD.replace("  labels:", "  annotations: {kportable.io/ignore: 'KP101,KP102,KP103'}\n  labels:"))
    assert clean.findings
    assert not clean.active
    assert not clean.failed()


# --------------------------------------------------------------------------- exemptions


@pytest.mark.parametrize(("selector", "applies"), [
    ({}, True),
    ({"kind": "Pod"}, True),
    ({"kind": "Deploy*"}, False),
    ({"namespace": "sh?p", "name": "a*"}, True),
    ({"namespace": "other"}, False),
    ({"labels": {"team": "pay*"}}, True),
    ({"labels": {"team": "payments", "tier": "front*"}}, False),
    ({"labels": {"missing": "*"}}, False),
    ({"file": "pod.yaml"}, True),
    ({"file": "k8s/*"}, False),
])
def test_exemption_selectors(selector, applies):
    exemption = Exemption(("missing-cpu-request",), "reason", source=".kportable.yaml", line=2, **selector)
    result = lint(POD, exemptions=(exemption,))
    expected = "exemption at .kportable.yaml:2" if applies else None
    assert state(result) == {"KP101": expected, "KP102": None, "KP103": None}
    if applies:
        kp101 = next(f for f in result.findings if f.rule_id == "KP101")
        assert kp101.suppressed.kind == "external"
        assert kp101.suppressed.justification == "reason"


def test_expired_exemption_stops_applying_and_is_reported():
    exemption = Exemption(("KP101",), "until the migration", expires=date(2026, 3, 31), source=".kportable.yaml",
                          line=4, column=5)
    valid = lint(POD, exemptions=(exemption,), today=date(2026, 3, 31))
    assert state(valid)["KP101"] == "exemption at .kportable.yaml:4"
    assert not [f for f in valid.findings if f.rule_id == "KP020"]
    expired = lint(POD, exemptions=(exemption,), today=date(2026, 4, 1))
    assert state(expired)["KP101"] is None
    (report,) = [f for f in expired.findings if f.rule_id == "KP020"]
    assert (report.location.path, report.location.line, report.location.column) == (".kportable.yaml", 4, 5)
    assert "expired on 2026-03-31" in report.message
    assert "until the migration" in report.message


def test_inline_suppressions_can_be_forbidden():
    manifest = POD.replace("  - name: api", "  - name: api  # kportable: ignore[KP101]")
    result = lint(manifest, allow_inline_suppressions=False)
    assert state(result)["KP101"] is None
    (forbidden,) = [f for f in result.findings if f.rule_id == "KP021"]
    assert forbidden.location.line == 9
    exemption = Exemption(("KP101",), "agreed with the platform team", kind="Pod")
    with_exemption = lint(manifest, allow_inline_suppressions=False, exemptions=(exemption,))
    assert state(with_exemption)["KP101"].startswith("exemption at")


def test_stage_rules_follow_select_and_ignore():
    manifest = POD.replace("  - name: api", "  - name: api  # kportable: ignore[nope]")
    assert [f for f in lint(manifest).findings if f.rule_id == "KP009"]
    ignored = run(RunOptions(inputs=(("pod.yaml", manifest.encode()),), ignore=("unknown-suppression",)))
    assert not [f for f in ignored.findings if f.rule_id == "KP009"]


def test_stage_rule_severity_can_be_overridden():
    from kportable.findings import Severity

    manifest = POD.replace("  - name: api", "  - name: api  # kportable: ignore[nope]")
    result = lint(manifest, severity_overrides={"KP009": Severity.BLOCKER})
    (f,) = [f for f in result.findings if f.rule_id == "KP009"]
    assert f.severity is Severity.BLOCKER


def test_harness_config_key_applies_exemptions():
    config = "exemptions:\n  - {rule: KP101, kind: Pod, reason: batch}\n"
    result = lint_text(POD, rule="KP101", config=config)
    (f,) = result.findings
    assert f.suppressed is not None
    assert f.suppressed.source == "exemption at .kportable.yaml:2"
