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
