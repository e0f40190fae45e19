"""The committed docs are generated from the code and must not be stale; the hook specs are the reference."""

from __future__ import annotations

import inspect
import re

import pytest
from wheel_env import ROOT

from kportable.plugins.hookspecs import KportableSpec
from kportable.plugins.manager import HOOKS, get_registry, hook_docs
from kportable.plugins.reference import END, START, main, render_reference, replace_reference
from kportable.report.catalog import github_anchor, render_rules, rule_anchor

PLUGINS_MD = ROOT / "docs" / "plugins.md"
RULES_MD = ROOT / "docs" / "rules.md"


def test_plugins_md_reference_is_fresh():
    text = PLUGINS_MD.read_text(encoding="utf-8")
    fresh = replace_reference(text, render_reference())
    assert text == fresh, "docs/plugins.md is stale: run `python -m kportable.plugins.reference docs/plugins.md`"


def test_rules_md_is_fresh():
    fresh = render_rules(get_registry(), "markdown", plugins=["core"])
    assert RULES_MD.read_text(encoding="utf-8") == fresh, (
        "docs/rules.md is stale: run `kportable rules --plugin core --format markdown > docs/rules.md`"
    )


def heading_ids(markdown: str) -> list[str]:
    """The ``id`` of every heading GitHub renders from ``markdown`` (code blocks skipped, and a
    repeated heading suffixed ``-1``, ``-2``... as github-slugger does)."""
    ids: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        match = re.match(r"^#{1,6} (.*?)\s*#*\s*$", line)
        if fenced or not match:
            continue
        slug = base = github_anchor(match.group(1))
        n = 0
        while slug in ids:
            n += 1
            slug = f"{base}-{n}"
        ids.append(slug)
    return ids


@pytest.mark.parametrize(("heading", "anchor"), [
    # github-slugger's own fixtures, and the shape of our rule headings
    ("KP101 `missing-cpu-request`", "kp101-missing-cpu-request"),
    ("heading with a - dash", "heading-with-a---dash"),
    ("heading with an _ underscore", "heading-with-an-_-underscore"),
    ("heading with a period.txt", "heading-with-a-periodtxt"),
    ("exchange.bind_headers(exchange, routing [, bindCallback])", "exchangebind_headersexchange-routing--bindcallback"),
    ("apostrophe’s should be trimmed", "apostrophes-should-be-trimmed"),
    ("I ♥ unicode", "i--unicode"),
    ("en–dash", "endash"),
    ("😄 - an emoji", "---an-emoji"),
    ("Привет non-latin 你好", "привет-non-latin-你好"),
    ("Changes to ../shared/DESIGN.md and why", "changes-to-shareddesignmd-and-why"),
])
def test_github_anchor_follows_github_slugger(heading, anchor):
    assert github_anchor(heading) == anchor


def test_rules_md_links_every_core_rule_to_its_page():
    text = RULES_MD.read_text(encoding="utf-8")
    ids = heading_ids(text)
    for spec in (r for r in get_registry().rules if r.plugin == "core"):
        assert f"## {spec.id} `{spec.slug}`" in text
        assert rule_anchor(spec) in ids, f"{spec.id}: no heading of docs/rules.md has the id {rule_anchor(spec)}"
        assert f"](#{rule_anchor(spec)})" in text
    for link in re.findall(r"\]\(#([^)]+)\)", text):
        assert link in ids, f"docs/rules.md links to #{link}, which no heading defines"


@pytest.mark.parametrize(("name", "signature", "doc"), hook_docs(), ids=HOOKS)
def test_every_hook_spec_is_documented_like_pytests(name, signature, doc):
    """Summary, what it returns, how results merge, how conflicts resolve, the API version that added it."""
    assert name.startswith("kportable_")
    assert signature.startswith(f"{name}() -> Sequence[")
    summary = doc.splitlines()[0]
    assert summary.endswith("."), f"{name}: the first line is a one-sentence summary"
    for part in (":returns:", "**Merging.**", "**Conflicts.**"):
        assert part in doc, f"{name}: the docstring has no {part}"
    assert re.search(r"^Added in plugin API \d+\.$", doc, re.M), f"{name}: say which plugin API added it"
    assert f"#### `{name}`" in PLUGINS_MD.read_text(encoding="utf-8")


def test_hook_specs_take_no_arguments_and_are_abstract():
    for name in HOOKS:
        fn = vars(KportableSpec)[name]
        assert list(inspect.signature(fn).parameters) == ["self"]
        assert getattr(fn, "__isabstractmethod__", False)


def test_reference_check_mode(tmp_path, capsys):
    stale = tmp_path / "plugins.md"
    stale.write_text(f"intro\n{START}\nold\n{END}\noutro\n", encoding="utf-8")
    assert main([str(stale), "--check"]) == 1
    assert "is stale" in capsys.readouterr().err
    assert main([str(stale)]) == 0
    assert main([str(stale), "--check"]) == 0
    text = stale.read_text(encoding="utf-8")
    assert text.startswith("intro\n")
    assert text.endswith("outro\n")
    assert "#### `kportable_rules`" in text


def test_reference_needs_its_markers(tmp_path):
    with pytest.raises(ValueError, match="must contain the markers"):
        replace_reference("no markers here", render_reference())
