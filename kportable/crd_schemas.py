"""JSON Schemas for custom resources, from the ``CustomResourceDefinition`` objects of the input.

A CRD's ``spec.versions[].schema.openAPIV3Schema`` (``spec.validation.openAPIV3Schema`` in the
removed ``apiextensions.k8s.io/v1beta1``) is an OpenAPI v3 schema of the custom object. This
module turns it into a Draft 2020-12 JSON Schema the way the API server reads it:

- ``nullable: true`` adds ``null`` to ``type``;
- ``x-kubernetes-int-or-string: true`` accepts an integer or a string;
- ``apiVersion``, ``kind`` (strings) and ``metadata`` (an object) are added at the root when the
  CRD leaves them out, as the API server does;
- with ``strict``, an object schema that lists ``properties`` and neither sets
  ``additionalProperties`` nor ``x-kubernetes-preserve-unknown-fields`` rejects other fields
  (the API server would prune them silently, which is worse: the setting is lost).

CEL rules (``x-kubernetes-validations``) and formats are not evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Resource, as_dict, as_list, as_str
from .schema_source import SchemaSource

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_ROOT_FIELDS: dict[str, dict[str, Any]] = {
    "apiVersion": {"type": "string"},
    "kind": {"type": "string"},
    "metadata": {"type": "object"},
}


def crd_kind(crd: Resource) -> tuple[str, str] | None:
    """(group, kind) a ``CustomResourceDefinition`` defines, or ``None`` when it does not say."""
    spec = crd.spec
    group = as_str(spec.get("group"))
    kind = as_str(as_dict(spec.get("names")).get("kind"))
    return (group, kind) if group and kind else None


def crd_schema_source(crd: Resource, version: str, *, strict: bool = False) -> SchemaSource | None:
    """The schema ``crd`` gives its kind at ``version`` (``None`` if it serves no schema there).

    Only the requested version is converted: CRDs of operators run to megabytes of schema.
    """
    identity = crd_kind(crd)
    if identity is None:
        return None
    spec = crd.spec
    shared = as_dict(as_dict(spec.get("validation")).get("openAPIV3Schema"))  # v1beta1
    versions = as_list(spec.get("versions"))
    if not versions and as_str(spec.get("version")):
        versions = [{"name": spec.get("version")}]
    for i, entry in enumerate(versions):
        item = as_dict(entry)
        if as_str(item.get("name")) != version or item.get("served") is False:
            continue
        raw = as_dict(as_dict(item.get("schema")).get("openAPIV3Schema")) or shared
        if not raw:
            return None
        return SchemaSource(
            group=identity[0],
            version=version,
            kind=identity[1],
            schema=object_schema(raw, strict=strict),
            origin=f"CustomResourceDefinition {crd.name} ({crd.path}:{crd.locate(('spec', 'versions', i)).line})",
        )
    return None


def object_schema(openapi: Mapping[str, Any], *, strict: bool = False) -> dict[str, Any]:
    """The JSON Schema of a whole custom object from a CRD's ``openAPIV3Schema``."""
    root = _convert(openapi, strict)
    props = dict(root.get("properties") or {})
    for name, field_schema in _ROOT_FIELDS.items():
        props.setdefault(name, field_schema)
    root["properties"] = props
    if strict and "additionalProperties" not in root and not openapi.get("x-kubernetes-preserve-unknown-fields"):
        root["additionalProperties"] = False
    root["$schema"] = DRAFT_2020_12
    return root


def _convert(node: object, strict: bool) -> dict[str, Any]:
    if not isinstance(node, Mapping):
        return {}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties", "definitions", "$defs") and isinstance(value, Mapping):
            out[key] = {k: _convert(v, strict) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, Mapping):
            out[key] = _convert(value, strict)
        elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
            out[key] = [_convert(v, strict) for v in value]
        elif key == "nullable":
            continue
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string") is True:
        out.pop("type", None)
        out["type"] = ["integer", "string"]
    if node.get("nullable") is True and "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"] if "null" not in types else types
    if (
        strict
        and "properties" in out
        and "additionalProperties" not in out
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out
