"""README.md shows real output: the example findings, the finding block and the score matrix are
what kportable prints for the demo today, so the user guide cannot drift from the tool."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from kportable.api import RunOptions, run
from kportable.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
OLD_INGRESS = b"""\
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  backend: {serviceName: web, servicePort: 80}
"""


def block_after(marker: str) -> str:
    """The body of the first fenced block after ``marker``."""
    rest = README.split(marker, 1)[1]
    return rest.split("```", 2)[1].split("\n", 1)[1]


def test_the_first_two_commands_are_the_install_and_the_test_command():
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    assert blocks[0].strip() == (
        "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/kportable lint fixtures/demo")
    assert blocks[1].strip() == (
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test,helm]' && .venv/bin/python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[1].strip() in ci


def test_example_findings_are_real_messages(monkeypatch):
    monkeypatch.chdir(ROOT)
    demo = {f.message for f in run(RunOptions(paths=("fixtures/demo",))).findings}
    table = README.split("## What it finds", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"^\|[^|]+\|[^|]+\| `(.*)` \|$", table, re.M)
    assert len(examples) == 9
    old_api = {f.message for f in run(RunOptions(inputs=(("ingress.yaml", OLD_INGRESS),))).findings}
    assert examples[0] in old_api
    for message in examples[1:]:
        assert message in demo, message


def test_finding_block_and_score_matrix_are_what_kportable_prints(monkeypatch):
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    lint = runner.invoke(main, ["lint", "fixtures/demo", "--no-color"], terminal_width=400).output
    shown = block_after("alternative, and scores every workload per cloud.").strip("\n")
    assert shown in lint
    score = runner.invoke(main, ["score", "fixtures/demo", "--no-color"]).output
    assert block_after("`kportable score`:").removeprefix("$ kportable score fixtures/demo\n") == score
