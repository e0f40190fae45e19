"""What a user reads: every finding can be acted on, names its object one way, and says it once.

Over the real corpus (as a user runs it), the demo and every rule's case-file manifests:

- every finding has a portable alternative (``fix``), a line >= 1, and an object, unless its rule
  reports about a file (input and suppression rules: a YAML error has no object);
- a message names an object the way ``kportable.model.label`` does (``Deployment 'shop/web'``, a
  bare name only for cluster-scoped kinds), whichever rule wrote it;
- one problem is one finding: no line carries both KP001 (YAML) and KP002 (schema).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from kportable.api import RunOptions, RunResult, run
from kportable.findings import Finding
from kportable.load import parse_text
from kportable.model import Resource, resources_of
from kportable.plugins.manager import get_registry
from kportable.testing import load_cases, run_case

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
CASE_FILES = sorted((ROOT / "fixtures" / "rules").glob("KP*.yml"))

# ``Kind 'name'``: a capitalised word (a kind) followed by a quoted name, as messages write objects.
NAMED_OBJECT = re.compile(r"\b([A-Z][A-Za-z0-9]*) '([^'/\s]+)'")


def file_level_rules() -> frozenset[str]:
    """Rules that report about a file rather than an object (a YAML error, a stale suppression)."""
    return frozenset(s.id for s in get_registry().rules if s.category in ("input", "suppression"))


def action_problems(findings: Iterable[Finding], file_level: frozenset[str]) -> list[str]:
    out = []
    for f in findings:
        where = f"{f.location.path}:{f.location.line} {f.rule_id}"
        if not f.fix.strip():
            out.append(f"{where}: no fix ({f.message})")
        if f.location.line < 1 or f.location.column < 1:
            out.append(f"{where}: line/column {f.location.line}:{f.location.column}")
        if f.obj is None and f.rule_id not in file_level:
            out.append(f"{where}: no object, and {f.rule_id} is not a file-level rule")
    return out


def namespaced_objects(resources: Iterable[Resource]) -> set[tuple[str, str]]:
    return {(r.kind, r.name) for r in resources if r.namespace is not None}


def label_problems(findings: Iterable[Finding], namespaced: set[tuple[str, str]]) -> list[str]:
    """Messages that name a namespaced object of the bundle by its bare name (``Deployment 'web'``)."""
    out = []
    for f in findings:
        for kind, name in NAMED_OBJECT.findall(f.message):
            if (kind, name) in namespaced:
                out.append(f"{f.location.path}:{f.location.line} {f.rule_id}: {kind} {name!r} without its "
                           f"namespace in: {f.message}")
    return out


def duplicate_problems(findings: Iterable[Finding]) -> list[str]:
    rules_at: dict[tuple[str, int], set[str]] = {}
    for f in findings:
        rules_at.setdefault((f.location.path, f.location.line), set()).add(f.rule_id)
    return [f"{path}:{line}: KP001 and KP002" for (path, line), ids in sorted(rules_at.items())
            if {"KP001", "KP002"} <= ids]


@pytest.fixture(scope="module")
def real(real_corpus: Path) -> RunResult:
    return run(RunOptions(paths=(str(real_corpus),), jobs=1))


@pytest.fixture(scope="module")
def demo() -> RunResult:
    return run(RunOptions(paths=(str(DEMO),), jobs=1))


@pytest.mark.corpus
def test_every_real_corpus_finding_is_actionable(real):
    assert len(real.findings) > 1000
    assert action_problems(real.findings, file_level_rules()) == []


@pytest.mark.corpus
def test_real_corpus_messages_name_objects_with_their_namespace(real):
    assert label_problems(real.findings, namespaced_objects(real.inventory.resources)) == []


@pytest.mark.corpus
def test_real_corpus_reports_a_placeholder_once(real):
    assert duplicate_problems(real.findings) == []


def test_every_demo_finding_is_actionable(demo):
    assert demo.findings
    assert action_problems(demo.findings, file_level_rules()) == []
    assert label_problems(demo.findings, namespaced_objects(demo.inventory.resources)) == []


@pytest.mark.parametrize("case_file", CASE_FILES, ids=lambda p: p.stem)
def test_case_file_messages_name_objects_with_their_namespace(case_file: Path):
    """Every rule fires in its case file, so this covers each message a built-in rule can write."""
    file_level = file_level_rules()
    for case in load_cases(case_file):
        findings = run_case(case)
        resources = []
        for text in (case.manifest, case.context or ""):
            for doc in parse_text(case.filename, text, is_json=False).documents:
                resources += resources_of(doc, default_namespace=case.namespace)[0]
        assert label_problems(findings, namespaced_objects(resources)) == [], case.id
        assert action_problems(findings, file_level) == [], case.id


def test_label_names_namespaced_and_cluster_scoped_objects():
    from kportable import label
    from kportable.findings import ObjectRef

    assert label(ObjectRef("Deployment", "shop", "web")) == "Deployment 'shop/web'"
    assert label(ObjectRef("StorageClass", None, "fast")) == "StorageClass 'fast'"
    assert ObjectRef("Secret", "shop", "it's").label == "Secret \"shop/it's\""


def test_storage_fixes_fit_the_kind_they_are_about():
    """The profiles' driver fixes speak of StorageClasses; snapshot classes and static volumes get their own."""
    manifest = """\
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshotClass
metadata: {name: snapshots}
driver: disk.csi.azure.com
deletionPolicy: Delete
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: data}
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  csi: {driver: ebs.csi.aws.com, volumeHandle: vol-0123456789abcdef0}
"""
    result = run(RunOptions(inputs=(("storage.yaml", manifest.encode()),), select=("KP301", "KP306")))
    fixes = {f.rule_id: f.fix for f in result.findings}
    assert fixes["KP301"].startswith("Ship the VolumeSnapshotClass in a per-cloud overlay")
    assert fixes["KP306"].startswith("Keep the PersistentVolume")
    assert "storageClassName" not in fixes["KP301"] + fixes["KP306"]
