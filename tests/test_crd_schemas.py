"""CRD openAPIV3Schema -> JSON Schema, as the API server reads it."""

from __future__ import annotations

import textwrap

from jsonschema import Draft202012Validator

from kportable.crd_schemas import crd_kind, crd_schema_source, object_schema
from kportable.load import parse_bytes
from kportable.model import Resource, resources_of


def resource(text: str) -> Resource:
    doc = parse_bytes("crd.yaml", textwrap.dedent(text).encode()).documents[0]
    [res], _ = resources_of(doc)
    return res


V1BETA1 = """
    apiVersion: apiextensions.k8s.io/v1beta1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.com}
    spec:
      group: example.com
      version: v1alpha1
      names: {kind: Widget, plural: widgets}
      validation:
        openAPIV3Schema:
          properties:
            spec:
              properties:
                size: {type: integer}
"""

V1 = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.com}
    spec:
      group: example.com
      scope: Namespaced
      names: {kind: Widget, plural: widgets}
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
                  port: {x-kubernetes-int-or-string: true}
                  note: {type: string, nullable: true}
                  raw: {type: object, x-kubernetes-preserve-unknown-fields: true, properties: {a: {type: string}}}
      - name: v0
        served: false
        storage: false
        schema:
          openAPIV3Schema: {type: object}
"""


def test_identity_and_versions():
    crd = resource(V1)
    assert crd_kind(crd) == ("example.com", "Widget")
    assert crd_schema_source(crd, "v0") is None  # not served
    assert crd_schema_source(crd, "v2") is None
    source = crd_schema_source(crd, "v1")
    assert source is not None
    assert (source.group, source.version, source.kind) == ("example.com", "v1", "Widget")
    assert source.origin == "CustomResourceDefinition widgets.example.com (crd.yaml:10)"


def test_v1beta1_shared_validation_schema():
    source = crd_schema_source(resource(V1BETA1), "v1alpha1")
    assert source is not None
    validator = Draft202012Validator(source.schema)
    assert validator.is_valid({"apiVersion": "example.com/v1alpha1", "kind": "Widget", "spec": {"size": 3}})
    assert not validator.is_valid({"apiVersion": "example.com/v1alpha1", "kind": "Widget", "spec": {"size": "3"}})


def test_openapi_extensions_and_strict_mode():
    source = crd_schema_source(resource(V1), "v1", strict=True)
    assert source is not None
    validator = Draft202012Validator(source.schema)
    base = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert validator.is_valid({**base, "spec": {"port": 80, "note": None, "raw": {"anything": 1}}})
    assert validator.is_valid({**base, "spec": {"port": "http"}})
    assert not validator.is_valid({**base, "spec": {"port": 1.5}})
    assert not validator.is_valid({**base, "spec": {"portt": 80}})  # strict: unknown field
    assert not validator.is_valid({**base, "status": {}})  # strict: the root too
    loose = Draft202012Validator(object_schema({"type": "object", "properties": {"spec": {"type": "object"}}}))
    assert loose.is_valid({**base, "spec": {"x": 1}, "status": {}})
    assert not loose.is_valid({**base, "kind": 3})
