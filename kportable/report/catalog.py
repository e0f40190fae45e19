"""Rendering of the rule catalogue: ``kportable rules``, ``explain`` and ``plugins``.

Every view is built from the ``Registry`` alone, so plugin rules, profiles and formats show up
exactly like the built-in ones. ``rules_markdown`` is the docs site's rule index
(``docs/rules.md``, kept fresh by a test); ``explain_markdown`` is one rule's page, which
``kportable explain`` renders with rich.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import unicodedata
from collections.abc import Collection, Mapping
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from ..plugins.manager import PluginInfo, Registry
from ..rule import NoOptions, RuleSpec, doc_section

_FENCE = re.compile(r"^\s*```")
_HEADING = re.compile(r"^(#{1,5}) ")

# The committed rule index (``docs/rules.md``) as GitHub shows it: SARIF's ``helpUri`` of a core rule
# is its section there (code-scanning alerts link to it).
RULES_DOC_URL = "https://github.com/kportable/kportable/blob/main/docs/rules.md"


def _console(buffer: io.StringIO, color: bool, width: int) -> Console:
    return Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False,
                   color_system="standard" if color else None, legacy_windows=False)


def clouds_label(spec: RuleSpec) -> str:
    """``any`` (hygiene: every cluster), ``all profiles`` (a generic cloud rule) or the cloud ids."""
    if not spec.clouds:
        return "any"
    if "*" in spec.clouds:
        return "all profiles"
    return ", ".join(sorted(spec.clouds))


@dataclasses.dataclass(frozen=True, slots=True)
class OptionDoc:
    """One option of a rule, as the config file spells it."""

    name: str
    type: str
    default: Any


def rule_options(spec: RuleSpec) -> list[OptionDoc]:
    """The options of ``spec``: kebab-case name, declared type and default, from its options dataclass."""
    if spec.options is NoOptions:
        return []
    out = []
    for f in dataclasses.fields(spec.options):
        if f.default is not dataclasses.MISSING:
            default: Any = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        if isinstance(default, tuple | frozenset | set):
            default = sorted(default) if isinstance(default, frozenset | set) else list(default)
        out.append(OptionDoc(f.name.replace("_", "-"), f.type if isinstance(f.type, str) else f.type.__name__,
                             default))
    return out


def _rule_json(spec: RuleSpec, enabled: bool) -> dict[str, Any]:
    return {
        "id": spec.id,
        "slug": spec.slug,
        "severity": spec.severity.value,
        "category": spec.category,
        "target": spec.target.value,
        "kinds": sorted(spec.kinds) if spec.kinds is not None else None,
        "clouds": sorted(spec.clouds),
        "enabled": enabled,
        "on_by_default": spec.enabled,
        "plugin": spec.plugin,
        "plugin_version": spec.plugin_version,
        "since": spec.since,
        "aliases": list(spec.aliases),
        "options": [dataclasses.asdict(o) for o in rule_options(spec)],
        "summary": spec.summary,
        "help_uri": spec.help_uri,
    }


def render_rules(
    registry: Registry,
    fmt: str,
    *,
    enabled: Collection[str] | None = None,
    plugins: Collection[str] = (),
    color: bool = False,
    width: int = 120,
) -> str:
    """The rules table as ``text``, ``json`` or ``markdown`` (the docs site's rule index).

    ``enabled``: the ids a lint run with the current selection would run (default: the rules that
    are on by default). ``plugins``: only the rules of these plugins (default: all).
    """
    rules = [r for r in registry.rules if not plugins or r.plugin in plugins]
    on = {r.id for r in rules if r.enabled} if enabled is None else set(enabled)
    if fmt == "json":
        return json.dumps([_rule_json(r, r.id in on) for r in rules], indent=2) + "\n"
    if fmt == "markdown":
        return rules_markdown(rules, registry)
    buffer = io.StringIO()
    table = Table(header_style="bold", expand=False)
    for col in ("id", "slug", "severity", "clouds", "plugin", "enabled"):
        table.add_column(col, no_wrap=True)
    table.add_column("summary", ratio=1)
    for r in rules:
        table.add_row(r.id, r.slug, r.severity.value, clouds_label(r), r.plugin, "yes" if r.id in on else "no",
                      r.summary)
    _console(buffer, color, width).print(table)
    return buffer.getvalue()


def rule_heading(spec: RuleSpec) -> str:
    """The heading text of a rule's page: ``KP101 `missing-cpu-request```."""
    return f"{spec.id} `{spec.slug}`"


def github_anchor(heading: str) -> str:
    """The ``id`` GitHub gives a Markdown heading (its github-slugger algorithm, without the ``-1``
    suffix of a repeated heading): the text lower-cased; punctuation (but ``-`` and ``_``), symbols
    (so the backticks of inline code), control and format characters and separators (but the space)
    dropped, letters kept whatever their category; each space becomes ``-``.
    ``KP101 `missing-cpu-request``` -> ``kp101-missing-cpu-request``."""
    out = []
    for ch in heading.strip().lower():
        category = unicodedata.category(ch)
        if ch == " ":
            out.append("-")
        elif ch == "-" or ch.isalpha() or category == "Pc" or (category[0] not in "PSCZ" and category != "No"):
            out.append(ch)
    return "".join(out)


def rule_anchor(spec: RuleSpec) -> str:
    """The anchor of the rule's section in ``docs/rules.md`` (rule headings are unique by id)."""
    return github_anchor(rule_heading(spec))


def rule_doc_url(spec: RuleSpec) -> str:
    """Where a person reads the rule's documentation on the web: its own ``help_uri``, else, for a
    built-in rule, its section of ``docs/rules.md`` on GitHub; ``""`` for a plugin rule without one."""
    if spec.help_uri:
        return spec.help_uri
    return f"{RULES_DOC_URL}#{rule_anchor(spec)}" if spec.plugin == "core" else ""


def rules_markdown(rules: list[RuleSpec], registry: Registry) -> str:
    """``docs/rules.md``: an index table, then every rule's page (``explain_markdown``) one level down."""
    lines = [
        "# Rules",
        "",
        "<!-- Generated by `kportable rules --plugin core --format markdown > docs/rules.md`; do not edit. -->",
        "",
        "Every rule, its severity (portability impact), the clouds it concerns (`any`: every cluster) and",
        "whether a plain `kportable lint` runs it. `kportable explain ID` shows the same page in a terminal.",
        "",
        "| id | slug | severity | clouds | on by default | summary |",
        "|---|---|---|---|---|---|",
    ]
    for r in rules:
        summary = r.summary.replace("|", "\\|")
        lines.append(
            f"| [{r.id}](#{rule_anchor(r)}) | `{r.slug}` | {r.severity.value} | {clouds_label(r)} | "
            f"{'yes' if r.enabled else 'no'} | {summary} |"
        )
    for r in rules:
        lines += ["", _demote(explain_markdown(r, registry, for_docs=True)).rstrip()]
    return "\n".join(lines) + "\n"


def _demote(markdown: str) -> str:
    """Every heading one level down (outside code blocks), so a rule page nests under ``# Rules``."""
    out = []
    fenced = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        out.append("#" + line if not fenced and _HEADING.match(line) else line)
    return "\n".join(out) + "\n"


def _clouds_detail(spec: RuleSpec, registry: Registry | None, for_docs: bool) -> str:
    if not spec.clouds:
        return "any (every cluster)"
    if "*" in spec.clouds:
        names = sorted(registry.clouds) if registry is not None and not for_docs else []
        return "every registered profile" + (f" ({', '.join(names)})" if names else "")
    clouds = registry.clouds if registry is not None else {}
    return ", ".join(f"{c} ({clouds[c].name})" if c in clouds else c for c in sorted(spec.clouds))


def _plugin_detail(spec: RuleSpec, registry: Registry | None, for_docs: bool) -> str:
    info = registry.plugin(spec.plugin) if registry is not None else None
    if info is None:
        return spec.plugin or "-"
    return f"{info.name} ({info.distribution}{'' if for_docs else ' ' + info.version})"


def explain_markdown(spec: RuleSpec, registry: Registry | None = None, *, for_docs: bool = False) -> str:
    """The rule's page: a metadata header (never written in the docstring), its docs, its options.

    ``for_docs`` leaves out what depends on the installation (versions, the other plugins'
    profiles), so committed docs stay stable.
    """
    applies = spec.target.value + (f" ({', '.join(sorted(spec.kinds))})" if spec.kinds else "")
    meta = [
        f"# {rule_heading(spec)}",
        "",
        f"- **Severity:** {spec.severity.value}",
        f"- **Clouds:** {_clouds_detail(spec, registry, for_docs)}",
        f"- **Applies to:** {applies}",
        f"- **On by default:** {'yes' if spec.enabled else 'no (select it by id or slug)'}",
        f"- **Plugin:** {_plugin_detail(spec, registry, for_docs)}, since {spec.since}",
    ]
    if spec.aliases:
        meta.append(f"- **Aliases:** {', '.join(spec.aliases)}")
    if spec.help_uri:
        meta.append(f"- **More:** {spec.help_uri}")
    body = spec.docs.strip()
    options = rule_options(spec)
    if options:
        rows = ["", "| option | type | default |", "|---|---|---|"]
        rows += [f"| `{o.name}` | `{o.type}` | `{json.dumps(o.default)}` |" for o in options]
        body = _append_to_section(body, "Options", "\n".join(rows))
    return "\n".join(meta) + "\n\n" + body + "\n"


def _append_to_section(docs: str, heading: str, text: str) -> str:
    """``docs`` with ``text`` added at the end of ``## heading`` (or as a new section at the end)."""
    section = doc_section(docs, heading)
    if not section:
        return f"{docs}\n\n## {heading}\n{text}"
    start = docs.index(section, docs.index(f"## {heading}"))
    end = start + len(section)
    return docs[:end] + "\n" + text + docs[end:]


def render_explain(spec: RuleSpec, registry: Registry | None = None, *, color: bool = False,
                   width: int = 100) -> str:
    """The rule's page rendered for a terminal (rich Markdown: headings, tables, highlighted YAML)."""
    buffer = io.StringIO()
    _console(buffer, color, width).print(Markdown(explain_markdown(spec, registry), code_theme="ansi_dark"))
    return buffer.getvalue()


def _plugin_json(p: PluginInfo) -> dict[str, Any]:
    return {
        "name": p.name, "module": p.module, "distribution": p.distribution, "version": p.version,
        "api": p.api, "rules": list(p.rules), "clouds": list(p.clouds), "formats": list(p.formats),
        "schemas": p.schemas, "errors": list(p.errors),
    }


def render_plugins(registry: Registry, fmt: str = "text", *, color: bool = False, width: int = 120) -> str:
    """Installed plugins: distribution, version, plugin API, what each registers, and every load error."""
    if fmt == "json":
        data: Mapping[str, Any] = {
            "plugins": [_plugin_json(p) for p in registry.plugins],
            "errors": [{"plugin": e.plugin, "message": e.message} for e in registry.errors],
        }
        return json.dumps(data, indent=2) + "\n"
    buffer = io.StringIO()
    table = Table(header_style="bold")
    for col in ("plugin", "distribution", "version", "api"):
        table.add_column(col, no_wrap=True)
    table.add_column("registers", ratio=1)
    table.add_column("status", no_wrap=True)
    for p in registry.plugins:
        table.add_row(p.name, p.distribution, p.version, str(p.api) if p.api is not None else "-",
                      _registers(p), f"{len(p.errors)} error(s)" if p.errors else "ok")
    console = _console(buffer, color, width)
    console.print(table)
    for err in registry.errors:
        console.print(f"error: {err.message}", markup=False, style="bold red" if color else None)
    return buffer.getvalue()


def _registers(p: PluginInfo) -> str:
    parts = []
    if p.rules:
        parts.append(f"{len(p.rules)} rule(s): {', '.join(p.rules)}")
    if p.clouds:
        parts.append(f"cloud profile(s): {', '.join(p.clouds)}")
    if p.formats:
        parts.append(f"format(s): {', '.join(p.formats)}")
    if p.schemas:
        parts.append(f"{p.schemas} schema(s)")
    return "; ".join(parts) or "nothing"


__all__ = [
    "OptionDoc",
    "clouds_label",
    "explain_markdown",
    "render_explain",
    "render_plugins",
    "render_rules",
    "rule_options",
    "rules_markdown",
]
