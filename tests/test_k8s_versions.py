"""The version data: parsing, windows from profiles, and the removal tables against two sources of truth.

The tables are checked against the schemas kubernetes-validate bundles (a removed apiVersion must
not be served from its removal release on, and must still be served just before it when that
release is bundled) and against ``../shared/cloudfacts.yaml`` (every removal listed there is here).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

import pytest
import yaml

from kportable.clouds import CloudProfile
from kportable.k8s_versions import (
    API_DEPRECATIONS,
    API_REMOVALS,
    BUILTIN_GROUPS,
    INTREE_VOLUME_REMOVALS,
    PORTABLE_FLOOR,
    KubeVersion,
    VersionWindow,
    api_removal,
    default_version,
    describe_rejections,
    intree_provisioner_removal,
    intree_volume_removal,
    parse_version,
    profile_window,
    target_windows,
    version_priority,
)
from kportable.model import split_api_version
from kportable.validate import bundled_versions

V = parse_version
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@cache
def served_gvks(version: KubeVersion) -> frozenset[tuple[str, str, str]]:
    """Every (group, version, kind) the bundled schemas of ``version`` serve, read straight from the JSON."""
    folder = f"v{version}.0-local"
    text = (resources.files("kubernetes_validate") / "kubernetes-json-schema" / folder / "_definitions.json")
    defs = json.loads(text.read_text(encoding="utf-8"))["$defs"]
    return frozenset(
        (gvk.get("group", ""), gvk["version"], gvk["kind"])
        for node in defs.values()
        for gvk in node.get("x-kubernetes-group-version-kind", ())
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.35", (1, 35)), ("v1.9", (1, 9)), ("1.30.4", (1, 30)), (" 1.31 ", (1, 31)), ("1.33.0-eks-1", (1, 33))],
)
def test_parse_version(text, expected):
    assert parse_version(text) == KubeVersion(*expected)


@pytest.mark.parametrize("text", ["", "1", "one.two", "1.x", "latest", "1.35a"])
def test_parse_version_rejects_garbage(text):
    with pytest.raises(ValueError, match="not a Kubernetes version"):
        parse_version(text)


def test_versions_compare_numerically_not_as_strings():
    assert V("1.9") < V("1.10") < V("1.37")
    assert str(V("v1.35.2")) == "1.35"


def test_version_priority_prefers_ga_then_beta_then_alpha():
    ordered = sorted(["v1alpha1", "v1beta1", "v2beta2", "v1", "v2", "v1beta2", "weird"], key=version_priority,
                     reverse=True)
    assert ordered == ["v2", "v1", "v2beta2", "v1beta2", "v1beta1", "v1alpha1", "weird"]


def profile(cloud: str, supported: list[str], extended: list[str] | None = None) -> CloudProfile:
    versions: dict[str, list[str]] = {"supported": supported}
    if extended is not None:
        versions["extended"] = extended
    return CloudProfile(cloud, cloud.upper(), {"id": cloud, "kubernetes_versions": versions})


def test_profile_window_reads_supported_and_extended():
    window = profile_window(profile("eks", ["1.36", "1.34", "1.35"], ["1.31", "bogus"]))
    assert window == VersionWindow("eks", (V("1.34"), V("1.35"), V("1.36")), (V("1.31"),))
    assert window.all[0] == V("1.31")
    assert profile_window(CloudProfile("x", "X", {"id": "x"})) is None
    assert profile_window(CloudProfile("x", "X", {"kubernetes_versions": "1.35"})) is None


def test_default_version_is_the_oldest_standard_support_of_the_targets():
    clouds = {
        "eks": profile("eks", ["1.34", "1.35", "1.36"], ["1.31", "1.32", "1.33"]),
        "gke": profile("gke", ["1.35", "1.36"]),
        "bare": CloudProfile("bare", "Bare", {"id": "bare"}),
    }
    assert default_version(target_windows(clouds, ["eks", "gke", "bare"])) == V("1.34")
    assert default_version(target_windows(clouds, ["gke"])) == V("1.35")
    assert default_version(target_windows(clouds, ["bare", "unknown"])) == PORTABLE_FLOOR


def test_describe_rejections():
    windows = (
        VersionWindow("eks", (V("1.34"), V("1.35")), (V("1.31"), V("1.32"), V("1.33"))),
        VersionWindow("gke", (V("1.35"), V("1.36"))),
        VersionWindow("aks", (V("1.35"), V("1.36"), V("1.37"))),
    )
    assert describe_rejections(windows, V("1.32")) == "every supported version of aks, gke and by eks from 1.32"
    assert describe_rejections(windows, V("1.25")) == "every supported version of aks, eks, gke"
    assert describe_rejections(windows, V("1.37")) == "aks from 1.37"
    assert describe_rejections(windows, V("1.38")) == ""


def test_removal_lookup():
    removal = api_removal("extensions/v1beta1", "Ingress")
    assert removal is not None
    assert (removal.removed_in, removal.replacement) == (V("1.22"), "networking.k8s.io/v1")
    assert api_removal("networking.k8s.io/v1", "Ingress") is None
    assert api_removal("policy/v1beta1", "PodSecurityPolicy").replacement == ""  # type: ignore[union-attr]


def test_removed_api_versions_are_gone_from_the_bundled_schemas():
    versions = bundled_versions()
    for removal in API_REMOVALS:
        group, version = split_api_version(removal.api_version)
        for kind in removal.kinds:
            for bundled in versions:
                served = (group, version, kind) in served_gvks(bundled)
                if bundled >= removal.removed_in:
                    assert not served, f"{removal.api_version} {kind} is still served by {bundled}"
                elif bundled == KubeVersion(removal.removed_in.major, removal.removed_in.minor - 1):
                    assert served, f"{removal.api_version} {kind} should be served by {bundled}"


def test_deprecated_apis_are_still_served():
    for deprecation in API_DEPRECATIONS:
        group, version = split_api_version(deprecation.api_version)
        assert (group, version, deprecation.kind) in served_gvks(bundled_versions()[-1])


def test_builtin_groups_match_the_bundled_schemas():
    served = {g for v in bundled_versions() for g, _, _ in served_gvks(v)}
    removed_only = {split_api_version(r.api_version)[0] for r in API_REMOVALS} - served
    assert served <= BUILTIN_GROUPS, served - BUILTIN_GROUPS
    assert removed_only <= BUILTIN_GROUPS
    assert BUILTIN_GROUPS - served - removed_only == set(), "groups that no bundled version serves"


def test_intree_volume_types_are_fields_of_the_volume_schemas():
    folder = f"v{bundled_versions()[-1]}.0-local"
    text = (resources.files("kubernetes_validate") / "kubernetes-json-schema" / folder / "_definitions.json")
    defs = json.loads(text.read_text(encoding="utf-8"))["$defs"]
    fields = set(defs["io.k8s.api.core.v1.Volume"]["properties"]) | set(
        defs["io.k8s.api.core.v1.PersistentVolumeSpec"]["properties"])
    for removal in INTREE_VOLUME_REMOVALS:
        assert removal.volume_type in fields  # the API field outlives the plugin
        assert intree_volume_removal(removal.volume_type) is removal
        if removal.provisioner:
            assert intree_provisioner_removal(removal.provisioner) is removal


def test_intree_volume_dates():
    git_repo = intree_volume_removal("gitRepo")
    assert git_repo is not None
    assert (git_repo.disabled_in, git_repo.removed_in, git_repo.unusable_in) == (V("1.33"), V("1.36"), V("1.33"))
    ebs = intree_volume_removal("awsElasticBlockStore")
    assert ebs is not None
    assert ebs.migrated
    assert ebs.cloud == "eks"
    assert intree_volume_removal("emptyDir") is None


def cloudfacts() -> dict[str, object]:
    path = SHARED / "cloudfacts.yaml"
    if not path.is_file():
        pytest.skip("../shared/cloudfacts.yaml is not available")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data["versions"]  # type: ignore[no-any-return]


def test_every_cloudfacts_api_removal_is_in_the_table():
    for release, entries in cloudfacts()["api_removals"].items():  # type: ignore[attr-defined]
        for entry in entries:
            for kind in entry["kinds"]:
                removal = api_removal(entry["apiVersion"], kind)
                assert removal is not None, (entry["apiVersion"], kind)
                assert removal.removed_in == V(release), (entry["apiVersion"], kind)
                if "/" in entry["use"] and " " not in entry["use"]:
                    assert removal.replacement == entry["use"]


def test_every_cloudfacts_intree_removal_is_in_the_table():
    for entry in cloudfacts()["intree_volume_removals"]:  # type: ignore[attr-defined]
        removal = intree_volume_removal(entry["volume_type"])
        assert removal is not None, entry["volume_type"]
        if "removed_in" in entry:
            assert removal.removed_in == V(entry["removed_in"])
        else:  # gitRepo: "last_usable_in" upstream, with the feature gate turned back on
            last = V(entry["last_usable_in"])
            assert removal.removed_in == KubeVersion(last.major, last.minor + 1)
        assert removal.csi_driver == entry.get("csi_driver", "")
        assert removal.provisioner == entry.get("provisioner", removal.provisioner)
        assert removal.cloud == ("" if entry.get("cloud") in (None, "none") else entry["cloud"])
