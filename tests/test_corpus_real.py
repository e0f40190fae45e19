"""The real corpus (../shared/corpus/real, read in place): no crash, parse errors where expected."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kportable.api import RunOptions, run
from kportable.cli import main

UNPARSABLE = {
    # file -> (line, fragment of the message)
    "gke-samples/ai-ml/infw-gw/examples/getting-started/vllm-llama3-8b-instruct.yaml": (17, "mapping values"),
    "k8s-examples/_archived/storage/vitess/etcd-service-template.yaml": (7, "template placeholder"),
}


def test_whole_corpus_lints_without_crash(real_corpus):
    def lint(*flags):
        result = CliRunner().invoke(main, ["lint", "-f", "json", "-j", "1", *flags, str(real_corpus)],
                                    catch_exceptions=False)
        assert result.exit_code in (0, 1), result.output[-2000:]
        return json.loads(result.output)

    report = lint()  # as a user runs it: kustomizations are built when kustomize or kubectl is on PATH
    assert report["errors"] == []
    assert report["summary"]["resources"] > 1400
    files = lint("--no-build")  # every file read as it is (a build counts as one file)
    assert files["errors"] == []
    assert files["summary"]["files"] > 900


def test_unparsable_files_are_kp001_at_their_line(real_corpus):
    result = run(RunOptions(paths=(str(real_corpus),), select=("KP001",)))
    found = {}
    for f in result.findings:
        rel = f.location.path.split("corpus/real/", 1)[1]
        found.setdefault(rel, f)
    for rel, (line, fragment) in UNPARSABLE.items():
        assert rel in found, rel
        assert found[rel].location.line == line
        assert fragment in found[rel].message
    assert set(found) == set(UNPARSABLE)


def test_concatenated_json_and_lists_are_expanded(real_corpus):
    result = run(RunOptions(paths=(
        str(real_corpus / "kubernetes/hack/testdata/multi-resource-json.json"),
        str(real_corpus / "kube-prometheus/manifests/grafana-dashboardDefinitions.yaml"),
        str(real_corpus / "eks-workshop/manifests/modules/troubleshooting/alb/files"
            / "iam_issue_service_account_role.yaml"),
    ), select=("KP001",)))
    kinds = sorted({r.kind for r in result.inventory.resources})
    assert kinds == ["ConfigMap", "ReplicationController", "Service", "ServiceAccount"]
    cms = [r for r in result.inventory.resources if r.kind == "ConfigMap"]
    assert len(cms) == 33
    assert all(r.namespace == "monitoring" for r in cms)
    sa = next(r for r in result.inventory.resources if r.kind == "ServiceAccount")
    assert sa.locate(("metadata", "annotations", "eks.amazonaws.com/role-arn")).line == 8


def test_crlf_file_lines(real_corpus):
    path = real_corpus / "aad-pod-identity/examples/rest-api/client-pod.yaml"
    result = run(RunOptions(paths=(str(path),), select=("KP001",)))
    (pod,) = result.inventory.resources
    assert pod.locate(("metadata", "labels", "aadpodidbinding")).line == 8


def test_helm_origins_on_rendered_files(real_corpus):
    path = real_corpus / "vpc-cni/config/master/aws-k8s-cni.yaml"
    result = run(RunOptions(paths=(str(path),), select=("KP001",)))
    ds = next(r for r in result.inventory.resources if r.kind == "DaemonSet")
    assert ds.doc.origin == "aws-vpc-cni/templates/daemonset.yaml"
    assert ds.doc.line > 160
