"""``docs/plugins.md`` works as written: follow the tutorial verbatim in an empty directory.

Every ``<!-- file: PATH -->`` block is written to PATH, every ``sh`` block is run line by line
(``cd`` moves on) in a fresh virtual environment where kportable's wheel is installed, and the
finding lines of a block's ``<!-- output -->`` are compared with what it printed. The files must
also be exactly the files of ``examples/kportable-acme-rules/``, so the tutorial and the example
plugin that CI tests cannot drift apart.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field

import pytest
from wheel_env import ROOT, clean_env, kportable_venv

DOC = ROOT / "docs" / "plugins.md"
EXAMPLE = ROOT / "examples" / "kportable-acme-rules"
FINDING_LINE = re.compile(r"^\S+:\d+:\d+\s+[A-Z]+[0-9]{3}\s")
FENCE = re.compile(r"^```(\w*)\s*$")


@dataclass
class Step:
    kind: str  # "file" or "sh"
    path: str = ""
    text: str = ""
    commands: list[str] = field(default_factory=list)
    expected_output: str | None = None


def parse_tutorial(doc: str) -> list[Step]:
    """The files and shell blocks of the tutorial, in reading order (the reference part is skipped)."""
    steps: list[Step] = []
    lines = doc.split("## Reference", 1)[0].splitlines()
    pending_file: str | None = None
    pending_output = False
    i = 0
    while i < len(lines):
        line = lines[i]
        marker = re.match(r"^<!-- file: (\S+) -->$", line)
        if marker:
            pending_file = marker.group(1)
        elif line.strip() == "<!-- output -->":
            pending_output = True
        fence = FENCE.match(line)
        if fence:
            body = []
            i += 1
            while not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            text = "\n".join(body) + ("\n" if body else "")
            if pending_file is not None:
                steps.append(Step("file", path=pending_file, text=text))
                pending_file = None
            elif pending_output:
                sh = [s for s in steps if s.kind == "sh"]
                assert sh, "an <!-- output --> block must follow a sh block"
                sh[-1].expected_output = text
                pending_output = False
            elif fence.group(1) == "sh":
                steps.append(Step("sh", commands=[c for c in body if c.strip()]))
        i += 1
    return steps


STEPS = parse_tutorial(DOC.read_text(encoding="utf-8"))


def test_the_tutorial_shows_exactly_the_example_plugin():
    shown = {s.path: s.text for s in STEPS if s.kind == "file"}
    example = {p.relative_to(EXAMPLE).as_posix(): p.read_text(encoding="utf-8")
               for p in EXAMPLE.rglob("*")
               if p.is_file() and p.name != "README.md" and "__pycache__" not in p.parts
               and not any(part.startswith(".") or part.endswith(".egg-info") for part in p.parts)
               and "build" not in p.relative_to(EXAMPLE).parts}
    assert sorted(shown) == sorted(example), "docs/plugins.md and examples/kportable-acme-rules/ list different files"
    for path, text in shown.items():
        assert text == example[path], f"docs/plugins.md shows a different {path} than examples/kportable-acme-rules/"


def test_the_tutorial_has_the_steps_a_test_can_follow():
    commands = [c for s in STEPS if s.kind == "sh" for c in s.commands]
    assert commands[0] == "mkdir kportable-acme-rules"
    assert any(c.startswith("python -m pytest") for c in commands)
    assert any(c.startswith("python -m pip wheel") for c in commands)
    assert any(s.expected_output for s in STEPS if s.kind == "sh")


@pytest.mark.slow
def test_follow_the_tutorial_verbatim(tmp_path_factory, tmp_path):
    venv = kportable_venv(tmp_path_factory)
    env = clean_env(venv)
    cwd = tmp_path
    outputs: list[tuple[Step, str]] = []
    for step in STEPS:
        if step.kind == "file":
            target = cwd / step.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(step.text, encoding="utf-8")
            continue
        printed = []
        for command in step.commands:
            if command.startswith("cd "):
                cwd = (cwd / command[3:].strip()).resolve()
                continue
            proc = subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, check=False)
            allowed = (0, 1) if command.startswith("kportable lint") else (0,)  # lint exits 1 on findings
            assert proc.returncode in allowed, (
                f"`{command}` exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
            printed.append(proc.stdout)
        outputs.append((step, "".join(printed)))

    for step, printed in outputs:
        if step.expected_output is None:
            continue
        expected = [ln for ln in step.expected_output.splitlines() if FINDING_LINE.match(ln)]
        actual = [ln.rstrip() for ln in printed.splitlines() if FINDING_LINE.match(ln)]
        assert expected, "the <!-- output --> block shows no finding line"
        assert actual == expected, "the findings differ from the ones docs/plugins.md shows"

    pytest_run = next(p for s, p in outputs if any(c.startswith("python -m pytest") for c in s.commands))
    assert re.search(r"\b\d+ passed\b", pytest_run)
    assert "failed" not in pytest_run
    plugins_run = next(p for s, p in outputs if "kportable plugins" in s.commands)
    assert "kportable-acme-rules" in plugins_run
    assert "ACME101, ACME201" in plugins_run
    published = json.loads(next(p for s, p in outputs if any("--plugin acme" in c for c in s.commands)))
    assert [r["id"] for r in published] == ["ACME101", "ACME201"]
    wheel = cwd / "dist" / "kportable_acme_rules-0.1.0-py3-none-any.whl"
    assert wheel.is_file()
