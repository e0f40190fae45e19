"""Property-based tests (Hypothesis) of the loader, the workload graph and the whole lint.

- Random Kubernetes-like objects, dumped as YAML (block or flow) or JSON, read back to the
  same data, with every key located on a line that holds it.
- Random bytes and random YAML-ish token soup never make ``parse_bytes`` or ``run`` raise, and
  every finding has a valid location (a line within the file, column >= 1).
- Random bundles of workloads, Services, NetworkPolicies, PDBs and HPAs: the indexed selection
  equals a brute-force all-pairs oracle, both ways.

Inputs are small and every example has a deadline, so a hang fails the test instead of
stalling the suite. By default the examples are the same on every run (CI stays reproducible);
``KPORTABLE_FUZZ_EXAMPLES=5000 pytest tests/test_property.py`` runs longer, with fresh random ones.
"""

from __future__ import annotations

import json
import math
import os
import re
from datetime import timedelta
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kportable.api import RunOptions, build_inventory, run
from kportable.load import JSON, parse_bytes
from kportable.model import DEFAULT_NAMESPACE
from kportable.plugins.manager import get_registry
from kportable.positions import Entry, locate

EXAMPLES = int(os.environ.get("KPORTABLE_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize="KPORTABLE_FUZZ_EXAMPLES" not in os.environ,  # CI: the same examples every run
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --------------------------------------------------------------------------- strategies

KEYS = ["app", "name", "image", "ports", "spec", "metadata", "labels", "y", "on", "<<", "1", "", "a b", "ü", "key: x"]
# keys without control or line-separator characters, so "the key is written at its position" can be checked
key = st.one_of(
    st.sampled_from(KEYS),
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85"), max_size=12),
)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.sampled_from(["yes", "no", "~", "null", "0755", "0x1F", "1_000", "2024-01-01", ".inf", "<<", "*a", "&a", "!t"]),
    st.text(max_size=30),
)
value: st.SearchStrategy[JSON] = st.recursive(
    scalar,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(key, children, max_size=5)),
    max_leaves=25,
)
k8s_object = st.fixed_dictionaries(
    {
        "apiVersion": st.sampled_from(["v1", "apps/v1", "batch/v1", "networking.k8s.io/v1"]),
        "kind": st.sampled_from(["Deployment", "Pod", "Service", "ConfigMap", "CronJob", "List", "Thing"]),
        "metadata": st.fixed_dictionaries(
            {"name": st.text(min_size=1, max_size=10)},
            optional={"namespace": st.sampled_from(["a", "b", ""]), "labels": st.dictionaries(key, scalar, max_size=3)},
        ),
    },
    optional={"spec": value, "data": value, "items": st.lists(value, max_size=3)},
)
document = st.one_of(k8s_object, value)


def dump(docs: list[Any], style: int) -> str:
    """Style 0: block YAML; 1: flow YAML; 2-4: JSON objects back to back (compact, ASCII, indented)."""
    if style == 0:
        return yaml.safe_dump_all(
            docs, default_flow_style=False, allow_unicode=True, sort_keys=False, explicit_start=True
        )
    if style == 1:
        return yaml.safe_dump_all(
            docs, default_flow_style=True, allow_unicode=True, sort_keys=False, explicit_start=True, width=60
        )
    return "\n".join(json.dumps(d, indent=style - 2 or None, ensure_ascii=style == 3, allow_nan=False) for d in docs)


YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def max_line(raw: bytes) -> int:
    """An upper bound of the last line number: libyaml also breaks lines at CR, NEL, LS and PS."""
    breaks = (b"\n", b"\r", b"\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\x28\x20", b"\x29\x20")
    return 1 + sum(raw.count(b) for b in breaks)


def same(a: object, b: object) -> bool:
    """Equality that also tells 1 from True and 1.0 from 1 (YAML keeps the types apart)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        assert isinstance(b, float)
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def pointers(data: JSON, shadow: Entry, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every key path of ``data`` (the shadow mirrors it)."""
    out: list[tuple[str | int, ...]] = []
    child = shadow[1] if isinstance(shadow, tuple) else None
    if isinstance(data, dict):
        assert isinstance(child, dict)
        for k, v in data.items():
            out.append((*prefix, k))
            out.extend(pointers(v, child[k], (*prefix, k)))
    elif isinstance(data, list):
        assert isinstance(child, list)
        for i, v in enumerate(data):
            out.append((*prefix, i))
            out.extend(pointers(v, child[i], (*prefix, i)))
    return out


# --------------------------------------------------------------------------- loader


@FUZZ
@given(docs=st.lists(document, min_size=1, max_size=3), style=st.integers(min_value=0, max_value=4))
def test_dumped_objects_read_back_with_every_key_located(docs: list[Any], style: int) -> None:
    if style >= 2:  # JSON input is objects back to back (kubectl's rule: the stream starts with "{")
        docs = [d for d in docs if isinstance(d, dict)] or [{}]
    try:
        text = dump(docs, style)
    except ValueError:  # infinity has no JSON spelling
        assume(False)
    src = parse_bytes("x.yaml", text.encode("utf-8"))
    # lines as kportable counts them: JSON breaks at LF only; YAML 1.1 (libyaml) also at CR, NEL, LS, PS
    lines = text.split("\n") if style >= 2 else YAML_BREAK.split(text)
    assert src.problems == []
    # the oracle: PyYAML's own safe loader (a null YAML document is an empty one, not a document)
    expected = [d for d in yaml.load_all(text, Loader=yaml.CSafeLoader) if d is not None] if style < 2 else docs
    assert len(src.documents) == len(expected)
    for doc, original in zip(src.documents, expected, strict=True):
        assert same(doc.data, original), (doc.data, original)
        if not isinstance(doc.data, dict | list):
            continue
        for pointer in pointers(doc.data, doc.shadow):
            pos = locate(doc.shadow, pointer)
            assert pos.exact
            assert 1 <= pos.line <= len(lines)
            assert pos.column >= 1
            last = pointer[-1]
            at = lines[pos.line - 1][pos.column - 1:]
            if isinstance(last, str) and last and style != 3:
                # the key is written there, plain or quoted (JSON with ensure_ascii escapes it)
                assert at.startswith(last) or at[:1] in "\"'", (pointer, at[:40])


@FUZZ
@given(raw=st.binary(max_size=3000))
def test_random_bytes_never_raise(raw: bytes) -> None:
    src = parse_bytes("x.yaml", raw)
    for p in src.problems:
        assert 1 <= p.line <= max_line(raw)
        assert p.column >= 1


TOKENS = [
    "a", "b", ":", " ", "  ", "\n", "- ", "? ", "&x ", "*x", "&y ", "*y", "<<", "[", "]", "{", "}", ",", "'q'", '"d"',
    "1", "0x1", "yes", "~", "---\n", "...\n", "#c\n", "|\n", ">-\n", "\t", "!!str ", "!!map ", "!!seq ", "!!merge ",
    "!!python/object:os.system ", "!t ", "%YAML 1.1\n", "apiVersion: v1\n", "kind: Pod\n", "metadata:\n  name: p\n",
    "\ufeff", "é", "\r\n", "\x00", "\x85",
]
soup = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


@FUZZ
@given(text=soup)
def test_yaml_token_soup_never_raises(text: str) -> None:
    raw = text.encode("utf-8")
    src = parse_bytes("x.yaml", raw)
    lines = max_line(raw)
    for p in src.problems:
        assert 1 <= p.line <= lines, p
        assert p.column >= 1, p
    for doc in src.documents:
        assert 1 <= doc.line <= lines


@FUZZ
@given(files=st.lists(st.one_of(soup, st.lists(document, max_size=2).map(lambda d: dump(d, 0))), min_size=1,
                      max_size=4))
def test_lint_never_raises_and_locates_every_finding(files: list[str]) -> None:
    inputs = tuple((f"f{i}.yaml", text.encode("utf-8")) for i, text in enumerate(files))
    result = run(RunOptions(inputs=inputs), get_registry())
    assert not result.crashes, result.crashes[0].traceback
    sizes = {name: max_line(raw) for name, raw in inputs}
    for f in result.findings:
        assert f.location.path in sizes
        assert 1 <= f.location.line <= sizes[f.location.path], f
        assert f.location.column >= 1, f


# --------------------------------------------------------------------------- graph

label_key = st.sampled_from(["app", "tier", "env"])
label_value = st.sampled_from(["web", "db", "1", ""])
labels = st.dictionaries(label_key, st.one_of(label_value, st.integers(0, 2), st.booleans()), max_size=3)
namespace = st.sampled_from(["a", "b", None])
expression = st.fixed_dictionaries(
    {
        "key": label_key,
        "operator": st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist", "Bogus"]),
    },
    optional={"values": st.lists(st.one_of(label_value, st.integers(0, 2)), max_size=3)},
)
label_selector = st.one_of(
    st.none(),
    st.just({}),
    st.fixed_dictionaries({}, optional={"matchLabels": labels, "matchExpressions": st.lists(expression, max_size=2)}),
    st.integers(),
)


def meta(name: str, ns: str | None) -> dict[str, Any]:
    return {"name": name, **({"namespace": ns} if ns else {})}


@st.composite
def bundle(draw: st.DrawFn) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["Deployment", "StatefulSet", "Pod", "CronJob", "ReplicationController"]))
        pod = {"metadata": {"labels": draw(labels)}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
        if kind == "Pod":
            pod_meta = {**meta(f"w{i}", draw(namespace)), **pod["metadata"]}
            docs.append({"apiVersion": "v1", "kind": kind, "metadata": pod_meta, "spec": pod["spec"]})
            continue
        spec: dict[str, Any] = {"template": pod}
        if kind == "CronJob":
            spec = {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": pod}}}
        docs.append({"apiVersion": "apps/v1", "kind": kind, "metadata": meta(f"w{i}", draw(namespace)), "spec": spec})
    for i in range(draw(st.integers(0, 4))):
        docs.append({"apiVersion": "v1", "kind": "Service", "metadata": meta(f"s{i}", draw(namespace)),
                     "spec": {"selector": draw(st.one_of(labels, st.none(), st.just([])))}})
    for i in range(draw(st.integers(0, 3))):
        docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": meta(f"n{i}", draw(namespace)), "spec": {"podSelector": draw(label_selector)}})
    for i in range(draw(st.integers(0, 3))):
        version = draw(st.sampled_from(["policy/v1", "policy/v1beta1"]))
        docs.append({"apiVersion": version, "kind": "PodDisruptionBudget",
                     "metadata": meta(f"p{i}", draw(namespace)), "spec": {"selector": draw(label_selector)}})
    for i in range(draw(st.integers(0, 2))):
        docs.append({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                     "metadata": meta(f"h{i}", draw(namespace)),
                     "spec": {"scaleTargetRef": {"kind": draw(st.sampled_from(["Deployment", "StatefulSet"])),
                                                 "name": f"w{draw(st.integers(0, 5))}"}}})
    return docs


@FUZZ
@given(docs=bundle())
def test_indexed_selection_equals_all_pairs(docs: list[dict[str, Any]]) -> None:
    src = parse_bytes("bundle.yaml", yaml.safe_dump_all(docs).encode())
    inventory, _ = build_inventory([src], [], DEFAULT_NAMESPACE)
    workloads = inventory.workloads
    for kind in ("Service", "NetworkPolicy", "PodDisruptionBudget"):
        for res in inventory.of_kind(kind):
            ns = res.namespace or DEFAULT_NAMESPACE
            selector = inventory.selector_of(res)
            brute = tuple(w for w in workloads if w.namespace == ns and selector.matches(w.pod_labels))
            assert inventory.selected_workloads(res) == brute
        for w in workloads:
            brute_back = [r for r in inventory.of_kind(kind) if w in inventory.selected_workloads(r)]
            assert inventory.selecting(w, kind) == brute_back
    for w in workloads:
        hpas = [h for h in inventory.of_kind("HorizontalPodAutoscaler")
                if (h.namespace or DEFAULT_NAMESPACE) == w.namespace
                and h.spec.get("scaleTargetRef") == {"kind": w.kind, "name": w.name}]
        assert inventory.hpas_for(w) == hpas
