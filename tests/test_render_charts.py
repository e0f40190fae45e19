"""Helm charts rendered by kportable: backends, values, origins on template lines, KP032, profiles, ``-f``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from kportable.api import RunOptions, run
from kportable.cli import main
from kportable.errors import UserError
from kportable.load import parse_text
from kportable.render import chart_backends
from kportable.render.chart_backends import HelmBinary, HelmSdk, RenderRequest, helm_stream, pick_backend
from kportable.render.charts import ChartRoot, failure_source, merged_values, plan
from kportable.render.origins import edit_target

sdk = pytest.importorskip("helm_python")

WEB = "fixtures/charts/web"
TGZ = "fixtures/charts/web-0.1.0.tgz"
BROKEN = "fixtures/charts/broken"
DEPS = "fixtures/charts/needs-deps"
SHOP = "fixtures/helm/shop"
HAVE_HELM = shutil.which("helm") is not None

# (profile, rule, rendered line, template a person edits, its line, clouds): the web chart's cloud ties.
CLOUD_TIES = [
    ("aws", "KP401", 11, WEB + "/templates/serviceaccount.yaml", 8, ["eks"]),
    ("aws", "KP201", 22, WEB + "/templates/service.yaml", 8, ["eks"]),
    ("aws", "KP304", 98, WEB + "/charts/cache/templates/statefulset.yaml", 31, ["eks"]),
    ("gcp", "KP401", 11, WEB + "/templates/serviceaccount.yaml", 8, ["gke"]),
    ("gcp", "KP501", 66, WEB + "/templates/deployment.yaml", 28, ["gke"]),
    ("gcp", "KP304", 98, WEB + "/charts/cache/templates/statefulset.yaml", 31, ["gke"]),
]


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture
def sdk_only(monkeypatch):
    """Render with the SDK even where a helm binary is on PATH (what CI has)."""
    monkeypatch.setattr(chart_backends.shutil, "which", lambda _name: None)


def lint(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["lint", "--no-config", "-j", "1", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def options(paths: tuple[str, ...], **kw: object) -> RunOptions:
    return RunOptions(paths=paths, chart_render=True, kustomize_build=True, helm_backend="sdk", **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the render itself


def test_sdk_render_matches_helm_template_output(in_root):
    """The hand-written ``helm template`` output of the shop chart: same documents, same order, same origins.

    The hand-written file lists hooks in path order (hooks/ before tests/); Helm sorts hooks by kind
    (``sortHooksByKind``: Pod before Job), so hooks are compared as a set.
    """
    request = RenderRequest(SHOP, "prod", "default", values=merged_values([SHOP + "/values-aws.yaml"]))
    ours = parse_text("sdk", HelmSdk().render(request), is_json=False).documents
    ref_text = (ROOT / "fixtures/helm/rendered/shop-aws.yaml").read_text(encoding="utf-8")
    theirs = parse_text("ref", ref_text, is_json=False).documents

    def key(doc):
        return doc.origin, json.dumps(doc.data, sort_keys=True)

    def is_hook(doc):
        return "helm.sh/hook" in doc.data["metadata"].get("annotations", {})

    assert [key(d) for d in ours if not is_hook(d)] == [key(d) for d in theirs if not is_hook(d)]
    assert sorted(key(d) for d in ours if is_hook(d)) == sorted(key(d) for d in theirs if is_hook(d))
    assert [d.data["kind"] for d in ours if is_hook(d)] == ["Pod", "Job"]


def test_stream_order_partials_notes_and_empty_documents():
    files = {
        "c/templates/_helpers.tpl": "not: rendered",
        "c/templates/NOTES.txt": "Thanks",
        "c/templates/b.yaml": "kind: Deployment\nmetadata:\n  name: b\n---\n\n---\n"
                              "kind: Service\nmetadata:\n  name: s\n",
        "c/templates/a.yaml": "# only a comment\n",
        "c/templates/hook.yaml": "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: pre-install\n",
        "c/templates/z.yaml": "kind: Widget\nmetadata:\n  name: w\n",
        "c/charts/sub/templates/sa.yaml": "kind: ServiceAccount\nmetadata:\n  name: sa\n",
    }
    stream = helm_stream(files)
    sources = [line[len("# Source: "):] for line in stream.splitlines() if line.startswith("# Source: ")]
    assert sources == [
        "c/charts/sub/templates/sa.yaml",  # ServiceAccount
        "c/templates/b.yaml",  # Service
        "c/templates/b.yaml",  # Deployment
        "c/templates/a.yaml",  # comments only: kept, as Helm keeps it, with no kind (first of the unknown kinds)
        "c/templates/z.yaml",  # a kind Helm does not know: after the known ones
        "c/templates/hook.yaml",  # hooks last
    ]
    assert stream.startswith("---\n# Source: c/charts/sub/templates/sa.yaml\nkind: ServiceAccount\n")
    assert "Thanks" not in stream
    assert "not: rendered" not in stream


# --------------------------------------------------------------------------- origins


@pytest.mark.parametrize("profile", ["aws", "gcp"])
def test_findings_land_on_template_lines(in_root, profile):
    result = run(options((WEB,), chart_values=(f"{WEB}/values-{profile}.yaml",)))
    got = [(f.rule_id, f.location.line, f.location.origin, f.location.origin_line, sorted(f.clouds))
           for f in result.findings if f.clouds]
    assert got == [row[1:] for row in CLOUD_TIES if row[0] == profile]
    assert {f.location.path for f in result.findings} == {"<helm template fixtures/charts/web>"}
    for f in result.findings:
        path, line = edit_target(f.location)
        assert (ROOT / path).is_file(), f  # every finding is on a file a person edits
        assert line >= 1
    assert result.extras["helm"] == {"charts": [WEB], "failed": []}


def test_defaults_without_values(in_root):
    result = run(options((WEB,)))
    assert [f for f in result.findings if f.clouds] == []
    names = sorted(r.name for r in result.inventory.resources)
    assert names == ["release-name-cache", "release-name-web", "release-name-web", "release-name-web"]


def test_release_namespace_and_set(in_root):
    result = run(options((WEB,), release="shop", namespace="store",
                         chart_set=("cache.enabled=false",), chart_set_string=("image.tag=2",)))
    deploy = next(r for r in result.inventory.resources if r.kind == "Deployment")
    assert (deploy.namespace, deploy.name) == ("store", "shop-web")
    assert deploy.doc.data["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/example/web:2"
    assert not any(r.kind == "StatefulSet" for r in result.inventory.resources)


def test_origins_relative_to_the_working_directory(monkeypatch):
    monkeypatch.chdir(ROOT / "fixtures")
    result = run(options(("charts/web",), chart_values=("charts/web/values-aws.yaml",)))
    origins = {f.location.origin for f in result.findings if f.clouds}
    assert origins == {"charts/web/templates/serviceaccount.yaml", "charts/web/templates/service.yaml",
                       "charts/web/charts/cache/templates/statefulset.yaml"}


def test_named_chart_file_is_the_chart(in_root):
    result = run(options((WEB + "/Chart.yaml",), chart_values=(f"{WEB}/values-aws.yaml",)))
    assert sorted(f.rule_id for f in result.findings if f.clouds) == ["KP201", "KP304", "KP401"]


def test_packaged_chart_keeps_helms_origin_without_a_line(in_root):
    result = run(options((TGZ,), chart_set=("cache.storageClass=gp3",)))
    kp304 = next(f for f in result.findings if f.rule_id == "KP304")
    assert kp304.location.path == "<helm template fixtures/charts/web-0.1.0.tgz>"
    assert (kp304.location.origin, kp304.location.origin_line) == ("web/charts/cache/templates/statefulset.yaml", None)
    assert edit_target(kp304.location) == (kp304.location.path, kp304.location.line)
    assert result.stats.files == 1  # the archive is rendered, not read as a file


def test_sarif_points_at_the_template(in_root):
    code, out, _ = lint(WEB, "-f", f"{WEB}/values-aws.yaml", "-f", "sarif", "--select", "KP401")
    assert code == 1
    (res,) = json.loads(out)["runs"][0]["results"]
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == WEB + "/templates/serviceaccount.yaml"
    assert loc["region"]["startLine"] == 8


# --------------------------------------------------------------------------- failures (KP032)


def kp032(result):
    return [(f.location.path, f.location.line, f.location.column, f.message) for f in result.findings
            if f.rule_id == "KP032"]


def test_missing_required_value_is_kp032_on_the_template_line(in_root):
    result = run(options((BROKEN,)))
    assert kp032(result) == [(BROKEN + "/templates/deployment.yaml", 16, 20,
                              "helm template fixtures/charts/broken failed: execution error at "
                              "(broken/templates/deployment.yaml:16:20): image.repository is required")]
    assert not result.inventory.resources
    assert result.extras["helm"] == {"charts": [], "failed": [BROKEN]}


def test_template_error_is_kp032_on_the_template_line(in_root):
    result = run(options((BROKEN,), chart_set=("image.repository=example/app",)))
    ((path, line, column, message),) = kp032(result)
    assert (path, line, column) == (BROKEN + "/templates/configmap.yaml", 6, 19)
    assert "nil pointer evaluating interface {}.level" in message
    assert "\n" not in message


def test_values_that_fix_the_chart_render_it(in_root):
    result = run(options((BROKEN,), chart_set=("image.repository=example/app", "config.logging.level=info")))
    assert kp032(result) == []
    assert sorted(r.kind for r in result.inventory.resources) == ["ConfigMap", "Deployment"]


def test_schema_failure_is_on_values_schema_json(in_root, tmp_path, monkeypatch):
    chart = tmp_path / "strict"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: strict\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("replicas: two\n")
    (chart / "values.schema.json").write_text(
        '{"type": "object", "properties": {"replicas": {"type": "integer"}}}\n')
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    monkeypatch.chdir(tmp_path)
    ((path, line, _, message),) = kp032(run(options(("strict",))))
    assert (path, line) == ("strict/values.schema.json", 1)
    assert "values don't meet the specifications of the schema" in message
    assert "got string, want integer" in message


def test_missing_dependency_needs_no_backend(in_root, monkeypatch):
    def no_backend(*_args: object) -> None:
        raise AssertionError("no render should be attempted")

    monkeypatch.setattr(chart_backends, "pick_backend", no_backend)
    result = run(options((DEPS,)))
    ((path, line, column, message),) = kp032(result)
    assert (path, line, column) == (DEPS + "/Chart.yaml", 7, 5)
    assert "dependency 'postgresql' from oci://registry-1.docker.io/bitnamicharts is not vendored" in message
    assert "helm dependency build" in message


def test_helm_v3_messages_are_located_too(in_root):
    root = ChartRoot(WEB, named=True)
    v3 = ('Error: template: web/charts/cache/templates/statefulset.yaml:12:3: executing "web/charts/cache/'
          'templates/statefulset.yaml" at <.Values.x.y>: nil pointer evaluating interface {}.y\n'
          "Use --debug flag to render out invalid YAML\n")
    src = failure_source(root, Path(WEB), v3, str(ROOT))
    assert src.path == WEB + "/charts/cache/templates/statefulset.yaml"
    (problem,) = src.problems
    assert (problem.code, problem.line, problem.column) == ("KP032", 12, 3)
    assert problem.message.startswith("helm template fixtures/charts/web failed: web/charts/cache/templates/")
    assert "Use --debug" not in problem.message
    assert "Error:" not in problem.message
    yaml_error = "Error: YAML parse error on web/templates/service.yaml: error converting YAML to JSON: yaml: line 4"
    src = failure_source(root, Path(WEB), yaml_error, str(ROOT))
    assert (src.path, src.problems[0].line) == (WEB + "/templates/service.yaml", 1)


def test_unparsable_render_is_kp032_like_helm(in_root, tmp_path, monkeypatch):
    chart = tmp_path / "bad"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: bad\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: [oops\n")
    monkeypatch.chdir(tmp_path)
    ((path, line, _, message),) = kp032(run(options(("bad",))))
    assert (path, line) == ("bad/templates/cm.yaml", 1)
    assert message.startswith("helm template bad failed: YAML parse error on bad/templates/cm.yaml:")


# --------------------------------------------------------------------------- walking


def test_walking_renders_charts_and_skips_their_files(in_root):
    code, out, _ = lint("fixtures/charts", "-f", "json")
    report = json.loads(out)
    rules = sorted({(f["rule_id"], f["file"]) for f in report["findings"]})
    assert ("KP032", BROKEN + "/templates/deployment.yaml") in rules
    assert ("KP032", DEPS + "/Chart.yaml") in rules
    assert not any(rule == "KP030" for rule, _ in rules)  # no template is read as YAML
    assert {file for _, file in rules} == {"<helm template fixtures/charts/web>", BROKEN + "/templates/deployment.yaml",
                                          DEPS + "/Chart.yaml"}
    assert report["helm"] == {"charts": [WEB], "failed": [BROKEN, DEPS]}  # web-0.1.0.tgz is not walked
    assert code == 1


def test_no_build_reads_charts_as_files(in_root):
    _, out, _ = lint("fixtures/charts", "-f", "json", "--no-build")
    report = json.loads(out)
    by_rule: dict[str, set[str]] = {}
    for f in report["findings"]:
        by_rule.setdefault(f["rule_id"], set()).add(f["file"])
    assert by_rule["KP032"] == {DEPS + "/Chart.yaml"}  # a Chart.yaml read as a file still names what it lacks
    assert WEB + "/templates/deployment.yaml" in by_rule["KP030"]
    assert "helm" not in report


def test_plan_roots_and_covered_directories(in_root):
    found = plan(["fixtures/charts", TGZ])
    assert [(r.display, r.named, r.archive) for r in found.roots] == [
        (BROKEN, False, False), (DEPS, False, False), (WEB, False, False), (TGZ, True, True)]
    assert found.covered == [BROKEN, DEPS, WEB, WEB + "/charts/cache"]
    assert found.covers(WEB + "/values-aws.yaml")
    assert found.covers(TGZ)
    assert not found.covers("fixtures/charts-other/x.yaml")


def test_library_charts_and_subcharts_are_not_roots(tmp_path, monkeypatch):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "Chart.yaml").write_text("apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n")
    monkeypatch.chdir(tmp_path)
    found = plan(["."])
    assert found.roots == []
    assert found.covered == ["lib"]


# --------------------------------------------------------------------------- values profiles


def test_values_profiles_compare_renders_per_workload(in_root):
    code, out, _ = lint(WEB, "--values-profile", f"aws={WEB}/values-aws.yaml",
                        "--values-profile", f"gcp={WEB}/values-gcp.yaml", "-f", "json")
    report = json.loads(out)
    rows = {(r["kind"], r["name"]): r for r in report["profiles"]}
    web = rows[("Deployment", "release-name-web")]
    assert web["differs"] is True
    assert web["renders"]["aws"]["clouds"] == {"eks": ["KP401"]}
    assert web["renders"]["gcp"]["clouds"] == {"gke": ["KP401", "KP501"]}
    cache = rows[("StatefulSet", "release-name-cache")]
    assert cache["renders"]["aws"]["clouds"] == {"eks": ["KP304"]}
    assert cache["renders"]["gcp"]["clouds"] == {"gke": ["KP304"]}
    files = {f["file"] for f in report["findings"]}
    assert files == {"<helm template fixtures/charts/web [aws]>", "<helm template fixtures/charts/web [gcp]>"}
    assert code == 1


def test_values_profiles_from_config(in_root, tmp_path):
    config = tmp_path / ".kportable.yaml"
    config.write_text(f"values-profiles:\n  aws: {ROOT / WEB}/values-aws.yaml\n  gcp: [{ROOT / WEB}/values-gcp.yaml]\n")
    result = CliRunner().invoke(main, ["lint", "--config", str(config), WEB, "-f", "json"])
    assert {r["name"] for r in json.loads(result.stdout)["profiles"]} == {"release-name-web", "release-name-cache"}
    plain = CliRunner().invoke(main, ["lint", "--config", str(config), "fixtures/demo", "-f", "json"])
    assert "profiles" not in json.loads(plain.stdout)  # no chart among the paths: the config's profiles do not apply


# --------------------------------------------------------------------------- the command line


def test_dash_f_is_a_values_file_or_a_format(in_root):
    _, out, _ = lint(WEB, "-f", "json")
    assert json.loads(out)["summary"]["resources"] == 4
    _, out, _ = lint(WEB, "-f", "json", "-f", f"{WEB}/values-aws.yaml", "--select", "KP401")
    assert [f["rule_id"] for f in json.loads(out)["findings"]] == ["KP401"]
    _, out, _ = lint(WEB, "--values", f"{WEB}/values-gcp.yaml", "--format", "json", "--select", "KP501")
    assert [f["rule_id"] for f in json.loads(out)["findings"]] == ["KP501"]


def test_two_formats_are_a_usage_error(in_root):
    code, _, err = lint(WEB, "--format", "json", "-f", "sarif")
    assert code == 2
    assert "two output formats given: json, sarif" in err


@pytest.mark.parametrize(("args", "message"), [
    (("fixtures/demo", "-f", "values.yaml"), "-f/--values values.yaml applies to a Helm chart, and no chart is among"),
    (("fixtures/demo", "--set", "a=1"), "--set applies to a Helm chart"),
    ((WEB, "--no-build", "-f", "x.yaml"), "cannot be combined with --no-build"),
    ((WEB, "-f", "fixtures/charts/missing.yaml"), "values file fixtures/charts/missing.yaml: No such file"),
    ((WEB, "--set", "image"), "--set image: key \"image\" has no value"),
])
def test_usage_errors_exit_2(in_root, args, message):
    code, _, err = lint(*args)
    assert code == 2
    assert message in err


def test_bad_values_file_names_file_and_line(in_root, tmp_path):
    bad = tmp_path / "values.yaml"
    bad.write_text("image:\n  tag: [1\n")
    code, _, err = lint(WEB, "-f", str(bad))
    assert code == 2
    assert f"values file {bad}:3:1: YAML syntax error" in err
    bad.write_text("- a\n- b\n")
    assert f"values file {bad}:1: expected a mapping of values, found a list" in lint(WEB, "-f", str(bad))[2]


def test_values_profile_without_a_chart(in_root):
    code, _, err = lint("fixtures/demo", "--values-profile", "aws=a.yaml")
    assert code == 2
    assert "--values-profile applies to a Helm chart" in err


def test_no_backend_is_a_clear_error(in_root, monkeypatch, sdk_only):
    monkeypatch.setattr(HelmSdk, "available", staticmethod(lambda: False))
    code, _, err = lint(WEB)
    assert code == 2
    assert "no `helm` program on PATH and helm-python-sdk is not installed" in err
    assert "pip install 'kportable[helm]'" in err
    assert "--no-build" in err
    assert lint(DEPS)[0] == 1  # nothing to render: no backend needed


def test_walked_charts_without_a_backend_are_read_as_files(in_root, monkeypatch, sdk_only):
    """`kportable lint repo/` keeps working where neither helm nor the SDK is installed: charts found
    while walking are read as before (templates skipped as KP030) and the report says why."""
    monkeypatch.setattr(HelmSdk, "available", staticmethod(lambda: False))
    code, out, err = lint("fixtures/charts", "-f", "json")
    assert code == 1, err
    report = json.loads(out)
    assert report["helm"] == {"charts": [], "failed": [],
                              "not_rendered": ["fixtures/charts/broken", "fixtures/charts/needs-deps", WEB]}
    rules = {f["rule_id"] for f in report["findings"]}
    assert "KP030" in rules  # raw templates, as before charts were rendered
    assert "KP032" in rules  # needs-deps: its dependency is still reported from Chart.yaml
    _, text, _ = lint("fixtures/charts")
    assert "helm: 3 charts found while walking not rendered" in text
    code, _, err = lint("fixtures/charts", "--helm-backend", "sdk")  # asked for explicitly: an error
    assert code == 2


def test_charts_of_files_lints_the_chart_a_file_belongs_to(in_root, sdk_only):
    """What the pre-commit hook kportable-chart runs: changed files -> their charts, rendered once each."""
    code, out, err = lint("--charts-of-files", "-f", "json", WEB + "/templates/deployment.yaml",
                          WEB + "/charts/cache/templates/statefulset.yaml", WEB + "/values-aws.yaml",
                          "fixtures/demo/storefront.yaml")
    report = json.loads(out)
    assert report["helm"]["charts"] == [WEB]
    assert {f["file"] for f in report["findings"]} == {"<helm template fixtures/charts/web>"}
    assert code == 1, err
    code, _, err = lint("--charts-of-files", "fixtures/demo/storefront.yaml")
    assert (code, err.strip()) == (0, "kportable: no file given belongs to a Helm chart; nothing to lint")
    assert lint("--charts-of-files", "--no-build", WEB)[0] == 2


def test_enclosing_chart_climbs_out_of_subcharts(in_root):
    from kportable.render.charts import enclosing_chart

    assert enclosing_chart(WEB + "/charts/cache/templates/statefulset.yaml") == WEB
    assert enclosing_chart(WEB + "/Chart.yaml") == WEB
    assert enclosing_chart(WEB) == WEB
    assert enclosing_chart("fixtures/demo/storefront.yaml") is None


def test_pick_backend_order(monkeypatch, tmp_path):
    fake = tmp_path / "helm"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setattr(chart_backends.shutil, "which", lambda name: str(fake) if name == "helm" else None)
    assert isinstance(pick_backend("auto"), HelmBinary)
    assert isinstance(pick_backend("sdk"), HelmSdk)
    monkeypatch.setattr(chart_backends.shutil, "which", lambda _name: None)
    assert isinstance(pick_backend("auto"), HelmSdk)
    with pytest.raises(UserError, match="no `helm` program on PATH"):
        pick_backend("helm")
    assert isinstance(pick_backend("auto", str(fake)), HelmBinary)
    with pytest.raises(UserError, match="--helm-bin nope: no such program"):
        pick_backend("auto", "nope")


def test_helm_binary_runs_isolated_and_offline(tmp_path, monkeypatch):
    """A stand-in ``helm`` records its arguments and environment; kportable parses what it prints."""
    fake = tmp_path / "helm"
    record = tmp_path / "record"
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {record}\nenv >> {record}\n"
                    "printf -- '---\\n# Source: web/templates/cm.yaml\\napiVersion: v1\\nkind: ConfigMap\\n"
                    "metadata:\\n  name: x\\n'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("KUBECONFIG", "/home/me/.kube/config")
    request = RenderRequest("charts/web", "prod", "shop", values_files=("v.yaml",), set_values=("a=1",),
                            set_strings=("b=2",))
    text = HelmBinary(str(fake)).render(request)
    assert text.startswith("---\n# Source: web/templates/cm.yaml\n")
    args, *env_lines = record.read_text().splitlines()
    assert args == f"template prod charts/web --namespace shop --values {Path('v.yaml').resolve()} --set a=1 " \
                   "--set-string b=2"
    env = dict(line.split("=", 1) for line in env_lines if "=" in line)
    assert "AWS_SECRET_ACCESS_KEY" not in env
    assert env["KUBECONFIG"] != "/home/me/.kube/config"
    assert env["HTTPS_PROXY"] == "http://127.0.0.1:9"
    assert env["HELM_CONFIG_HOME"].startswith(env["HOME"])


def test_helm_binary_failure_and_timeout(tmp_path):
    fake = tmp_path / "helm"
    fake.write_text("#!/bin/sh\necho 'Error: template: web/templates/a.yaml:3:4: boom' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(chart_backends.ChartRenderError, match=r"web/templates/a\.yaml:3:4: boom"):
        HelmBinary(str(fake)).render(RenderRequest("web", "r", "default"))
    fake.write_text("#!/bin/sh\nsleep 5\n")
    with pytest.raises(chart_backends.ChartRenderError, match=r"did not finish within 0 s"):
        HelmBinary(str(fake), timeout=0.2).render(RenderRequest("web", "r", "default"))


def test_the_sdk_is_not_imported_at_start_up():
    code = "import sys, kportable.cli, kportable.render.pipeline; print('helm_python' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.skipif(not HAVE_HELM, reason="no helm binary on PATH")
@pytest.mark.parametrize(("chart", "values"),
                         [(WEB, "values-aws.yaml"), (WEB, "values-gcp.yaml"), (SHOP, "values-aws.yaml")])
def test_both_backends_give_the_same_objects(in_root, chart, values):
    request = RenderRequest(chart, "prod", "default", values_files=(f"{chart}/{values}",),
                            values=merged_values([f"{chart}/{values}"]))
    binary = parse_text("helm", pick_backend("helm").render(request), is_json=False).documents
    ours = parse_text("sdk", HelmSdk().render(request), is_json=False).documents
    assert [(d.origin, d.data) for d in ours] == [(d.origin, d.data) for d in binary]
