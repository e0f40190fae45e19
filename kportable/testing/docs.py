"""Rule documentation is tested: its shape, and its examples, which are run through the rule.

``assert_rule_docs(spec)`` is what kportable's own ``tests/test_rule_docs.py`` runs for every
built-in rule, and what a plugin's suite runs for its rules (the ``kportable_rule`` fixture of
the pytest plugin): an ``## Example`` that the rule does not flag, or a ``## Use instead`` that it
does, is a failing test, so the docs cannot drift from the code.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import yaml

from ..rule import doc_section

if TYPE_CHECKING:
    from ..rule import RuleSpec

REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
SECTION_ORDER = ("What it does", "Why is this bad?", "Known problems", "Example", "Use instead", "Options",
                 "References")
_HEADING = re.compile(r"^## (.+?)\s*$", re.M)
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
_OPTION = re.compile(r"^- `([a-z0-9-]+)`", re.M)


def code_blocks(section: str, language: str = "yaml") -> list[str]:
    """The fenced code blocks of ``section`` written in ``language``."""
    return [body for lang, body in _FENCE.findall(section) if lang == language]


def doc_problems(spec: RuleSpec, *, plugins: Sequence[object] = ()) -> list[str]:
    """Everything wrong with ``spec``'s documentation (empty when it is complete and its examples hold)."""
    problems = _shape_problems(spec)
    problems += _example_problems(spec, plugins)
    problems += _options_problems(spec)
    return problems


def _shape_problems(spec: RuleSpec) -> list[str]:
    headings = _HEADING.findall(spec.docs)
    problems = [f"missing section '## {s}'" for s in REQUIRED_SECTIONS if s not in headings]
    unknown = [h for h in headings if h not in SECTION_ORDER]
    if unknown:
        problems.append(f"unknown section(s) {unknown}; sections are {list(SECTION_ORDER)}")
    known = [h for h in headings if h in SECTION_ORDER]
    fixed = [h for h in known if h != "Known problems"]  # may sit anywhere after "Why is this bad?"
    if fixed != sorted(fixed, key=SECTION_ORDER.index) or (
        "Known problems" in known and "Why is this bad?" in known
        and known.index("Known problems") < known.index("Why is this bad?")
    ):
        problems.append(f"sections are out of order: {known}; the order is {list(SECTION_ORDER)}")
    if len(set(known)) != len(known):
        problems.append(f"a section appears twice: {known}")
    what = doc_section(spec.docs, "What it does").lower()
    for word in ("id:", "severity:"):
        if word in what:
            problems.append(f"'## What it does' states the {word[:-1]}; it is rendered from the metadata")
    return problems


CONFIG_MARK = "# .kportable.yaml\n"


def config_block(section: str) -> str | None:
    """The ``.kportable.yaml`` a section's manifests are linted with: a ``yaml`` block starting
    with the line ``# .kportable.yaml`` (used by rules about suppressions and exemptions)."""
    found = [b for b in code_blocks(section) if b.startswith(CONFIG_MARK)]
    return found[0] if found else None


def _example_problems(spec: RuleSpec, plugins: Sequence[object]) -> list[str]:
    from .assertions import lint_text

    problems = []
    example = doc_section(spec.docs, "Example")
    config = config_block(example)
    blocks = [b for b in code_blocks(example) if not b.startswith(CONFIG_MARK)]
    if not blocks and not code_blocks(example, "text"):
        # a rule whose trigger is not YAML (a binary file) shows a ```text block instead
        problems.append("'## Example' has no ```yaml block")
    for n, block in enumerate(blocks, 1):
        result = lint_text(block, rule=spec.id, plugins=plugins, config=config)
        if not any(f.rule_id == spec.id for f in result.active):
            problems.append(f"'## Example' block {n} is not flagged by {spec.id}")
    instead_section = doc_section(spec.docs, "Use instead")
    instead_config = config_block(instead_section)
    instead = [b for b in code_blocks(instead_section) if not b.startswith(CONFIG_MARK)]
    if not instead:
        problems.append("'## Use instead' has no ```yaml block")
    for n, block in enumerate(instead, 1):
        try:
            list(yaml.safe_load_all(block))
        except yaml.YAMLError as exc:
            problems.append(f"'## Use instead' block {n} is not valid YAML: {' '.join(str(exc).split())}")
            continue
        result = lint_text(block, rule=spec.id, plugins=plugins, config=instead_config)
        flagged = [f"line {f.location.line}: {f.message}" for f in result.findings if f.rule_id == spec.id]
        if flagged:
            problems.append(f"'## Use instead' block {n} is flagged by {spec.id}: {flagged}")
    return problems


def _options_problems(spec: RuleSpec) -> list[str]:
    fields = {f.name.replace("_", "-") for f in dataclasses.fields(spec.options)}
    documented = set(_OPTION.findall(doc_section(spec.docs, "Options")))
    if documented == fields:
        return []
    return [
        f"'## Options' documents {sorted(documented)} but the options dataclass "
        f"{spec.options.__name__} has {sorted(fields)} (one ``- `name`: ...`` bullet per field, kebab-case)"
    ]


def assert_rule_docs(spec: RuleSpec, *, plugins: Sequence[object] = ()) -> None:
    """Fail, listing every problem, unless ``spec``'s docs are complete and their examples hold.

    Checked: the sections ``## What it does``, ``## Why is this bad?``, ``## Example`` and
    ``## Use instead`` exist, no unknown section, the documented order; every ``yaml`` code block
    of ``## Example`` is flagged by the rule, and every one of ``## Use instead`` parses and is
    not; ``## Options`` has one bullet per field of the options dataclass.
    """
    problems = doc_problems(spec, plugins=plugins)
    if problems:
        raise AssertionError(f"{spec.id} ({spec.slug}) documentation:\n  " + "\n  ".join(problems))
