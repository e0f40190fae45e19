"""SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).

What code scanning needs, and what each part of this log gives it:

- paths relative to the repository root (``--sarif-root``, default the git top level) with
  ``uriBaseId: %SRCROOT%``, percent-encoded; Helm output points at the template file that
  exists in the repository (``locations.Locator.place``), never at stdin;
- the real region: ``startLine``, ``startColumn`` and ``endLine`` of the offending key, and the
  source line as ``snippet``;
- ``partialFingerprints["kportable/v1"]`` = ``Finding.fingerprint`` (rule id + object identity +
  key path): alerts keep their identity when unrelated lines move or the file is reformatted;
- one ``reportingDescriptor`` per rule that ran, with short and full descriptions, ``help``
  (text and Markdown: the rule's documentation), ``helpUri``, default level, and tags
  (``portability``, category, clouds). No ``security-severity``: code scanning reads it only
  for rules tagged ``security``, and a portability tie is not a vulnerability;
- suppressed findings stay, with ``suppressions[]`` (``inSource`` for annotations and comments,
  ``external`` for config exemptions and the baseline) and their justification, so code scanning
  shows them as dismissed instead of forgetting them; with a baseline, ``baselineState``;
- ``invocations[0]``: ``exitCode`` (the same status the process exits with),
  ``executionSuccessful``, severity overrides as ``ruleConfigurationOverrides``, and
  ``toolExecutionNotifications`` for files that could not be parsed, rule crashes and plugin
  errors (a clean log must not hide an incomplete run);
- the score matrix (workload x target) and the gate in ``runs[0].properties``.

Output is deterministic: key order fixed, results in finding order, no timestamps, no absolute
paths for files inside the root.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..findings import Finding, Severity
from ..gates import exit_status, score_violations
from ..load import ALIAS_LIMIT, UNREADABLE, YAML_SYNTAX
from ..rule import RuleSpec, doc_section
from . import jsonindent
from .base import ReportOptions
from .catalog import clouds_label, explain_markdown, rule_doc_url
from .common import SARIF_LEVEL, finding_text, related_refs, score_matrix
from .locations import Locator
from .text import SourceLines

if TYPE_CHECKING:
    from ..api import RunResult

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "kportable/v1"
INFORMATION_URI = "https://github.com/kportable/kportable"

# Load problems that leave (part of) a file unlinted: reported as results *and* as notifications.
_UNLINTED = (YAML_SYNTAX, ALIAS_LIMIT, UNREADABLE)
NOTIFICATIONS = (
    ("parse-error", "A file or document could not be parsed; what it holds was not linted."),
    ("rule-crash", "A rule raised an exception; its findings for that object are missing."),
    ("plugin-error", "A plugin failed to load or registered something invalid; its rules did not run."),
)


def rule_descriptor(spec: RuleSpec) -> dict[str, Any]:
    """The SARIF ``reportingDescriptor`` of one rule, from its metadata and documentation."""
    what = " ".join(doc_section(spec.docs, "What it does").split()) or spec.summary
    why = " ".join(doc_section(spec.docs, "Why is this bad?").split())
    tags = ["portability", spec.category or "other"]
    tags.extend("all-clouds" if c == "*" else c for c in sorted(spec.clouds))
    if not spec.clouds:
        tags.append("any-cluster")
    descriptor: dict[str, Any] = {
        "id": spec.id,
        "name": spec.slug,
        "shortDescription": {"text": spec.summary or spec.slug},
        "fullDescription": {"text": f"{what} {why}".strip() or spec.summary or spec.slug},
        "help": {"text": _plain_help(spec), "markdown": explain_markdown(spec)},
        "helpUri": rule_doc_url(spec),
        "defaultConfiguration": {"level": SARIF_LEVEL[spec.severity]},
        "properties": {
            "tags": tags,
            "severity": spec.severity.value,
            "category": spec.category,
            "clouds": clouds_label(spec),
            "plugin": spec.plugin,
        },
    }
    if not descriptor["helpUri"]:  # a plugin rule without a help_uri: no page to link to
        del descriptor["helpUri"]
    if not spec.enabled:
        descriptor["defaultConfiguration"]["enabled"] = False
    if spec.aliases:
        descriptor["deprecatedNames"] = list(spec.aliases)
    return descriptor


def _plain_help(spec: RuleSpec) -> str:
    """The docs as plain text: headings without ``#``, code fences without their markers."""
    lines = []
    for line in spec.docs.splitlines():
        if line.startswith("```"):
            continue
        lines.append(line[3:] if line.startswith("## ") else line)
    return f"{spec.id} {spec.slug}\n\n" + "\n".join(lines).strip()


class _Builder:
    def __init__(self, result: RunResult, options: ReportOptions) -> None:
        self.result = result
        self.locator = Locator(options.sarif_root)
        self.sources = SourceLines(result.texts)
        registry = result.registry
        specs = {s.id: s for s in result.rules}
        for f in result.findings:
            if f.rule_id not in specs:
                spec = registry.rule(f.rule_id)
                if spec is not None:
                    specs[spec.id] = spec
        self.rules = [specs[k] for k in sorted(specs)]
        self.index = {spec.id: i for i, spec in enumerate(self.rules)}
        self.baseline = result.options.baseline is not None

    def artifact(self, path: str) -> dict[str, Any]:
        uri, relative = self.locator.uri(path)
        return {"uri": uri, "uriBaseId": SRCROOT} if relative else {"uri": uri}

    def result_of(self, f: Finding) -> dict[str, Any]:
        place = self.locator.place(f)
        region: dict[str, Any] = {"startLine": place.line}
        if place.column is not None:
            region["startColumn"] = place.column
        region["endLine"] = place.end_line
        if place.rendered is None:
            snippet = self.sources.get(place.path, place.line)
            if snippet is not None and snippet.strip():
                region["snippet"] = {"text": snippet}
        physical = {"artifactLocation": self.artifact(place.path), "region": region}
        location: dict[str, Any] = {"physicalLocation": physical}
        if f.obj is not None:
            ns = f.obj.namespace
            qualified = f"{f.obj.kind}/{ns}/{f.obj.name}" if ns is not None else f"{f.obj.kind}/{f.obj.name}"
            location["logicalLocations"] = [{"name": f.obj.name, "fullyQualifiedName": qualified, "kind": "resource"}]
        out: dict[str, Any] = {"ruleId": f.rule_id}
        if f.rule_id in self.index:
            out["ruleIndex"] = self.index[f.rule_id]
        out["level"] = SARIF_LEVEL[f.severity]
        out["message"] = {"text": finding_text(f)}
        out["locations"] = [location]
        if place.rendered is not None and self.locator.is_file(place.rendered.path):
            rendered = place.rendered
            out["relatedLocations"] = [{
                "id": 1,
                "physicalLocation": {
                    "artifactLocation": self.artifact(rendered.path),
                    "region": {"startLine": rendered.line, "startColumn": rendered.column},
                },
                "message": {"text": "rendered manifest"},
            }]
        out["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
        if f.suppressed is not None:
            s = f.suppressed
            suppression: dict[str, Any] = {"kind": s.kind, "status": "accepted"}
            if s.justification:
                suppression["justification"] = s.justification
            suppression["properties"] = {"source": s.source}
            out["suppressions"] = [suppression]
        if self.baseline:
            in_baseline = f.suppressed is not None and f.suppressed.source.startswith("baseline ")
            out["baselineState"] = "unchanged" if in_baseline else "new"
        props: dict[str, Any] = {"severity": f.severity.value, "category": f.category}
        if f.obj is not None:
            props["object"] = {"kind": f.obj.kind, "namespace": f.obj.namespace, "name": f.obj.name}
        if f.related:  # the workloads a namespace- or shared-object finding counts against in the scores
            props["related"] = [{"kind": r.kind, "namespace": r.namespace, "name": r.name} for r in related_refs(f)]
        if f.path:
            props["keyPath"] = f.path
        if f.clouds:
            props["clouds"] = list(f.clouds)
        if f.effect is not None:
            props["effect"] = f.effect.value
        if f.fix:
            props["fix"] = f.fix
        if place.rendered is not None:
            props["rendered"] = {"file": place.rendered.path, "line": place.rendered.line}
            if place.approximate:
                props["templateLineUnknown"] = True
        out["properties"] = props
        return out

    def notifications(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for item in self.result.inventory.problems:
            p = item.problem
            if item.context or p.code not in _UNLINTED:
                continue
            out.append({
                "descriptor": {"id": "parse-error", "index": 0},
                "level": "error",
                "message": {"text": f"{item.path}:{p.line}:{p.column}: {p.message}"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": self.artifact(item.path),
                    "region": {"startLine": p.line, "startColumn": p.column},
                }}],
            })
        for crash in self.result.crashes:
            note: dict[str, Any] = {
                "descriptor": {"id": "rule-crash", "index": 1},
                "level": "error",
                "message": {
                    "text": f"rule {crash.rule_id} (plugin {crash.plugin!r}) crashed on {crash.obj}: {crash.error}"
                },
                "exception": {"kind": crash.error.split(":", 1)[0], "message": crash.error},
            }
            if crash.rule_id in self.index:
                note["associatedRule"] = {"id": crash.rule_id, "index": self.index[crash.rule_id]}
            out.append(note)
        for err in self.result.registry.errors:
            out.append({
                "descriptor": {"id": "plugin-error", "index": 2},
                "level": "error",
                "message": {"text": err.message},
                "properties": {"plugin": err.plugin},
            })
        return out

    def overrides(self) -> list[dict[str, Any]]:
        out = []
        registry = self.result.registry
        for name, severity in sorted(self.result.options.severity_overrides.items()):
            spec = registry.rule(name)
            if spec is None or spec.id not in self.index:
                continue
            out.append({
                "descriptor": {"id": spec.id, "index": self.index[spec.id]},
                "configuration": {"level": SARIF_LEVEL[severity]},
                "properties": {"severity": severity.value},
            })
        return out

    def run_properties(self) -> dict[str, Any]:
        result = self.result
        matrix = score_matrix(result.scores)
        active = result.active
        by_severity = {s.value: sum(1 for f in active if f.severity is s) for s in Severity}
        violations = score_violations(result.scores, result.options.min_score)
        return {
            "summary": {
                "files": result.stats.files,
                "resources": result.stats.resources,
                "workloads": result.stats.workloads,
                "findings": len(active),
                "suppressed": len(result.findings) - len(active),
                "bySeverity": by_severity,
                "failOn": result.options.fail_on.value,
            },
            "targets": list(matrix.targets),
            "scores": [
                {
                    "workload": {
                        "kind": ws.workload.kind, "namespace": ws.workload.namespace, "name": ws.workload.name
                    },
                    "scope": ws.scope,
                    "scores": {t: ws.scores[t] for t in matrix.targets if t in ws.scores},
                }
                for ws in matrix.rows
            ],
            "minScore": dict(sorted(result.options.min_score.items())),
            "scoreViolations": [
                {"workload": v.row or str(v.workload), "target": v.target, "score": v.score, "minimum": v.minimum}
                for v in violations
            ],
        }

    def log(self) -> dict[str, Any]:
        result = self.result
        driver: dict[str, Any] = {
            "name": "kportable",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [rule_descriptor(spec) for spec in self.rules],
            "notifications": [
                {"id": ident, "shortDescription": {"text": text}} for ident, text in NOTIFICATIONS
            ],
        }
        invocation: dict[str, Any] = {
            "executionSuccessful": not result.internal_error,
            "exitCode": exit_status(result),
        }
        overrides = self.overrides()
        if overrides:
            invocation["ruleConfigurationOverrides"] = overrides
        notes = self.notifications()
        if notes:
            invocation["toolExecutionNotifications"] = notes
        run: dict[str, Any] = {
            "tool": {"driver": driver},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": [self.result_of(f) for f in result.findings],
            "properties": self.run_properties(),
        }
        return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def sarif_log(result: RunResult, options: ReportOptions) -> dict[str, Any]:
    """The SARIF log of a run as JSON-compatible data."""
    return _Builder(result, options).log()


def dumps(log: Mapping[str, Any]) -> str:
    """Serialise a SARIF log: two-space indent, UTF-8, trailing newline (deterministic)."""
    return jsonindent.dumps(log, indent=2) + "\n"  # json.dumps(indent=2, ensure_ascii=False), faster


def render(result: RunResult, options: ReportOptions) -> str:
    return dumps(sarif_log(result, options))
