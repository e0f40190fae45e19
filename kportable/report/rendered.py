"""Text-report sections for rendered input: kustomize builds and the values-profile comparison.

Read from ``RunResult.extras`` (``kustomize``, ``profiles``; see ``kportable.render``), so the
text report shows what the JSON report carries, and nothing when the input was plain.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rich.text import Text

from .common import plural

SHOWN_BUILDS = 3  # a repository of overlays builds dozens: the summary names a few, the JSON report all


def _first_few(names: Sequence[str], after_more: str = "") -> str:
    """``a, b, c and 4 more`` (the first ``SHOWN_BUILDS`` names; ``after_more`` follows the count)."""
    shown = ", ".join(names[:SHOWN_BUILDS])
    return shown + (f" and {len(names) - SHOWN_BUILDS} more{after_more}" if len(names) > SHOWN_BUILDS else "")


def kustomize_lines(data: Mapping[str, Any]) -> Iterator[Text]:
    builds = list(data.get("builds", ()))
    skipped = int(data.get("kustomization_files_skipped", 0))
    parts = []
    if builds:
        shown = _first_few(builds, "; the JSON report lists them all")
        parts.append(f"built {plural(len(builds), 'kustomization')} ({shown})")
    if skipped:
        parts.append(f"{plural(skipped, 'kustomization file')} skipped (kustomize configuration, not objects)")
    if parts:
        yield Text("kustomize: " + "; ".join(parts) + ".", style="dim")


def helm_lines(data: Mapping[str, Any]) -> Iterator[Text]:
    """Only what a reader must act on: charts found while walking that nothing could render."""
    skipped = list(data.get("not_rendered", ()))
    if skipped:
        shown = _first_few(skipped)
        yield Text(f"helm: {plural(len(skipped), 'chart')} found while walking not rendered ({shown}): no `helm` "
                   "on PATH and helm-python-sdk is not installed, so their templates were skipped (KP030). "
                   "Install either (pip install 'kportable[helm]') to lint what they render.", style="yellow")


def _render_line(name: str, entry: Mapping[str, Any] | None, width: int) -> Text:
    line = Text(f"    {name:<{width}}  ")
    if entry is None:
        line.append("not in this render", style="dim")
        return line
    clouds: Mapping[str, list[str]] = entry.get("clouds", {})
    if clouds:
        ties = "; ".join(f"{cloud}: {', '.join(ids)}" for cloud, ids in clouds.items())
        line.append("tied to ")
        line.append(ties, style="blue")
    else:
        line.append("no cloud tie", style="green")
    line.append(f"  ({plural(int(entry.get('findings', 0)), 'finding')})", style="dim")
    return line


def profile_lines(rows: list[Mapping[str, Any]]) -> Iterator[Text]:
    if not rows:
        return
    names = list(rows[0]["renders"])
    width = max(len(n) for n in names)
    differing = sum(1 for r in rows if r["differs"])
    head = Text("Values profiles", style="bold underline")
    head.append(f": {', '.join(names)}; {plural(len(rows), 'workload')}, {differing} tied differently across renders")
    yield head
    for row in rows:
        title = Text(f"  {row['kind']} {row['namespace']}/{row['name']}", style="bold" if row["differs"] else "")
        yield title
        for name in names:
            yield _render_line(name, row["renders"].get(name), width)


def sections(extras: Mapping[str, Any], quiet: bool) -> Iterator[Text]:
    """Every rendered-input section the result carries, in a fixed order (empty for plain input)."""
    if quiet:
        return
    if "profiles" in extras:
        yield from profile_lines(extras["profiles"])
        yield Text("")
    if "helm" in extras:
        yield from helm_lines(extras["helm"])
    if "kustomize" in extras:
        yield from kustomize_lines(extras["kustomize"])
