"""Cloud profiles: the built-in data, the schema and its line-accurate errors, compiled matchers, and
plugin profiles that every generic cloud rule picks up with no change to any rule."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from kportable.clouds import SCOPES, CloudProfile, load_profile, profile_schema
from kportable.errors import PluginError
from kportable.plugins.hookspecs import hookimpl
from kportable.plugins.manager import build_registry, get_registry
from kportable.testing import lint_text

CLOUDS_DIR = resources.files("kportable_rules").joinpath("clouds")
CLOUDFACTS = Path(__file__).resolve().parent.parent.parent / "shared" / "cloudfacts.yaml"
MINIMAL = """\
id: acme
name: ACME Kubernetes
description: An on-prem distribution.
kubernetes_versions:
  supported: ["1.35"]
ties: []
"""


def builtin(name: str) -> CloudProfile:
    return get_registry().clouds[name]


# --------------------------------------------------------------------------- the built-in profiles


def test_builtin_profiles_load_and_keep_the_shared_contract() -> None:
    clouds = get_registry().clouds
    assert {"eks", "gke", "aks"} <= set(clouds)
    for cloud_id in ("eks", "gke", "aks"):
        profile = clouds[cloud_id]
        data = profile.data
        assert data["id"] == profile.id == cloud_id
        assert data["name"]
        assert data["description"]
        versions = data["kubernetes_versions"]
        for key in ("supported", "extended"):
            minors = versions[key]
            assert minors == sorted(minors, key=lambda v: tuple(map(int, v.split(".")))), f"{cloud_id} {key} order"
            assert all(re.fullmatch(r"1\.\d+", v) for v in minors)
        assert profile.kubernetes_versions.supported == tuple(versions["supported"])
        assert len(profile.ties) > 40


def test_schema_scope_list_matches_the_code() -> None:
    enum = set(profile_schema()["$defs"]["scope"]["anyOf"][0]["enum"])
    assert enum == set(SCOPES)


def test_every_scope_is_read_by_a_rule_and_has_ties() -> None:
    used = {w for p in get_registry().clouds.values() for t in p.ties for w in t.where}
    rule_sources = "".join(
        p.read_text(encoding="utf-8") for p in Path(__file__).resolve().parent.parent.joinpath("rules").rglob("*.py")
    )
    for scope in SCOPES:
        assert scope in used, f"no tie uses scope {scope!r}"
        assert f'"{scope}"' in rule_sources, f"no rule reads scope {scope!r}"


@pytest.mark.parametrize("cloud_id", ["eks", "gke", "aks"])
def test_tie_examples_hold(cloud_id: str) -> None:
    """Each tie's documented examples match (and fail to match) its compiled matcher."""
    raw = yaml.safe_load(CLOUDS_DIR.joinpath(f"{cloud_id}.yaml").read_text(encoding="utf-8"))
    profile = builtin(cloud_id)
    by_id = {t.id: t for t in profile.ties}
    checked = 0
    for entry in raw["ties"]:
        tie = by_id[entry["id"]]
        for sample in entry.get("examples", {}).get("match", []):
            assert tie.primary.matches(sample), (tie.id, sample)
            checked += 1
        for sample in entry.get("examples", {}).get("no_match", []):
            assert not tie.primary.matches(sample), (tie.id, sample)
            checked += 1
    assert checked > 30


# Deliberate narrowings of cloudfacts entries (the fact's own notes warn about these samples).
NARROWED = {
    ("aks-node-label-legacy-unprefixed", "accelerator"): "a bare `accelerator` key is a common user label",
    ("aks-node-label-legacy-unprefixed", "kubernetes.io/role"): "kops uses it too; only the value `agent` is AKS",
}


def test_regex_ties_match_what_cloudfacts_says() -> None:
    """Re-check the regexes taken from ../shared/cloudfacts.yaml against its tested examples."""
    if not CLOUDFACTS.is_file():
        pytest.skip("../shared/cloudfacts.yaml is not available")
    facts = yaml.safe_load(CLOUDFACTS.read_text(encoding="utf-8"))
    entries = {e["id"]: e for cloud in ("eks", "gke", "aks") for cat in facts[cloud].values() for e in cat}
    compared = 0
    for cloud_id in ("eks", "gke", "aks"):
        for tie in builtin(cloud_id).ties:
            fact = entries.get(tie.id)
            if fact is None or fact["kind"] != "regex" or "examples" not in fact:
                continue
            # value facts that became key + value ties (values under keys, RBAC subject names): the examples
            # are values, tested by the constraint
            matcher = tie.constraint if fact["target"] == "value" and tie.subject == "key" else tie.primary
            assert matcher is not None, tie.id
            for sample in fact["examples"]["match"]:
                assert matcher.matches(str(sample)) or (tie.id, sample) in NARROWED, (tie.id, sample)
            for sample in fact["examples"]["no_match"]:
                assert not matcher.matches(str(sample)), (tie.id, sample)
            compared += 1
    assert compared > 50


def test_lookup_prefers_the_first_matching_tie_and_checks_values() -> None:
    eks = builtin("eks")
    internal = eks.lookup("service-annotation", "service.beta.kubernetes.io/aws-load-balancer-scheme", "internal")
    public = eks.lookup("service-annotation", "service.beta.kubernetes.io/aws-load-balancer-scheme", "internet-facing")
    assert internal is not None
    assert internal.id == "eks-svc-aws-lb-internal-scheme"
    assert public is not None
    assert public.id == "eks-svc-aws-lb-annotations"
    assert eks.lookup("service-annotation", "service.beta.kubernetes.io/load-balancer-source-ranges") is None
    assert eks.lookup("node-label", "node.kubernetes.io/instance-type", "m5.large") is not None
    assert eks.lookup("node-label", "node.kubernetes.io/instance-type", "n2-standard-4") is None
    assert eks.lookup("node-label", "node.kubernetes.io/instance-type") is None
    assert eks.lookup("no-such-scope", "x") is None


def test_value_patterns_apply_only_under_their_keys() -> None:
    """`nvidia-l4` looks like nothing here, and a zone value under a non-zone key is not a zone."""
    for profile in get_registry().clouds.values():
        assert profile.lookup("node-label", "cloud.example.com/gpu", "nvidia-l4") is None
        assert profile.lookup("node-label", "example.com/zone", "us-east-2c") is None


# --------------------------------------------------------------------------- broken profiles


def test_unknown_key_is_named_with_its_line() -> None:
    text = MINIMAL.replace("ties: []", "ties: []\nfavourite_colour: blue")
    with pytest.raises(PluginError, match=r"^acme\.yaml:7: invalid cloud profile at favourite_colour: unknown key"):
        load_profile(text, source="acme.yaml")


def test_bad_tie_field_is_named_with_its_line() -> None:
    text = MINIMAL.replace("ties: []", """ties:
  - id: acme-lb
    where: [service-annotation]
    key: {prefix: acme.example.com/}
    effect: catastrophic
    what: an ACME load balancer setting
    reason: only ACME reads it
    fix: an overlay
""")
    with pytest.raises(PluginError, match=r"^acme\.yaml:10: invalid cloud profile at ties/0/effect"):
        load_profile(text, source="acme.yaml")


def test_regex_that_does_not_compile_or_contradicts_its_examples() -> None:
    tie = """ties:
  - id: acme-lb
    where: [service-annotation]
    key: {regex: '^acme\\.example\\.com/(lb'}
    effect: adaptation
    what: an ACME load balancer setting
    reason: only ACME reads it
    fix: an overlay
"""
    with pytest.raises(PluginError, match=r"^acme\.yaml:9: .*does not compile"):
        load_profile(MINIMAL.replace("ties: []", tie), source="acme.yaml")
    tie = tie.replace("(lb'", "lb-'") + "    examples: {match: [acme.example.com/lb-x, acme.example.com/other]}\n"
    with pytest.raises(PluginError, match=r"^acme\.yaml:14: .*should match example 'acme.example.com/other'"):
        load_profile(MINIMAL.replace("ties: []", tie), source="acme.yaml")


def test_scope_of_the_wrong_subject_and_duplicate_ids() -> None:
    tie = """ties:
  - id: acme-class
    where: [load-balancer-class]
    key: {exact: acme.example.com/lb}
    effect: blocker
    what: the ACME load balancer class
    reason: only ACME serves it
    fix: omit it
"""
    with pytest.raises(PluginError, match=r"^acme\.yaml:9: .*matches a value, give 'value:'"):
        load_profile(MINIMAL.replace("ties: []", tie), source="acme.yaml")
    good = tie.replace("key: {exact", "value: {exact")
    twice = good + good.replace("ties:\n", "")
    with pytest.raises(PluginError, match=r"^acme\.yaml:14: .*duplicate tie id 'acme-class'"):
        load_profile(MINIMAL.replace("ties: []", twice), source="acme.yaml")


def test_severity_must_agree_with_the_effect() -> None:
    tie = """ties:
  - id: acme-lb
    where: [service-annotation]
    key: {prefix: acme.example.com/}
    effect: info
    severity: blocker
    what: x
    reason: y
    fix: z
"""
    with pytest.raises(PluginError, match=r"^acme\.yaml:11: .*ties/0/severity"):
        load_profile(MINIMAL.replace("ties: []", tie), source="acme.yaml")


def test_yaml_syntax_error_and_missing_fields() -> None:
    with pytest.raises(PluginError, match=r"^acme\.yaml:[23]: cloud profile is not valid YAML"):
        load_profile("id: acme\nname: [unclosed\n", source="acme.yaml")
    missing = r"acme\.yaml:1: invalid cloud profile at \(top level\): 'name' is a required"
    with pytest.raises(PluginError, match=missing):
        load_profile("id: acme\n", source="acme.yaml")


def test_portable_is_not_a_profile_id() -> None:
    with pytest.raises(PluginError, match=r"acme\.yaml:1: invalid cloud profile at id"):
        load_profile(MINIMAL.replace("id: acme", "id: portable"), source="acme.yaml")


def test_equivalences_and_x_keys_are_allowed() -> None:
    text = MINIMAL + ("equivalences: {internal-load-balancer: {set: [{at: annotations, "
                      "key: lb.acme.example.com/internal, value: 'true'}]}}\nx-acme-owner: platform-team\n")
    assert load_profile(text, source="acme.yaml").id == "acme"


def test_profile_built_in_code_is_compiled_too() -> None:
    with pytest.raises(PluginError, match="unknown scope 'everywhere'"):
        CloudProfile("acme", "ACME", {"ties": [{"id": "x", "where": ["everywhere"], "key": {"exact": "a"},
                                                "effect": "info", "what": "w", "reason": "r", "fix": "f"}]})
    assert CloudProfile("bare", "Bare").ties == ()


# --------------------------------------------------------------------------- plugin profiles

ACME_PROFILE = MINIMAL.replace("ties: []", """ties:
  - id: acme-lb-internal
    where: [service-annotation]
    key: {exact: lb.acme.example.com/internal}
    value: {exact: "true"}
    effect: adaptation
    severity: major
    what: an ACME internal load balancer request
    reason: Other platforms ignore it and expose the Service.
    fix: Declare exposure per platform in overlays.
  - id: acme-storage
    where: [storage-provisioner]
    value: {exact: block.csi.acme.example.com}
    effect: blocker
    what: the ACME block storage driver
    reason: Only ACME clusters run it.
    fix: A neutral class name.
  - id: acme-pools
    where: [node-label]
    key: {prefix: pool.acme.example.com/}
    effect: blocker
    what: an ACME node pool label
    reason: Only ACME nodes carry it.
    fix: Own labels on every platform.
""")


def _acme_plugin() -> object:
    @hookimpl
    def kportable_cloud_profiles() -> list[CloudProfile]:
        return [load_profile(ACME_PROFILE, source="kportable_acme/acme.yaml")]

    return SimpleNamespace(__name__="kportable_acme", kportable_cloud_profiles=kportable_cloud_profiles)


def test_plugin_profile_is_read_by_every_generic_rule_and_scored() -> None:
    plugin = _acme_plugin()
    registry = build_registry(plugins=[plugin])
    assert registry.errors == ()
    assert "acme" in registry.clouds
    manifest = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: block.csi.acme.example.com
---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    lb.acme.example.com/internal: "true"
spec:
  type: LoadBalancer
  selector: {app: web}
---
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
    spec:
      nodeSelector:
        pool.acme.example.com/tier: gold
      containers:
      - name: web
        image: nginx:1.27
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {cpu: 100m, memory: 64Mi}
"""
    # hygiene findings (KP25x network policies, KP7xx quotas) would cost on acme too: not this test's concern
    result = lint_text(manifest, plugins=[plugin], config="ignore: [KP25, KP7]\n")
    ties = {(f.rule_id, f.location.line): f for f in result.findings if f.clouds == ("acme",)}
    assert set(ties) == {("KP301", 5), ("KP201", 12), ("KP501", 29)}
    assert ties[("KP201", 12)].severity.value == "major"
    score, cluster = result.scores  # the StorageClass nobody claims: the cluster row
    assert score.scores["acme"] == cluster.scores["acme"] == 100
    assert score.scores["eks"] < 100
    assert cluster.scores["eks"] < 100
    assert score.scores["portable"] < 100
    assert (cluster.scope, [c.rule_id for c in cluster.costs if c.target == "eks"]) == ("cluster", ["KP301"])


def test_extending_a_profile_appends_ties() -> None:
    @hookimpl
    def kportable_cloud_profiles() -> list[CloudProfile]:
        return [load_profile("""\
id: eks-acme
extends: eks
ties:
  - id: acme-eks-team-label
    where: [node-label]
    key: {exact: acme.example.com/eks-team}
    effect: blocker
    what: ACME's EKS team node label
    reason: Only ACME's EKS node groups carry it.
    fix: A label every platform sets.
""", source="acme-eks.yaml")]

    plugin = SimpleNamespace(__name__="kportable_acme_eks", kportable_cloud_profiles=kportable_cloud_profiles)
    registry = build_registry(plugins=[plugin])
    assert registry.errors == ()
    eks = registry.clouds["eks"]
    assert eks.lookup("node-label", "acme.example.com/eks-team") is not None
    assert eks.lookup("node-label", "eks.amazonaws.com/nodegroup") is not None  # the base ties stay
    assert eks.description == builtin("eks").description


def test_extension_redefining_a_tie_id_is_a_plugin_error() -> None:
    @hookimpl
    def kportable_cloud_profiles() -> list[CloudProfile]:
        return [load_profile("""\
id: eks-dup
extends: eks
ties:
  - id: eks-sa-irsa-role-arn
    where: [service-account-annotation]
    key: {exact: x.example.com/role}
    effect: blocker
    what: x
    reason: y
    fix: z
""", source="dup.yaml")]

    plugin = SimpleNamespace(__name__="kportable_dup", kportable_cloud_profiles=kportable_cloud_profiles)
    registry = build_registry(plugins=[plugin])
    assert any("duplicate tie id 'eks-sa-irsa-role-arn'" in e.message for e in registry.errors)
    assert registry.clouds["eks"].lookup("service-account-annotation", "eks.amazonaws.com/role-arn") is not None


def test_cloud_rules_declare_all_profiles() -> None:
    in_cloud_families = [r for r in get_registry().rules if r.plugin == "core" and r.id[2] in "23456"]
    cloud_rules = [r for r in in_cloud_families if r.clouds]
    assert len(cloud_rules) >= 25
    for spec in cloud_rules:
        assert spec.clouds == frozenset({"*"}), spec.id  # generic: reads every profile, names none
    # the rest of these families is hygiene about any cluster: the NetworkPolicy rules
    assert {r.id for r in in_cloud_families if not r.clouds} == {"KP251", "KP252", "KP253", "KP254", "KP255"}


def test_schema_file_is_valid_json_schema() -> None:
    import jsonschema

    schema = json.loads(resources.files("kportable.schemas").joinpath("cloud-profile.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
