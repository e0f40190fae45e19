"""Verify a written port with kustomize: build every overlay and check what the port promises.

1. the **source** overlay rebuilds the original objects: the same objects, and each equal (as
   parsed data, key order and comments aside) to what kustomize makes of the original files;
2. ``base/`` has no cloud tie left: no finding with ``clouds`` except informational ones (and ties
   to every registered profile, which are not about one cloud: a removed API);
3. every other overlay has no tie that costs on its cloud: each non-informational cloud finding
   names the overlay's own cloud (so nothing tied to the source cloud is left, unless the target
   shares the tie, as AKS shares Karpenter's labels with EKS).

Used by ``kportable port --verify``, the tests and the corpus measurement.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..findings import Finding
from ..plugins.manager import Registry
from .patches import same
from .plan import Plan

BUILD_TIMEOUT = 120


@dataclass
class Check:
    """The outcome for one built directory (``base`` or an overlay)."""

    name: str
    error: str = ""
    objects: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error and not self.problems


@dataclass
class Verification:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def describe(self) -> list[str]:
        lines = []
        for check in self.checks:
            if check.error:
                lines.append(f"{check.name}: kustomize failed: {check.error}")
            elif check.problems:
                lines.extend(f"{check.name}: {p}" for p in check.problems)
            else:
                lines.append(f"{check.name}: ok ({check.objects} objects)")
        return lines


def verify(plan: Plan, out: str, registry: Registry, tool: Sequence[str]) -> Verification:
    """Build ``out``'s base and overlays with ``tool`` (``[kubectl, kustomize]``) and check them."""
    root = Path(out)
    checks = [_check_base(root / "base", registry, tool)]
    expected = _expected(plan, tool)
    for cloud in plan.targets:
        checks.append(_check_overlay(plan, cloud, root / "overlays" / cloud, registry, tool, expected))
    return Verification(checks)


def build(directory: Path, tool: Sequence[str]) -> tuple[str, str]:
    """(output, error) of building ``directory``."""
    try:
        done = subprocess.run([*tool, str(directory)], capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return "", str(exc)
    if done.returncode != 0:
        return "", " ".join(done.stderr.split())[:500]
    return done.stdout, ""


def parse_objects(text: str) -> dict[tuple[str, str, str, str], Any]:
    """Built objects by (apiVersion, kind, namespace, name)."""
    out = {}
    for doc in yaml.safe_load_all(text):
        if isinstance(doc, dict):
            raw = doc.get("metadata")
            meta: dict[str, Any] = raw if isinstance(raw, dict) else {}
            key = (str(doc.get("apiVersion")), str(doc.get("kind")), str(meta.get("namespace") or ""),
                   str(meta.get("name")))
            out[key] = doc
    return out


def tie_findings(text: str, registry: Registry, name: str) -> list[Finding]:
    """Non-informational cloud-tie findings of built manifests (the findings port acts on)."""
    from ..api import RunOptions, run
    from . import cloud_rule_ids
    from .plan import port_findings

    result = run(RunOptions(inputs=((name, text.encode()),), select=cloud_rule_ids(registry), jobs=1), registry)
    return port_findings(result.findings, frozenset(registry.clouds))


def _describe(finding: Finding) -> str:
    from .todo import finding_id

    return f"{finding_id(finding)} ({', '.join(finding.clouds)}, {finding.effect})"


def _check_base(folder: Path, registry: Registry, tool: Sequence[str]) -> Check:
    check = Check("base")
    text, check.error = build(folder, tool)
    if check.error:
        return check
    check.objects = len(parse_objects(text))
    check.problems = [f"cloud tie left in the base: {_describe(f)}" for f in tie_findings(text, registry, "base")]
    return check


def _check_overlay(plan: Plan, cloud: str, folder: Path, registry: Registry, tool: Sequence[str],
                   expected: dict[tuple[str, str, str, str], Any] | None) -> Check:
    check = Check(f"overlays/{cloud}")
    text, check.error = build(folder, tool)
    if check.error:
        return check
    built = parse_objects(text)
    check.objects = len(built)
    if cloud == plan.source:
        if expected is None:
            check.problems.append("the original files do not build with kustomize; nothing to compare with")
            return check
        for key in sorted(set(expected) | set(built)):
            if key not in built:
                check.problems.append(f"missing {_key(key)}")
            elif key not in expected:
                check.problems.append(f"extra {_key(key)}")
            elif not same(expected[key], built[key]):
                check.problems.append(f"differs from the original: {_key(key)}")
        return check
    for finding in tie_findings(text, registry, f"overlays/{cloud}"):
        if cloud not in finding.clouds:
            check.problems.append(f"tie that costs on {cloud}: {_describe(finding)}")
    return check


def _key(key: tuple[str, str, str, str]) -> str:
    return f"{key[1]} {key[2] or '-'}/{key[3]} ({key[0]})"


def _expected(plan: Plan, tool: Sequence[str]) -> dict[tuple[str, str, str, str], Any] | None:
    """What kustomize makes of the original files, copied verbatim into a scratch kustomization."""
    folder = Path(tempfile.mkdtemp(prefix="kportable-port-"))
    try:
        names = []
        for i, plan_file in enumerate(f for f in plan.files if not f.skipped and f.objects):
            name = f"{i:04d}-{Path(plan_file.path).name}"
            shutil.copyfile(plan_file.path, folder / name)
            names.append(name)
        (folder / "kustomization.yaml").write_text(yaml.safe_dump({"resources": names}), encoding="utf-8")
        text, error = build(folder, tool)
        return None if error else parse_objects(text)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


