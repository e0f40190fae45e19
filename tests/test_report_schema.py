"""``schemas/report.schema.json`` describes what ``--format json`` writes."""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from kportable.api import RunOptions, run
from kportable.engine import RuleCrash
from kportable.report.base import ReportOptions
from kportable.report.json_report import render
from kportable.suppress import Exemption


@cache
def validator():
    schema = json.loads(resources.files("kportable.schemas").joinpath("report.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def assert_valid(result):
    data = json.loads(render(result, ReportOptions()))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(data)]
    assert not errors, errors[:10]
    return data


RENDERED = """\
---
# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {kportable.io/ignore: "KP101,nope"}
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
"""


CLOUD_TIED = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/web"}
"""


def test_every_kind_of_finding_validates(lint_dir):
    result = lint_dir(
        {"k8s/web.yaml": RENDERED, "k8s/sa.yaml": CLOUD_TIED, "k8s/bad.yaml": "kind: [\n",
         "k8s/bin.yaml": "a: b\x00\n"},
        exemptions=(Exemption(("KP102",), "sized by VPA", kind="Deployment"),),
        select=None,  # every default rule: input, schema, hygiene and cloud findings
    )
    crashed = dataclasses.replace(result, crashes=(RuleCrash("KP101", "core", "Pod a/b", "KeyError: 'x'", "tb"),))
    data = assert_valid(crashed)
    kinds = {(f["rule_id"], f["suppressed"]["kind"] if f["suppressed"] else None) for f in data["findings"]}
    assert {("KP001", None), ("KP007", None), ("KP009", None), ("KP101", "inSource"), ("KP102", "external")} <= kinds
    web = next(f for f in data["findings"] if f["rule_id"] == "KP103")
    assert web["origin"] == {"file": "shop/templates/deployment.yaml", "line": None}
    assert web["object"]["namespace"] == "default"
    assert data["errors"][0]["kind"] == "rule-crash"
    tie = next(f for f in data["findings"] if f["rule_id"] == "KP401")
    assert (tie["clouds"], tie["effect"]) == (["eks"], "blocker")
    assert data["summary"]["schema"]["validated"] == 3  # the Deployment, the Namespace, the ServiceAccount
    assert data["scores"][0]["workload"]["name"] == "web"


def test_findings_carry_the_objects_they_count_against(lint_dir):
    """``related``: the workloads a ServiceAccount's cloud tie counts against, sorted, in JSON and SARIF."""
    from kportable.findings import ObjectRef
    from kportable.report.sarif import render as render_sarif

    pods = "".join(f"""---
apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  serviceAccountName: web
  containers: [{{name: c, image: nginx:1.27}}]
""" for name in ("zeta", "alpha"))
    result = lint_dir({"k8s/sa.yaml": CLOUD_TIED, "k8s/pods.yaml": pods}, select=("KP401", "KP101"))
    data = assert_valid(result)
    tie = next(f for f in data["findings"] if f["rule_id"] == "KP401")
    ref = {"kind": "Pod", "namespace": "default", "apiVersion": "v1"}
    assert tie["related"] == [{**ref, "name": "alpha"}, {**ref, "name": "zeta"}]
    assert all(f["related"] == [] for f in data["findings"] if f["rule_id"] == "KP101")
    # the order a rule listed them in does not matter, and a repeat is listed once
    finding = next(f for f in result.findings if f.rule_id == "KP401")
    shuffled = dataclasses.replace(finding, related=(*reversed(finding.related), finding.related[0]))
    again = json.loads(render(dataclasses.replace(result, findings=(shuffled,)), ReportOptions()))
    assert again["findings"][0]["related"] == tie["related"]
    sarif = json.loads(render_sarif(result, ReportOptions()))
    (sarif_tie,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "KP401"]
    assert sarif_tie["properties"]["related"] == [{"kind": "Pod", "namespace": "default", "name": n}
                                                  for n in ("alpha", "zeta")]
    assert ObjectRef("Pod", "default", "alpha", "v1") in finding.related


def test_profile_and_kustomize_sections_validate(monkeypatch):
    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root)
    helm = "fixtures/helm/rendered/shop-"
    data = assert_valid(run(RunOptions(profiles=(("aws", (helm + "aws.yaml",)), ("gcp", (helm + "gcp.yaml",))))))
    assert {row["name"] for row in data["profiles"]} >= {"prod-shop", "prod-redis"}
    data = assert_valid(run(RunOptions(paths=("fixtures/kustomize",))))  # not built: the files are skipped
    assert data["kustomize"] == {"builds": [], "kustomization_files_skipped": 4}


def test_schema_rejects_drift(lint_dir):
    data = json.loads(render(lint_dir({"k8s/web.yaml": RENDERED}), ReportOptions()))
    data["findings"][0]["line_number"] = 3
    assert list(validator().iter_errors(data))


@pytest.mark.corpus
def test_real_corpus_report_validates(real_corpus):
    assert_valid(run(RunOptions(paths=(str(real_corpus),), jobs=2)))
