"""The loader: data, positions (golden lines on tricky files), safety limits, problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from kportable.api import RunOptions, build_inventory
from kportable.load import (
    ALIAS_LIMIT,
    DUPLICATE_KEY,
    UNREADABLE,
    UNSUPPORTED_TAG,
    YAML_SYNTAX,
    parse_bytes,
)
from kportable.positions import locate
from kportable.sources import InputFile, read_input

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "golden"


def parse(name: str):
    path = GOLDEN / name
    return parse_bytes(str(path), path.read_bytes())


def line_of(doc, *pointer):
    return locate(doc.shadow, pointer).line


def test_anchors_aliases_and_merge_keys_keep_lines():
    src = parse("anchors.yaml")
    assert not src.problems
    (doc,) = src.documents
    assert doc.line == 2
    data = doc.data
    assert data["spec"]["selector"]["matchLabels"] == {"app": "web", "tier": "front"}
    assert data["spec"]["template"]["metadata"]["labels"] == {"app": "web", "tier": "front", "version": "v2"}
    containers = data["spec"]["template"]["spec"]["containers"]
    assert containers[1] == {"name": "sidecar", "image": "nginx:1.27"}
    # a merged key points where it is written (the anchored mapping), an own key at itself
    assert line_of(doc, "spec", "template", "metadata", "labels", "app") == 7
    assert line_of(doc, "spec", "template", "metadata", "labels", "version") == 16
    assert line_of(doc, "spec", "template", "spec", "containers", 1, "name") == 23
    assert line_of(doc, "spec", "template", "spec", "containers", 1, "image") == 21
    assert line_of(doc, "spec", "template", "spec", "containers", 1) == 22


def test_list_items_keep_their_own_lines():
    src = parse("list.yaml")
    inventory, stats = build_inventory([src], [], "default")
    sa, cm = inventory.resources
    assert (sa.kind, sa.namespace, sa.name) == ("ServiceAccount", "shop", "app")
    assert sa.base == ("items", 0)
    assert sa.locate(("metadata", "annotations", "eks.amazonaws.com/role-arn")).line == 10
    assert cm.locate(("data", "mode")).line == 17
    assert stats.resources == 2


def test_concatenated_json_values_with_tabs():
    src = parse("multi.json")
    assert not src.problems
    svc, rc = src.documents
    assert svc.data["spec"]["selector"] == {"app": "mock"}
    assert (svc.line, rc.line) == (1, 10)
    assert line_of(svc, "spec", "selector") == 6
    assert line_of(rc, "spec", "template", "spec", "containers", 0, "image") == 18


def test_crlf_line_numbers():
    (doc,) = parse("crlf.yaml").documents
    assert line_of(doc, "spec", "containers", 0, "resources", "requests", "cpu") == 11
    assert doc.data["metadata"]["name"] == "crlf"


def test_utf8_bom():
    (doc,) = parse("bom.yaml").documents
    assert doc.data["apiVersion"] == "v1"
    assert line_of(doc, "data", "k") == 6


def test_multi_document_stream_counts():
    src = parse("multidoc.yaml")
    inventory, stats = build_inventory([src], [], "default")
    assert [r.kind for r in inventory.resources] == ["Namespace", "ConfigMap"]
    assert stats.non_kubernetes == 1
    assert stats.empty_documents >= 2
    assert inventory.resources[1].locate(("data", "key")).line == 18


def test_helm_source_comment_is_the_origin():
    src = parse("helm-output.yaml")
    sa, sts = src.documents
    assert sa.origin == "shop/templates/serviceaccount.yaml"
    assert sts.origin == "shop/charts/redis/templates/statefulset.yaml"
    assert line_of(sts, "spec", "template", "spec", "containers", 0, "image") == 27


def test_yaml_syntax_error_keeps_earlier_documents():
    raw = b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\nkey: [unclosed\n"
    src = parse_bytes("x.yaml", raw)
    assert len(src.documents) == 1
    (problem,) = src.problems
    assert problem.code == YAML_SYNTAX
    assert problem.line == 7


def test_scalar_types_follow_yaml_1_1_like_kubectl():
    src = parse_bytes("x.yaml", b"a: 0755\nb: 0x1F\nc: yes\nd: ~\ne: 1.5e+3\nf: 2024-01-01\ng: '1'\nh: 1_000\n")
    assert src.documents[0].data == {
        "a": 493, "b": 31, "c": True, "d": None, "e": 1500.0, "f": "2024-01-01", "g": "1", "h": 1000
    }


def test_duplicate_key_reported_last_value_kept():
    src = parse_bytes("x.yaml", b"a: 1\nb: 2\na: 3\n")
    assert src.documents[0].data == {"a": 3, "b": 2}
    (problem,) = src.problems
    assert (problem.code, problem.line) == (DUPLICATE_KEY, 3)


def test_billion_laughs_is_bounded():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=False):
        lines.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    src = parse_bytes("bomb.yaml", ("\n".join(lines) + "\n").encode())
    assert [p.code for p in src.problems] == [ALIAS_LIMIT]
    assert src.documents[0].data is None


def test_python_tags_are_never_constructed():
    src = parse_bytes("x.yaml", b"a: !!python/object/apply:os.system [echo pwned]\n")
    assert src.documents[0].data == {"a": ["echo pwned"]}
    assert [p.code for p in src.problems] == [UNSUPPORTED_TAG]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x1f\x8b\x08\x00\x00binary", "binary content"),
        (b"a: \xff\xfe\n", "invalid UTF-8"),
        (b"apiVersion: v1\nkind: ConfigMap\x00\n", "NUL"),
    ],
)
def test_unreadable_content(raw, message):
    src = parse_bytes("x.yaml", raw)
    (problem,) = src.problems
    assert problem.code == UNREADABLE
    assert message in problem.message


def test_size_limit(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: b\n" * 1000)
    src = read_input(InputFile(str(big), str(big)), max_bytes=100)
    (problem,) = src.problems
    assert problem.code == UNREADABLE
    assert "over the 100-byte limit" in problem.message


@pytest.mark.parametrize("text", ["[" * 12000 + "]" * 12000, "- " * 12000 + "x\n"])
def test_deep_nesting_never_reaches_the_c_parser(text):
    src = parse_bytes("deep.yaml", text.encode())
    assert [p.code for p in src.problems] == [UNREADABLE]
    assert "nesting" in src.problems[0].message


def test_moderate_nesting_is_bounded_in_python():
    text = "[" * 1000 + "]" * 1000
    src = parse_bytes("deep.yaml", text.encode())
    assert [p.code for p in src.problems] == [UNREADABLE]
    assert "deeper than 400 levels" in src.problems[0].message


def test_non_kubernetes_yaml_is_counted_not_reported():
    src = parse_bytes("values.yaml", b"replicaCount: 2\nimage: {repository: nginx}\n")
    inventory, stats = build_inventory([src], [], "default")
    assert inventory.resources == ()
    assert stats.non_kubernetes == 1


def test_json_detected_by_content_not_extension():
    src = parse_bytes("weird.yaml", b'{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}')
    assert src.documents[0].data["kind"] == "Namespace"
    assert not src.problems


def test_run_options_defaults_are_frozen():
    opts = RunOptions()
    with pytest.raises(AttributeError):
        opts.paths = ("x",)  # type: ignore[misc]


def test_a_yaml_stream_starting_with_a_flow_mapping_is_yaml_unless_named_json():
    text = b"{}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n"
    as_yaml = parse_bytes("k8s/cfg.yaml", text)
    assert as_yaml.problems == []
    assert [d.data for d in as_yaml.documents] == [{}, {"apiVersion": "v1", "kind": "ConfigMap",
                                                        "metadata": {"name": "cfg"}}]
    assert as_yaml.documents[1].line == 3
    as_json = parse_bytes("k8s/cfg.JSON", text)  # a .json file must be JSON: the syntax error stays
    assert [(p.code, p.line) for p in as_json.problems] == [("KP001", 2)]
    assert "JSON syntax error" in as_json.problems[0].message
