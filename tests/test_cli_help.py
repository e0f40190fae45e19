"""Every command's --help explains itself: grouped options, examples that parse, exit codes.
And ``kportable explain`` works for every registered rule."""

from __future__ import annotations

import shlex

import click
import pytest
from click.testing import CliRunner

from kportable.cli import main
from kportable.plugins.manager import get_registry

COMMANDS = sorted(main.commands)


def help_of(*command: str) -> str:
    result = CliRunner().invoke(main, [*command, "--help"], terminal_width=120)
    assert result.exit_code == 0, result.output
    return result.output


def examples(text: str) -> list[list[str]]:
    """The ``kportable ...`` command lines of a help's Examples section (after a pipe, if any)."""
    section = text.split("Examples:", 1)[1].split("Exit codes:", 1)[0]
    out = []
    for line in section.splitlines():
        command = line.split("|")[-1].strip()
        if command.startswith("kportable "):
            words = shlex.split(command.split("  ")[0])  # two spaces start the comment column
            out.append(words[1:])
    return out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_examples_and_exit_codes(command):
    text = help_of(command)
    assert "Examples:" in text
    assert "Exit codes:" in text
    assert "  0  " in text.split("Exit codes:", 1)[1]
    lines = examples(text)
    assert lines, f"{command}: no `kportable ...` example"


@pytest.mark.parametrize("command", COMMANDS)
def test_examples_use_options_that_exist(command, tmp_path, monkeypatch):
    """Each example parses (unknown options, bad values and missing arguments fail), so they cannot drift."""
    monkeypatch.chdir(tmp_path)
    for words in examples(help_of(command)):
        for word in words:
            if word.endswith("/"):
                (tmp_path / word).mkdir(parents=True, exist_ok=True)  # directories an option requires to exist
        sub = main.commands[words[0]]
        with sub.make_context(words[0], words[1:], parent=click.Context(main)) as ctx:
            assert ctx.command is sub


def test_lint_options_are_grouped():
    text = help_of("lint")
    headings = [line[:-1] for line in text.splitlines() if line and not line.startswith(" ") and line.endswith(":")]
    assert headings == ["Input", "Helm and kustomize", "Rules and targets", "When to fail (exit 1)", "Output",
                        "Configuration and help"]
    assert "Other options" not in text
    for option in ("--select", "--fail-on", "--chart-dir", "--baseline", "--format", "--config", "--help",
                   "-f, --values", "--set", "--set-string", "--release", "--values-profile", "--helm-backend",
                   "--helm-bin"):
        assert option in text


def test_the_group_help_lists_every_command():
    text = help_of()
    for command in COMMANDS:
        assert f"  {command} " in text


@pytest.mark.parametrize("rule_id", sorted(s.id for s in get_registry().rules))
def test_explain_works_for_every_registered_rule(rule_id):
    for fmt in ("text", "markdown"):
        result = CliRunner().invoke(main, ["explain", rule_id, "-f", fmt])
        assert result.exit_code == 0, result.output
        assert rule_id in result.output
        assert "What it does" in result.output
