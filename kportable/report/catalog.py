"""Rendering of the rule catalogue: ``kportable rules``, ``explain`` and ``plugins``."""

from __future__ import annotations

import io
import json

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from ..plugins.manager import Registry
from ..rule import RuleSpec, doc_section


def _console(buffer: io.StringIO, color: bool, width: int = 120) -> Console:
    return Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False,
                   color_system="standard" if color else None)


def clouds_label(spec: RuleSpec) -> str:
    if not spec.clouds:
        return "any"
    if "*" in spec.clouds:
        return "all profiles"
    return ",".join(sorted(spec.clouds))


def render_rules(registry: Registry, fmt: str, *, color: bool = False) -> str:
    """The rules table as text, JSON or Markdown (Markdown is the docs site's rule index)."""
    if fmt == "json":
        data = [
            {
                "id": r.id, "slug": r.slug, "severity": r.severity.value, "category": r.category,
                "target": r.target.value, "clouds": sorted(r.clouds), "enabled": r.enabled,
                "plugin": r.plugin, "summary": r.summary, "aliases": list(r.aliases),
            }
            for r in registry.rules
        ]
        return json.dumps(data, indent=2) + "\n"
    if fmt == "markdown":
        lines = ["| id | slug | severity | clouds | on by default | summary |", "|---|---|---|---|---|---|"]
        for r in registry.rules:
            summary = r.summary.replace("|", "\\|")
            lines.append(
                f"| {r.id} | `{r.slug}` | {r.severity.value} | {clouds_label(r)} | "
                f"{'yes' if r.enabled else 'no'} | {summary} |"
            )
        return "\n".join(lines) + "\n"
    buffer = io.StringIO()
    table = Table(show_lines=False, header_style="bold")
    for col in ("id", "slug", "severity", "clouds", "plugin", "default"):
        table.add_column(col, no_wrap=True)
    table.add_column("summary")
    for r in registry.rules:
        table.add_row(r.id, r.slug, r.severity.value, clouds_label(r), r.plugin, "on" if r.enabled else "off",
                      r.summary)
    _console(buffer, color, 160).print(table)
    for err in registry.errors:
        buffer.write(f"error: {err.message}\n")
    return buffer.getvalue()


def explain_markdown(spec: RuleSpec) -> str:
    """The rule's page: metadata header, then its documentation."""
    meta = [
        f"# {spec.id} `{spec.slug}`",
        "",
        f"**Severity:** {spec.severity.value} · **Clouds:** {clouds_label(spec)} · "
        f"**Category:** {spec.category} · **Applies to:** {spec.target.value}"
        + (f" ({', '.join(sorted(spec.kinds))})" if spec.kinds else "")
        + f" · **On by default:** {'yes' if spec.enabled else 'no'} · **Since:** {spec.since} · "
        f"**Plugin:** {spec.plugin or '-'}",
    ]
    if spec.aliases:
        meta.append(f"**Aliases:** {', '.join(spec.aliases)}")
    return "\n".join(meta) + "\n\n" + spec.docs.strip() + "\n"


def render_explain(spec: RuleSpec, *, color: bool = False) -> str:
    buffer = io.StringIO()
    _console(buffer, color, 100).print(Markdown(explain_markdown(spec)))
    return buffer.getvalue()


def render_plugins(registry: Registry, *, color: bool = False) -> str:
    buffer = io.StringIO()
    table = Table(header_style="bold")
    for col in ("plugin", "distribution", "version", "rules", "clouds", "formats", "schemas", "status"):
        table.add_column(col)
    for p in registry.plugins:
        table.add_row(
            p.name, p.distribution, p.version, str(len(p.rules)), ", ".join(p.clouds) or "-",
            ", ".join(p.formats) or "-", str(p.schemas), "error" if p.errors else "ok",
        )
    console = _console(buffer, color, 140)
    console.print(table)
    for err in registry.errors:
        console.print(f"error: {err.message}", markup=False)
    return buffer.getvalue()


__all__ = ["doc_section", "explain_markdown", "render_explain", "render_plugins", "render_rules"]
