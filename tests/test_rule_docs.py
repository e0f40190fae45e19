"""Meta-tests: every built-in rule has complete docs whose examples run, and a case file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kportable.plugins.manager import get_registry
from kportable.rule import doc_section
from kportable.testing import lint_text, load_cases

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rules"
REQUIRED = ("What it does", "Why is this bad?", "Example", "Use instead")
ORDER = ("What it does", "Why is this bad?", "Known problems", "Example", "Use instead", "Options", "References")
RULES = [r for r in get_registry().rules if r.plugin == "core"]
IDS = [r.id for r in RULES]


CONFIG_MARK = "# .kportable.yaml\n"


def yaml_blocks(section: str) -> list[str]:
    """The manifests of a section (a block starting ``# .kportable.yaml`` is its config, not a manifest)."""
    return [b for b in re.findall(r"```yaml\n(.*?)```", section, re.S) if not b.startswith(CONFIG_MARK)]


def config_block(section: str) -> str | None:
    """The ``.kportable.yaml`` a section's manifests are linted with, when it shows one."""
    found = [b for b in re.findall(r"```yaml\n(.*?)```", section, re.S) if b.startswith(CONFIG_MARK)]
    return found[0] if found else None


def test_registry_loads_without_errors():
    assert get_registry().errors == ()
    assert len(RULES) >= 8


@pytest.mark.parametrize("spec", RULES, ids=IDS)
def test_docs_have_required_headings_in_order(spec):
    headings = re.findall(r"^## (.+?)\s*$", spec.docs, re.M)
    for required in REQUIRED:
        assert required in headings, f"{spec.id}: missing '## {required}'"
    known = [h for h in headings if h in ORDER]
    assert headings == known, f"{spec.id}: unknown headings {set(headings) - set(ORDER)}"
    for name in ("id", "severity"):
        assert f"{name}:" not in doc_section(spec.docs, "What it does").lower()


@pytest.mark.parametrize("spec", RULES, ids=IDS)
def test_example_is_flagged(spec):
    blocks = yaml_blocks(doc_section(spec.docs, "Example"))
    if not blocks:
        # input rules whose trigger cannot be written as YAML (binary files) show a text block
        assert "```text" in doc_section(spec.docs, "Example"), f"{spec.id}: no example block"
        return
    config = config_block(doc_section(spec.docs, "Example"))
    for block in blocks:
        result = lint_text(block, rule=spec.id, config=config)
        assert any(f.rule_id == spec.id for f in result.active), f"{spec.id}: ## Example produced no finding"


@pytest.mark.parametrize("spec", RULES, ids=IDS)
def test_use_instead_is_clean(spec):
    blocks = yaml_blocks(doc_section(spec.docs, "Use instead"))
    assert blocks, f"{spec.id}: ## Use instead has no yaml block"
    config = config_block(doc_section(spec.docs, "Use instead"))
    for block in blocks:
        yaml.safe_load_all(block)
        result = lint_text(block, rule=spec.id, config=config)
        flagged = [f.message for f in result.findings if f.rule_id == spec.id]
        assert not flagged, f"{spec.id}: ## Use instead was flagged: {flagged}"


@pytest.mark.parametrize("spec", RULES, ids=IDS)
def test_options_section_matches_dataclass(spec):
    import dataclasses

    fields = {f.name.replace("_", "-") for f in dataclasses.fields(spec.options)}
    documented = set(re.findall(r"^- `([a-z0-9-]+)`", doc_section(spec.docs, "Options"), re.M))
    assert documented == fields, f"{spec.id}: ## Options lists {documented}, options dataclass has {fields}"


@pytest.mark.parametrize("spec", RULES, ids=IDS)
def test_every_rule_has_pass_and_fail_cases(spec):
    path = FIXTURES / f"{spec.id}.yml"
    assert path.is_file(), f"missing case file {path}"
    cases = load_cases(path)
    assert any(c.should_fail for c in cases), f"{spec.id}: no fail case"
    assert any(not c.should_fail for c in cases), f"{spec.id}: no pass case"


def test_every_case_file_names_a_registered_rule():
    ids = {r.id for r in get_registry().rules}
    for path in FIXTURES.glob("*.yml"):
        assert load_cases(path)[0].rule in ids, path
