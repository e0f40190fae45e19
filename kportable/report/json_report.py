"""JSON report: stable, sorted, byte-identical across runs (``schemas/report.schema.json``)."""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..findings import Finding, ObjectRef, Severity
from ..gcpause import gc_paused
from ..positions import json_pointer
from .base import ReportOptions
from .common import related_refs

if TYPE_CHECKING:
    from ..api import RunResult

REPORT_VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    """One finding as JSON-compatible data (the shape ``report.schema.json`` describes)."""
    loc = f.location
    return {
        "rule_id": f.rule_id,
        "slug": f.slug,
        "severity": f.severity.value,
        "category": f.category,
        "message": f.message,
        "file": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line if loc.end_line is not None else loc.line,
        "origin": {"file": loc.origin, "line": loc.origin_line} if loc.origin else None,
        "object": None if f.obj is None else ref_dict(f.obj),
        "path": f.path,
        "pointer": json_pointer(f.pointer),
        "clouds": list(f.clouds),
        "effect": f.effect.value if f.effect else None,
        "fix": f.fix,
        "fingerprint": f.fingerprint,
        "suppressed": None
        if f.suppressed is None
        else {"kind": f.suppressed.kind, "source": f.suppressed.source, "justification": f.suppressed.justification},
        "related": [ref_dict(r) for r in related_refs(f)],
    }


def ref_dict(ref: ObjectRef) -> dict[str, Any]:
    """An object's identity as JSON (``object`` and each ``related`` entry of a finding)."""
    return {"kind": ref.kind, "namespace": ref.namespace, "name": ref.name, "apiVersion": ref.api_version}


def report_dict(result: RunResult) -> dict[str, Any]:
    from .. import __version__

    active = result.active
    by_severity = {s.value: 0 for s in Severity}
    for f in active:
        by_severity[f.severity.value] += 1
    stats = result.stats
    data: dict[str, Any] = {
        "version": REPORT_VERSION,
        "tool": {"name": "kportable", "version": __version__},
        "summary": {
            "files": stats.files,
            "documents": stats.documents,
            "resources": stats.resources,
            "workloads": stats.workloads,
            "non_kubernetes_documents": stats.non_kubernetes,
            "empty_documents": stats.empty_documents,
            "context_resources": stats.context_resources,
            "findings": len(active),
            "suppressed": len(result.findings) - len(active),
            "by_severity": by_severity,
            "fail_on": result.options.fail_on.value,
            "failed": result.failed(),
            "schema": result.schema.as_dict() if result.schema is not None else None,
        },
        "rules": [
            {"id": r.id, "slug": r.slug, "severity": r.severity.value, "plugin": r.plugin}
            for r in result.rules
        ],
        "findings": [finding_dict(f) for f in result.findings],
        "errors": [
            {"kind": "rule-crash", "plugin": c.plugin, "rule_id": c.rule_id, "object": c.obj, "message": c.error}
            for c in result.crashes
        ]
        + [
            {"kind": "plugin-error", "plugin": e.plugin, "rule_id": None, "object": None, "message": e.message}
            for e in result.registry.errors
        ],
    }
    from .common import score_dict  # not .scores: that imports rich

    data["scores"] = [score_dict(s) for s in result.scores]
    for key, value in sorted(result.extras.items()):
        data[key] = value
    return data


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def _row_encoder() -> Callable[[Any], str]:
    """``_ENCODER.encode`` for one row. With the C encoder available, one encoder object serves every
    row (``encode`` builds a new one per call; 10,000 rows): same bytes, as ``tests/test_report_schema``
    and the determinism tests check. The rows are plain, acyclic data, so no circular check."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _ENCODER.encode
    encode = make(None, _ENCODER.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)

    def row(value: Any) -> str:
        return "".join(encode(value, 0))

    return row


_ENCODE = _row_encoder()


def dumps(data: dict[str, Any]) -> str:
    """Indented at the top levels, one line per list item: readable, diffable and C-speed to encode."""
    out = ["{"]  # joined once at the end: the report is megabytes, so no intermediate copies
    items = list(data.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        head = f"\n  {json.dumps(key)}: "
        if isinstance(value, list) and value:
            out.append(head + "[\n    ")
            out.append(",\n    ".join(map(_ENCODE, value)))
            out.append("\n  ]" + comma)
        else:
            out.append(head + _ENCODE(value) + comma)
    out.append("\n}\n")
    return "".join(out)


def render(result: RunResult, options: ReportOptions) -> str:
    with gc_paused():
        return dumps(report_dict(result))
