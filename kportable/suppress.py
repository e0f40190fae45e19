"""Suppressions: the one stage after the rules that decides which findings count.

It runs after every rule because it judges their findings (as ruff's ``noqa`` pass does). In
order, first match wins:

1. **In the file** (SARIF kind ``inSource``), unless the config sets
   ``allow-inline-suppressions: false``:

   - the annotation ``kportable.io/ignore: "KP201,host-path-volume"`` (optional
     ``kportable.io/ignore-reason``) on the object, or on a workload's pod template (charts
     often expose only ``podAnnotations``): it covers every finding on that object;
   - a comment ``# kportable: ignore[KP201] reason`` at the end of the offending line, or on
     its own line above it (several such lines may be stacked).

2. **Config exemptions** (kind ``external``): rule + object selector + mandatory reason, with
   an optional ``expires`` date after which the exemption stops applying.
3. **The baseline** (kind ``external``, ``kportable.baseline``).

A suppressed finding is kept and marked (``Finding.suppressed``): reports can show it, the exit
code ignores it. The stage also reports problems with the suppressions themselves, as findings
of rules that live here rather than in a check function: ``KP009`` (a suppression names a rule
that does not exist, or a ``# kportable:`` comment does not parse), ``KP020`` (an exemption has
expired) and ``KP021`` (an in-file suppression where the config forbids them).

Comment grammar (one grammar, tested in ``tests/test_suppress.py``)::

    directive := "#" WS* "kportable" WS* ":" WS* "ignore[" rules "]" (WS+ reason)?
    rules     := name ((","|WS)+ name)*          name: a rule id, slug or alias
    reason    := any text to the end of the line

The annotation value is ``rules`` without brackets. Anything else after ``# kportable:`` is
malformed and reported, so a typo never silently fails to suppress.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from .baseline import Baseline, BaselineEntry, apply_baseline
from .engine import ActiveRule
from .errors import UserError
from .findings import Finding, Location, ObjectRef, Suppression
from .inventory import Inventory
from .load import looks_like_json
from .model import Resource
from .rule import NoOptions, RuleContext, RuleSpec
from .sources import is_excluded

IGNORE_ANNOTATION = "kportable.io/ignore"
REASON_ANNOTATION = "kportable.io/ignore-reason"

UNKNOWN_SUPPRESSION = "KP009"
EXPIRED_EXEMPTION = "KP020"
INLINE_FORBIDDEN = "KP021"
STAGE_RULES = frozenset((UNKNOWN_SUPPRESSION, EXPIRED_EXEMPTION, INLINE_FORBIDDEN))

_COMMENT = re.compile(r"(?:^|[ \t])(?P<hash>#)[ \t]*kportable[ \t]*:(?P<body>[^\r\n]*)")
_DIRECTIVE = re.compile(r"^[ \t]*ignore\[(?P<rules>[^\]]*)\](?:[ \t]+(?P<reason>\S.*?))?[ \t]*$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_SEPARATORS = re.compile(r"[\s,]+")
COMMENT_SYNTAX = "# kportable: ignore[RULE,...] reason"


# --------------------------------------------------------------------------- grammar


@dataclass(frozen=True, slots=True)
class ParsedDirective:
    """What one suppression says: rule names and a reason, or why it does not parse."""

    names: tuple[str, ...] = ()
    reason: str = ""
    error: str | None = None


def parse_rule_list(text: str) -> ParsedDirective:
    """``"KP201, host-path-volume"`` -> names; the annotation value and the part in brackets."""
    names = tuple(n for n in _SEPARATORS.split(text.strip()) if n)
    if not names:
        return ParsedDirective(error="names no rule")
    bad = [n for n in names if not _NAME.match(n)]
    if bad:
        return ParsedDirective(error=f"{bad[0]!r} is not a rule id or slug")
    return ParsedDirective(names)


def parse_comment(body: str) -> ParsedDirective:
    """The text after ``# kportable:``; anything but ``ignore[...] reason`` is an error."""
    match = _DIRECTIVE.match(body)
    if match is None:
        return ParsedDirective(error=f"does not parse; write `{COMMENT_SYNTAX}`")
    parsed = parse_rule_list(match.group("rules"))
    if parsed.error:
        return parsed
    return ParsedDirective(parsed.names, (match.group("reason") or "").strip())


# --------------------------------------------------------------------------- directives


@dataclass(frozen=True, slots=True)
class Directive:
    """One in-file suppression, resolved against the registered rules."""

    kind: Literal["annotation", "comment"]
    location: Location
    rule_ids: frozenset[str]
    unknown: tuple[str, ...]
    reason: str
    source: str
    resource: Resource | None = None
    pointer: tuple[str | int, ...] = ()
    error: str | None = None
    covers: tuple[int, ...] = ()


def comment_directives(path: str, text: str, resolve: RuleNames) -> list[Directive]:
    """Every ``# kportable:`` comment of one YAML file, with the lines it covers."""
    if "kportable" not in text or looks_like_json(text):
        return []
    lines = text.splitlines()
    found: list[tuple[int, int, bool, ParsedDirective]] = []
    for number, line in enumerate(lines, 1):
        if "kportable" not in line:
            continue
        match = _COMMENT.search(line)
        if match is None:
            continue
        own_line = not line[: match.start("hash")].strip()
        found.append((number, match.start("hash") + 1, own_line, parse_comment(match.group("body"))))
    directive_lines = {n for n, _, own, _ in found if own}
    out = []
    for number, column, own_line, parsed in found:
        if own_line:
            target = number + 1
            while target in directive_lines:
                target += 1
            covers: tuple[int, ...] = (target,)
        else:
            covers = (number,)
        known, unknown = resolve.split(parsed.names)
        out.append(
            Directive(
                "comment",
                Location(path, number, column),
                known,
                unknown,
                parsed.reason,
                f"comment at {path}:{number}",
                error=parsed.error,
                covers=covers,
            )
        )
    return out


def annotation_directives(inventory: Inventory, resolve: RuleNames) -> list[Directive]:
    """``kportable.io/ignore`` on every reported object and on every workload's pod template."""
    out = []
    for res in inventory.reported():
        places: list[tuple[tuple[str | int, ...], Mapping[str, str]]] = [(("metadata", "annotations"), res.annotations)]
        workload = inventory.workload_of(res)
        if workload is not None and workload.template:
            places.append((workload.metadata_pointer("annotations"), workload.pod_annotations))
        for base, values in places:
            value = values.get(IGNORE_ANNOTATION)
            if value is None:
                continue
            pointer = (*base, IGNORE_ANNOTATION)
            parsed = parse_rule_list(value)
            known, unknown = resolve.split(parsed.names)
            where = "pod template of " if base[0] != "metadata" else ""
            out.append(
                Directive(
                    "annotation",
                    res.locate(pointer),
                    known,
                    unknown,
                    values.get(REASON_ANNOTATION, "").strip(),
                    f"annotation {IGNORE_ANNOTATION} on {where}{res.ref.label}",
                    resource=res,
                    pointer=pointer,
                    error=None if parsed.error is None else f"{IGNORE_ANNOTATION} {parsed.error}",
                )
            )
    return out


class RuleNames:
    """Resolves the names suppressions and exemptions use (id, slug, alias) to rule ids."""

    def __init__(self, rules: Iterable[RuleSpec]) -> None:
        self._ids: dict[str, str] = {}
        for spec in rules:
            for name in spec.names:
                self._ids[name.lower()] = spec.id

    def get(self, name: str) -> str | None:
        return self._ids.get(name.lower())

    def split(self, names: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
        known, unknown = set(), []
        for name in names:
            rule_id = self.get(name)
            if rule_id is None:
                unknown.append(name)
            else:
                known.add(rule_id)
        return frozenset(known), tuple(unknown)

    def suggest(self, name: str) -> str:
        close = difflib.get_close_matches(name.lower(), list(self._ids), n=1, cutoff=0.75)
        return f" (did you mean {close[0]!r}?)" if close else ""


# --------------------------------------------------------------------------- exemptions


@dataclass(frozen=True, slots=True)
class Exemption:
    """A config exemption: these rules do not count on objects matching the selector.

    Selector fields are globs (``fnmatch``, case-sensitive); ``None`` matches anything.
    ``labels`` must all be present on the object with values matching their globs. ``file``
    matches the reported path or any of its parent directories. ``source``/``line`` say where the
    exemption is written, for messages and for ``KP020``.
    """

    rules: tuple[str, ...]
    reason: str
    kind: str | None = None
    namespace: str | None = None
    name: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    file: str | None = None
    expires: date | None = None
    source: str = ""
    line: int = 1
    column: int = 1

    @property
    def selects_objects(self) -> bool:
        return any(v is not None for v in (self.kind, self.namespace, self.name)) or bool(self.labels)

    def expired(self, today: date) -> bool:
        """Valid through its ``expires`` day; expired from the day after."""
        return self.expires is not None and today > self.expires

    def matches(self, f: Finding, labels: Mapping[str, str]) -> bool:
        if self.file is not None and not is_excluded(f.location.path, (self.file,)):
            return False
        if not self.selects_objects:
            return True
        obj = f.obj
        if obj is None:
            return False
        for pattern, value in ((self.kind, obj.kind), (self.namespace, obj.namespace or ""), (self.name, obj.name)):
            if pattern is not None and not fnmatch.fnmatchcase(value, pattern):
                return False
        return all(k in labels and fnmatch.fnmatchcase(labels[k], v) for k, v in self.labels.items())

    def describe(self) -> str:
        return f"exemption at {self.source}:{self.line}"


# --------------------------------------------------------------------------- the stage


@dataclass(frozen=True)
class SuppressionOutcome:
    findings: tuple[Finding, ...]
    stale_baseline: tuple[BaselineEntry, ...] = ()


def apply_suppressions(
    findings: Sequence[Finding],
    *,
    inventory: Inventory,
    texts: Mapping[str, str],
    rules: Sequence[RuleSpec],
    active: Sequence[ActiveRule],
    exemptions: Sequence[Exemption] = (),
    allow_inline: bool = True,
    baseline: Baseline | None = None,
    today: date | None = None,
) -> SuppressionOutcome:
    """Mark suppressed findings, add the stage's own findings, return them sorted.

    ``rules`` are all registered rules (a suppression may name a rule this run did not select:
    that is not an error); ``active`` are the rules of this run (the stage reports KP009/KP020/
    KP021 only when they are among them).
    """
    names = RuleNames(rules)
    meta = _MetaFindings(active, inventory)
    directives = annotation_directives(inventory, names)
    for path, text in texts.items():
        directives.extend(comment_directives(path, text, names))
    for d in directives:
        if d.error is not None:
            meta.add(UNKNOWN_SUPPRESSION, d, f"suppression {d.error}",
                     fix=f"Write the annotation as `{IGNORE_ANNOTATION}: \"KP101,host-path-volume\"` or the comment "
                         f"as `{COMMENT_SYNTAX}`.")
        for name in d.unknown:
            meta.add(UNKNOWN_SUPPRESSION, d, f"suppression names unknown rule {name!r}{names.suggest(name)}",
                     fix="Use a rule id or slug from `kportable rules` (install the plugin that provides it, "
                         "or remove the name).")
        if not allow_inline and (d.rule_ids or d.unknown):
            meta.add(INLINE_FORBIDDEN, d, f"in-file suppression ({d.source}) is not allowed by the configuration "
                     "and was ignored",
                     fix="Ask for a config exemption (with a reason and an expiry date) or fix the finding.")

    today = today or date.today()
    live: list[Exemption] = []
    for ex in exemptions:
        if ex.expired(today):
            meta.add_at(EXPIRED_EXEMPTION, Location(ex.source, ex.line, ex.column),
                        f"exemption for {', '.join(ex.rules)} expired on {ex.expires}; it no longer applies "
                        f"(reason was: {ex.reason})",
                        fix="Fix the findings it covered, or renew the exemption with a new `expires` date.")
        else:
            unknown = [r for r in ex.rules if names.get(r) is None]
            if unknown:
                raise UserError(f"{ex.describe()} names unknown rule {unknown[0]!r}; see `kportable rules`")
            live.append(ex)

    all_findings = [*findings, *meta.findings]
    if allow_inline and directives:
        all_findings = _apply_directives(all_findings, directives)
    if live:
        all_findings = _apply_exemptions(all_findings, live, names, inventory)
    all_findings.sort(key=Finding.sort_key)
    stale: tuple[BaselineEntry, ...] = ()
    if baseline is not None:
        all_findings, stale = apply_baseline(all_findings, baseline)
    return SuppressionOutcome(tuple(all_findings), stale)


def _apply_directives(findings: list[Finding], directives: Sequence[Directive]) -> list[Finding]:
    by_object: dict[tuple[str, ObjectRef], list[Directive]] = defaultdict(list)
    by_line: dict[tuple[str, int], list[Directive]] = defaultdict(list)
    for d in directives:
        if not d.rule_ids:
            continue
        if d.resource is not None:
            by_object[(d.resource.path, d.resource.ref)].append(d)
        for line in d.covers:
            by_line[(d.location.path, line)].append(d)

    def covering(f: Finding) -> Directive | None:
        candidates = by_line.get((f.location.path, f.location.line), [])
        if f.obj is not None:
            candidates = candidates + by_object.get((f.location.path, f.obj), [])
        return next((d for d in candidates if f.rule_id in d.rule_ids), None)

    out = []
    for f in findings:
        hit = covering(f) if f.suppressed is None else None
        out.append(f if hit is None else f.with_suppression(Suppression("inSource", hit.source, hit.reason)))
    return out


def _apply_exemptions(
    findings: list[Finding], exemptions: Sequence[Exemption], names: RuleNames, inventory: Inventory
) -> list[Finding]:
    by_rule: dict[str, list[Exemption]] = defaultdict(list)
    for ex in exemptions:
        for r in ex.rules:
            rule_id = names.get(r)
            if rule_id is not None:
                by_rule[rule_id].append(ex)
    labels_of: dict[tuple[str, ObjectRef], Mapping[str, str]] = {}
    if any(ex.labels for ex in exemptions):
        labels_of = {(res.path, res.ref): res.labels for res in inventory.reported()}

    def exempting(f: Finding) -> Exemption | None:
        labels = labels_of.get((f.location.path, f.obj), {}) if f.obj is not None else {}
        return next((ex for ex in by_rule[f.rule_id] if ex.matches(f, labels)), None)

    out = []
    for f in findings:
        hit = exempting(f) if f.suppressed is None and f.rule_id in by_rule else None
        out.append(f if hit is None else f.with_suppression(Suppression("external", hit.describe(), hit.reason)))
    return out


class _MetaFindings:
    """Builds the stage's own findings through ``RuleContext`` so they look like any rule's."""

    def __init__(self, active: Sequence[ActiveRule], inventory: Inventory) -> None:
        self._contexts = {
            r.spec.id: (RuleContext(r.spec, NoOptions(), inventory), r.severity)
            for r in active
            if r.spec.id in STAGE_RULES
        }
        self.findings: list[Finding] = []

    def add(self, rule_id: str, d: Directive, message: str, *, fix: str) -> None:
        entry = self._contexts.get(rule_id)
        if entry is None:
            return
        ctx, severity = entry
        if d.resource is not None:
            self.findings.append(ctx.finding(d.resource, d.pointer, message, fix=fix, severity=severity))
        else:
            loc = d.location
            self.findings.append(ctx.finding_at(loc.path, loc.line, loc.column, message, fix=fix, severity=severity))

    def add_at(self, rule_id: str, loc: Location, message: str, *, fix: str) -> None:
        entry = self._contexts.get(rule_id)
        if entry is not None:
            ctx, severity = entry
            self.findings.append(ctx.finding_at(loc.path, loc.line, loc.column, message, fix=fix, severity=severity))
