"""Throwaway plugin distributions for tests: real ``.dist-info`` entry points on a temporary path.

``make_dist`` writes modules plus a ``NAME-VERSION.dist-info`` with ``METADATA`` and
``entry_points.txt`` into a directory; with that directory on ``sys.path`` (or ``PYTHONPATH``
for a subprocess), ``importlib.metadata`` finds the distribution and kportable loads its
entry points exactly as it loads an installed wheel's.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

RULE_HEADER = '''
from kportable import Severity, Target, hookimpl, rule
'''


def make_dist(
    root: Path,
    name: str,
    *,
    version: str = "1.0.0",
    entry_points: Mapping[str, str],
    files: Mapping[str, str],
    group: str = "kportable",
) -> Path:
    """Write the distribution ``name`` (modules ``files``, entry points ``entry_points``) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    lines = [f"[{group}]", *(f"{k} = {v}" for k, v in entry_points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def rule_module(rule_id: str, slug: str, body: str = "    return iter(())", *, api: object = 1,
                extra: str = "") -> str:
    """A plugin module with one resource rule ``rule_id`` on Pods whose check runs ``body``."""
    api_line = "" if api is None else f"KPORTABLE_PLUGIN_API = {api!r}\n"
    return (
        f"{RULE_HEADER}\n{api_line}\n"
        f"@rule({rule_id!r}, {slug!r}, Severity.MINOR, target=Target.RESOURCE, kinds={{'Pod'}})\n"
        f"def check(res, ctx):\n"
        f'    """\n    ## What it does\n    Test rule.\n    """\n'
        f"{body}\n\n"
        f"@hookimpl\ndef kportable_rules():\n    return [check]\n{textwrap.dedent(extra)}"
    )
