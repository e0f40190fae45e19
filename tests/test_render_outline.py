"""The template outline: a key's line in a Helm template, or no answer rather than a wrong one."""

from __future__ import annotations

import pytest

from kportable.render.origins import choose_segment
from kportable.render.outline import find_line, outline

TEMPLATE = """\
{{- if .Values.enabled }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  template:
    metadata:
      annotations:
        checksum/config: abc
    spec:
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if .Values.hostNetwork }}
      dnsPolicy: ClusterFirstWithHostNet
      {{- else }}
      dnsPolicy: ClusterFirst
      {{- end }}
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports:
            - name: http
              containerPort: 8080
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
        - name: sidecar
          image: busybox:1.36
          command: |
            resources:
              limits: {}
{{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
    {{- range .Values.ports }}
    - port: {{ .port }}
      name: {{ .name }}
    {{- end }}
"""

RENDERED = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "rel-app", "labels": {"app": "x"}},
    "spec": {
        "replicas": 3,
        "template": {
            "metadata": {"annotations": {"checksum/config": "abc"}},
            "spec": {
                "nodeSelector": {"eks.amazonaws.com/nodegroup": "ng"},
                "dnsPolicy": "ClusterFirst",
                "containers": [
                    {"name": "app", "image": "r/app:1", "ports": [{"name": "http", "containerPort": 8080}],
                     "resources": {"limits": {"cpu": 1}}},
                    {"name": "sidecar", "image": "busybox:1.36", "command": "resources:\n  limits: {}\n"},
                ],
            },
        },
    },
}

SEGMENTS = outline(TEMPLATE)
DEPLOYMENT = SEGMENTS[0]
C = ("spec", "template", "spec", "containers")


@pytest.mark.parametrize(
    ("pointer", "line"),
    [
        (("kind",), 3),
        (("spec", "replicas"), 10),
        (("metadata", "labels", "app"), 6),  # emitted by include ... | nindent 4 under labels:
        (("spec", "template", "metadata", "annotations", "checksum/config"), 15),
        (("spec", "template", "spec", "nodeSelector", "eks.amazonaws.com/nodegroup"), 18),
        (("spec", "template", "spec", "dnsPolicy"), 24),  # the else branch: its literal is the rendered value
        ((*C, 0), 27),  # templated name, the only item not contradicted by a literal name
        ((*C, 0, "image"), 28),
        ((*C, 0, "ports", 0, "containerPort"), 31),
        ((*C, 0, "resources", "limits", "cpu"), 32),
        ((*C, 1), 34),
        ((*C, 1, "image"), 35),
        ((*C, 1, "command"), 36),
    ],
)
def test_find_line(pointer, line):
    assert find_line(DEPLOYMENT, pointer, RENDERED) == line


@pytest.mark.parametrize(
    "pointer",
    [
        ("spec", "strategy"),  # absent, and spec has no action that could emit it
        ((*C, 1, "resources")),  # the "resources:" inside a block scalar is text, not a key
        ((*C, 0, "securityContext")),  # container 0 has no action emitting content
    ],
)
def test_no_answer_rather_than_a_wrong_line(pointer):
    assert find_line(DEPLOYMENT, pointer, RENDERED) is None


def test_literal_value_that_differs_from_the_render_is_not_the_source():
    rendered = {**RENDERED, "spec": {**RENDERED["spec"], "template": {"metadata": {"annotations": {
        "checksum/config": "changed-by-a-post-renderer"}}}}}
    assert find_line(DEPLOYMENT, ("spec", "template", "metadata", "annotations", "checksum/config"), rendered) is None


def test_duplicate_keys_without_a_deciding_value_are_ambiguous():
    rendered = {"spec": {"template": {"spec": {"dnsPolicy": "Default"}}}}
    assert find_line(DEPLOYMENT, ("spec", "template", "spec", "dnsPolicy"), rendered) is None


def test_range_item_maps_to_its_single_template_item():
    service = SEGMENTS[1]
    rendered = {"spec": {"ports": [{"port": 80, "name": "a"}, {"port": 81, "name": "b"}]}}
    assert find_line(service, ("spec", "ports", 1, "port"), rendered) == 48
    assert service.start == 41
    assert service.top_value("kind") == "Service"


def test_segments_and_document_start():
    assert [s.start for s in SEGMENTS] == [2, 41]
    assert DEPLOYMENT.top_value("kind") == "Deployment"


def test_quoted_and_templated_keys():
    segs = outline('metadata:\n  annotations:\n    "helm.sh/hook": test\n    {{ .Values.key }}: v\n')
    rendered = {"metadata": {"annotations": {"helm.sh/hook": "test", "custom": "v"}}}
    assert find_line(segs[0], ("metadata", "annotations", "helm.sh/hook"), rendered) == 3
    assert find_line(segs[0], ("metadata", "annotations", "custom"), rendered) is None


def test_multiline_action_is_skipped():
    text = 'kind: ConfigMap\n{{- $x := dict\n    "a" 1\n    "b" 2 }}\ndata:\n  a: "1"\n'
    segs = outline(text)
    assert find_line(segs[0], ("data", "a"), {"kind": "ConfigMap", "data": {"a": "1"}}) == 6


def test_choose_segment():
    two = outline("kind: ConfigMap\n---\nkind: Deployment\n")
    assert choose_segment(two, 1, 2, "Deployment") is two[1]
    assert choose_segment(two, 3, 4, "Deployment") is two[1]  # two releases concatenated
    assert choose_segment(two, 0, 1, "Deployment") is two[1]  # one rendered (an if): by kind
    assert choose_segment(two, 0, 1, "Secret") is None
    one = outline("{{- range .Values.jobs }}\n---\nkind: Job\n{{- end }}\n")
    assert choose_segment(one, 2, 3, "Job") is not None


def _pointers(data, prefix=()):
    if prefix:
        yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _pointers(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _pointers(v, (*prefix, i))


@pytest.mark.corpus
def test_outline_agrees_with_the_loader_on_every_plain_manifest(real_corpus):
    """On real YAML the exact answer is known (the loader's positions): the outline never contradicts it."""
    from kportable.load import parse_bytes
    from kportable.positions import locate

    answered = wrong = total = 0
    for path in sorted(real_corpus.rglob("*.y*ml")):
        raw = path.read_bytes()
        if len(raw) > 300_000:
            continue
        src = parse_bytes(str(path), raw)
        if src.text is None:
            continue
        segments = [s for s in outline(src.text) if not s.empty]
        if len(segments) != len(src.documents):
            continue
        for segment, doc in zip(segments, src.documents, strict=True):
            for pointer in list(_pointers(doc.data))[:400]:
                total += 1
                line = find_line(segment, pointer, doc.data)
                if line is not None:
                    answered += 1
                    wrong += line != locate(doc.shadow, pointer).line
    assert total > 30_000
    assert wrong == 0
    assert answered / total > 0.95
