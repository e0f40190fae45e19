"""Schema validation: versions, lookups, messages, schema sources, laziness, and the CLI options."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kportable.api import RunOptions, run
from kportable.cli import main
from kportable.clouds import CloudProfile
from kportable.errors import UserError
from kportable.findings import Severity
from kportable.k8s_versions import VersionWindow, parse_version
from kportable.plugins.hookspecs import hookimpl
from kportable.plugins.manager import build_registry
from kportable.report.json_report import report_dict
from kportable.report.text import summary_line
from kportable.schema_dir import SchemaDirectory
from kportable.schema_source import SchemaSource
from kportable.validate import (
    MAX_PROBLEMS_PER_OBJECT,
    Problem,
    SchemaCatalog,
    Status,
    bundled_versions,
    resolve_version,
    without_foreign_patterns,
)

V = parse_version
SCHEMA_RULES = ("KP002", "KP003", "KP008", "KP010", "KP011")


def lint(text: str, *, select: tuple[str, ...] = SCHEMA_RULES, **options: object):
    opts = RunOptions(inputs=(("case.yaml", textwrap.dedent(text).encode()),), select=select, **options)  # type: ignore[arg-type]
    return run(opts)


def messages(result, rule: str = "KP002") -> list[tuple[int, str]]:
    return [(f.location.line, f.message) for f in result.findings if f.rule_id == rule]


# --------------------------------------------------------------------------- versions


def test_bundled_versions_are_a_contiguous_range():
    versions = bundled_versions()
    assert versions[0] <= V("1.25")
    assert versions[-1] >= V("1.37")
    assert all(b.minor == a.minor + 1 for a, b in itertools.pairwise(versions))


def test_explicit_version_must_be_bundled():
    assert resolve_version("v1.33.4") == V("1.33")
    with pytest.raises(UserError, match=r"--k8s-version 1\.24: kportable has schemas for Kubernetes 1\.25 to "):
        resolve_version("1.24")
    with pytest.raises(UserError, match="not a Kubernetes version"):
        resolve_version("latest")


def test_default_version_comes_from_the_windows_clamped_to_the_bundle():
    assert resolve_version(None) == V("1.35")  # the portable floor without profile data
    assert resolve_version(None, (VersionWindow("eks", (V("1.34"), V("1.35"))),)) == V("1.34")
    assert resolve_version(None, (VersionWindow("old", (V("1.20"),)),)) == bundled_versions()[0]
    assert resolve_version(None, (VersionWindow("new", (V("1.99"),)),)) == bundled_versions()[-1]


class FakeClouds:
    """A plugin with two cloud profiles that declare version windows (the profile contract)."""

    __name__ = "fake-clouds"

    @hookimpl
    def kportable_cloud_profiles(self) -> list[CloudProfile]:
        return [
            CloudProfile("eks", "EKS", {"id": "eks", "kubernetes_versions": {
                "supported": ["1.34", "1.35", "1.36"], "extended": ["1.31", "1.32", "1.33"]}}),
            CloudProfile("gke", "GKE", {"id": "gke", "kubernetes_versions": {"supported": ["1.35", "1.36"]}}),
        ]


FAKE_CLOUDS = FakeClouds()
FLOWCONTROL = """
    apiVersion: flowcontrol.apiserver.k8s.io/v1beta3
    kind: FlowSchema
    metadata:
      name: batch
"""


def test_profiles_drive_the_default_version_and_the_rejecting_clouds():
    registry = build_registry([FAKE_CLOUDS], entry_points=True)
    assert {"eks", "gke"} <= set(registry.clouds)
    result = lint(FLOWCONTROL, plugins=(FAKE_CLOUDS,), targets=("eks", "gke"))
    [finding] = [f for f in result.findings if f.rule_id == "KP008"]
    assert result.schema is not None
    assert result.schema.k8s_version == "1.34"
    assert finding.message == (
        "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema 'batch' was removed in Kubernetes 1.32; use "
        "flowcontrol.apiserver.k8s.io/v1; rejected by every supported version of gke and by eks from 1.32"
    )
    assert finding.clouds == ("eks", "gke")
    assert finding.effect is not None
    assert finding.effect.value == "blocker"


def test_default_version_with_profiles_is_the_oldest_standard_support():
    result = lint("""
        apiVersion: v1
        kind: Endpoints
        metadata: {name: legacy}
    """, plugins=(FAKE_CLOUDS,), targets=("eks", "gke"), select=("KP002", "KP010"))
    assert result.schema is not None
    assert result.schema.k8s_version == "1.34"
    assert messages(result, "KP010") == [(2, "v1 Endpoints 'default/legacy' is deprecated since Kubernetes 1.33; use "
                                             "discovery.k8s.io/v1 EndpointSlice (conformant clusters need not run "
                                             "the Endpoints controller)")]
    only_gke = lint("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", plugins=(FAKE_CLOUDS,),
                    targets=("gke",), select=("KP002",))
    assert only_gke.schema is not None
    assert only_gke.schema.k8s_version == "1.35"


def test_deprecated_api_lists_the_clouds_that_already_reject_it():
    result = lint(FLOWCONTROL, plugins=(FAKE_CLOUDS,), targets=("eks", "gke"), k8s_version="1.31")
    [finding] = [f for f in result.findings if f.rule_id == "KP010"]
    assert "1.32 removes it; use flowcontrol.apiserver.k8s.io/v1; rejected by every supported version of gke " \
           "and by eks from 1.32" in finding.message
    assert finding.clouds == ("eks", "gke")


# --------------------------------------------------------------------------- catalog and messages


@pytest.fixture(scope="module")
def catalog() -> SchemaCatalog:
    return SchemaCatalog(V("1.35"))


@pytest.mark.parametrize(
    ("api_version", "kind", "status"),
    [
        ("apps/v1", "Deployment", Status.VALIDATE),
        ("v1", "ConfigMap", Status.VALIDATE),
        ("policy/v1beta1", "PodDisruptionBudget", Status.REMOVED),
        ("batch/v2", "CronJob", Status.NOT_SERVED),
        ("apps/v1", "Deploymnet", Status.NOT_SERVED),
        ("cert-manager.io/v1", "Certificate", Status.NO_SCHEMA),
        ("gateway.networking.k8s.io/v1", "HTTPRoute", Status.NO_SCHEMA),
        ("v1", "List", Status.NO_SCHEMA),
    ],
)
def test_lookup_status(catalog, api_version, kind, status):
    assert catalog.lookup(api_version, kind).status is status


def test_not_served_lists_the_serving_versions(catalog):
    found = catalog.lookup("autoscaling/v2beta2", "HorizontalPodAutoscaler")
    assert found.status is Status.REMOVED
    found = catalog.lookup("autoscaling/v3", "HorizontalPodAutoscaler")
    assert found.served_as == ("autoscaling/v2", "autoscaling/v1")


def problems_of(catalog: SchemaCatalog, data: dict) -> list[tuple[str, str, Problem]]:
    from kportable.load import parse_bytes
    from kportable.model import resources_of

    doc = parse_bytes("x.json", json.dumps(data).encode()).documents[0]
    [res], _ = resources_of(doc)
    return [("/".join(map(str, p.pointer)), p.message, p.kind) for p in catalog.problems(res)]


def test_strict_unknown_fields_suggest_the_closest_name():
    strict = SchemaCatalog(V("1.35"), strict=True)
    data = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "lables": {}},
            "spec": {"containers": [{"name": "c", "image": "i", "imagePullpolicy": "Always", "zzz": 1}]}}
    assert problems_of(strict, data) == [
        ("metadata/lables", "unknown field `lables` in `metadata` (did you mean `labels`?)", Problem.UNKNOWN_FIELD),
        ("spec/containers/0/imagePullpolicy",
         "unknown field `imagePullpolicy` in `spec.containers[0]` (did you mean `imagePullPolicy`?)",
         Problem.UNKNOWN_FIELD),
        ("spec/containers/0/zzz", "unknown field `zzz` in `spec.containers[0]`", Problem.UNKNOWN_FIELD),
    ]


def test_null_int_or_string_is_not_an_error(catalog):
    data = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"selector": {}, "template": {"spec": {"containers": []}},
                     "strategy": {"rollingUpdate": {"maxSurge": None, "maxUnavailable": {"x": 1}}}}}
    assert problems_of(catalog, data) == [
        ("spec/strategy/rollingUpdate/maxUnavailable",
         "`spec.strategy.rollingUpdate.maxUnavailable` has the wrong type: expected string or integer, got an object",
         Problem.WRONG_TYPE),
    ]


def test_problems_are_capped_per_object(catalog):
    data = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {f"k{i:02}": i for i in range(30)}}
    found = problems_of(catalog, data)
    assert len(found) == MAX_PROBLEMS_PER_OBJECT + 1
    assert found[-1][1] == "10 more schema errors in this object are not shown"


def test_foreign_regex_patterns_are_dropped_not_fatal():
    schema = {"type": "object", "properties": {"mode": {"type": "string", "pattern": "^(?i)(abort|warn)?$"},
                                               "name": {"type": "string", "pattern": "^[a-z]+$"}}}
    cleaned = without_foreign_patterns(schema)
    assert "pattern" not in cleaned["properties"]["mode"]
    assert cleaned["properties"]["name"]["pattern"] == "^[a-z]+$"
    assert without_foreign_patterns(cleaned) is cleaned


# --------------------------------------------------------------------------- schema sources


CERT = """
    apiVersion: cert-manager.io/v1
    kind: Certificate
    metadata:
      name: web
    spec:
      secretName: 42
"""
CERT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {"spec": {"type": "object", "required": ["issuerRef"],
                            "properties": {"secretName": {"type": "string"}}}},
}
EXPECTED_CERT = [(6, "`spec` is missing required field `issuerRef`"),
                 (7, "`spec.secretName` has the wrong type: expected string, got integer 42")]


@pytest.mark.parametrize(
    "relative",
    [
        "cert-manager.io/certificate_v1.json",
        "certificate-cert-manager.io-v1.json",
        "anything/cert.json",
    ],
)
def test_schema_dir_naming_conventions(tmp_path: Path, relative: str):
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = dict(CERT_SCHEMA)
    if relative.startswith("anything"):
        schema["x-kubernetes-group-version-kind"] = [{"group": "cert-manager.io", "version": "v1",
                                                       "kind": "Certificate"}]
    path.write_text(json.dumps(schema))
    result = lint(CERT, schema_dirs=(str(tmp_path),))
    assert messages(result) == EXPECTED_CERT
    assert result.schema is not None
    assert (result.schema.validated, result.schema.skipped) == (1, 0)


def test_schema_dir_is_read_lazily_and_ignores_builtin_groups(tmp_path: Path):
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "deployment-apps-v1.json").write_text(json.dumps({"type": "string"}))
    directory = SchemaDirectory.scan([str(tmp_path)])
    assert len(directory) == 2
    result = lint("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", schema_dirs=(str(tmp_path),))
    assert result.findings == ()


def test_unreadable_schema_file_is_an_info_finding(tmp_path: Path):
    (tmp_path / "certificate-cert-manager.io-v1.json").write_text("{not json")
    result = lint(CERT, schema_dirs=(str(tmp_path),))
    [finding] = result.findings
    assert finding.severity is Severity.INFO
    assert finding.message.startswith("cert-manager.io/v1 Certificate 'default/web' was not validated: cannot read ")


def test_missing_schema_dir_is_a_usage_error(tmp_path: Path):
    with pytest.raises(UserError, match="not a directory"):
        lint(CERT, schema_dirs=(str(tmp_path / "nope"),))


class CertPlugin:
    __name__ = "cert-schemas"

    @hookimpl
    def kportable_schemas(self) -> list[SchemaSource]:
        return [
            SchemaSource("cert-manager.io", "v1", "Certificate", CERT_SCHEMA, origin="cert-schemas plugin"),
            SchemaSource("", "v1", "ConfigMap", {"type": "object", "required": ["data"]}, origin="clash"),
        ]


class OverridePlugin:
    __name__ = "configmap-override"

    @hookimpl
    def kportable_schemas(self) -> list[SchemaSource]:
        return [SchemaSource("", "v1", "ConfigMap", {"type": "object", "required": ["data"]}, override=True)]


CERT_PLUGIN = CertPlugin()
OVERRIDE_PLUGIN = OverridePlugin()


def test_plugin_schemas_validate_custom_resources_and_may_not_clash():
    registry = build_registry([CERT_PLUGIN])
    assert [s.kind for s in registry.schemas if s.group == "cert-manager.io"] == ["Certificate"]
    assert any("replaces a built-in Kubernetes schema" in e.message for e in registry.errors)
    result = lint(CERT, plugins=(CERT_PLUGIN,))
    assert messages(result) == EXPECTED_CERT
    assert result.internal_error  # the clash is the plugin's error: exit 3


def test_plugin_override_replaces_a_builtin_schema():
    result = lint("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", plugins=(OVERRIDE_PLUGIN,))
    assert messages(result) == [(1, "the object is missing required field `data`")]
    assert not result.internal_error


def test_bundle_crds_take_precedence_over_plugins():
    crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: certificates.cert-manager.io}
        spec:
          group: cert-manager.io
          scope: Namespaced
          names: {kind: Certificate, plural: certificates}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      secretName: {type: string, nullable: true}
    """
    result = lint(CERT, plugins=(CERT_PLUGIN,), context_inputs=(("crd.yaml", textwrap.dedent(crd).encode()),))
    assert messages(result) == [(7, "`spec.secretName` has the wrong type: expected string, got integer 42")]


# --------------------------------------------------------------------------- summary and reports


def test_summary_counts_validated_and_skipped_objects():
    result = lint(CERT + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", k8s_version="1.35")
    schema = result.schema
    assert schema is not None
    assert (schema.k8s_version, schema.strict, schema.validated, schema.skipped) == ("1.35", False, 1, 1)
    assert report_dict(result)["summary"]["schema"] == {
        "k8s_version": "1.35", "strict": False, "validated": 1, "skipped_no_schema": 1,
        "skipped_kinds": {"cert-manager.io/v1 Certificate": 1},
    }
    assert "1 custom resource of 1 kind not schema-validated (no schema; see --schema-dir)" in summary_line(
        result).plain
    assert report_dict(lint(CERT, select=("KP008",)))["summary"]["schema"] is None


def test_patches_are_not_validated():
    result = lint("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: loadgenerator}
        $patch: delete
    """)
    assert result.findings == ()


UNFILLED_PLACEHOLDER = """
    apiVersion: v1
    kind: Service
    metadata:
      name: etcd
      labels:
        cell: {{cell}}
    spec:
      ports:
      - port: "4001"
      selector:
        cell: {{cell}}
"""


def test_unfilled_placeholder_is_one_finding_not_two():
    """``{{cell}}`` is a mapping with a mapping key: KP001 reports it, KP002 does not repeat it on that line."""
    result = lint(UNFILLED_PLACEHOLDER, select=("KP001", "KP002"), k8s_version="1.35")
    found = sorted((f.location.line, f.rule_id) for f in result.findings)
    # the real schema error on line 10 is still reported: only the placeholder's lines are left to KP001
    assert found == [(7, "KP001"), (10, "KP002"), (12, "KP001")]
    assert messages(result) == [(10, '`spec.ports[0].port` has the wrong type: expected integer, got string "4001"')]


def test_placeholder_lines_are_left_to_kp001_even_when_only_kp002_runs():
    """The load problem exists whether or not KP001 runs; KP002 still leaves those lines to it."""
    result = lint(UNFILLED_PLACEHOLDER, select=("KP002",), k8s_version="1.35")
    assert [line for line, _ in messages(result)] == [10]


# --------------------------------------------------------------------------- laziness


def test_one_file_loads_only_the_schemas_it_needs(tmp_path: Path):
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 1\n")
    script = (
        "from kportable.api import RunOptions, run\n"
        "from kportable.validate import loaded_schema_files\n"
        f"run(RunOptions(paths=({str(manifest)!r},), k8s_version='1.35'))\n"
        "print('\\n'.join(loaded_schema_files()))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["v1.35.0-local/_definitions.json", "v1.35.0-local/deployment-apps-v1.json"]


# --------------------------------------------------------------------------- CLI


def test_cli_rejects_an_unsupported_version(tmp_path: Path):
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    result = CliRunner().invoke(main, ["lint", str(manifest), "--k8s-version", "1.19"])
    assert result.exit_code == 2
    assert "kportable has schemas for Kubernetes 1.25 to" in result.output


def test_cli_strict_and_version(tmp_path: Path):
    manifest = tmp_path / "svc.yaml"
    manifest.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  prots: []\n")
    loose = CliRunner().invoke(main, ["lint", str(manifest), "--select", "KP002", "--k8s-version", "1.30"])
    assert loose.exit_code == 0, loose.output
    strict = CliRunner().invoke(main, ["lint", str(manifest), "--select", "KP002", "--strict", "-f", "json"])
    assert strict.exit_code == 1
    report = json.loads(strict.output)
    assert report["summary"]["schema"]["strict"] is True
    assert [f["message"] for f in report["findings"]] == ["unknown field `prots` in `spec` (did you mean `ports`?)"]


def test_cli_schema_dir_must_exist(tmp_path: Path):
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    result = CliRunner().invoke(main, ["lint", str(manifest), "--schema-dir", str(tmp_path / "missing")])
    assert result.exit_code == 2
