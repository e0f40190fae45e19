#!/usr/bin/env python3
"""Start-up cost of the pre-commit case: ``kportable lint one-file.yaml``, and ``kportable --version``.

Runs each command ``--runs`` times in fresh interpreters and prints the best and median wall
time, then the modules with the largest cumulative import time (``python -X importtime``, best
of the runs for each module), so a slow new import shows up by name. Bytecode caching is left on
(``PYTHONDONTWRITEBYTECODE`` is dropped for the children), as in an installed kportable: the
first run writes the ``.pyc`` files, the best of the others is what a user sees.

    python benchmarks/startup.py [--runs 7] [--top 15]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ONE_FILE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
"""
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(cmd: list[str], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def import_times(cmd: list[str], runs: int) -> dict[str, tuple[int, int, int]]:
    """module -> (best self us, best cumulative us, nesting level) over the runs."""
    best: dict[str, tuple[int, int, int]] = {}
    for _ in range(runs):
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=ENV)
        for match in LINE.finditer(proc.stderr):
            own, cumulative, indent, name = int(match[1]), int(match[2]), len(match[3]), match[4]
            old = best.get(name)
            level = (indent - 1) // 2
            best[name] = (own, cumulative, level) if old is None else (min(old[0], own), min(old[1], cumulative), level)
    return best


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "deployment.yaml"
        target.write_text(ONE_FILE)
        commands = {
            "kportable --version": [python, "-m", "kportable", "--version"],
            "kportable lint one-file.yaml (text)": [python, "-m", "kportable", "lint", str(target)],
            "kportable lint one-file.yaml -f json": [python, "-m", "kportable", "lint", str(target), "-f", "json"],
            "python -c pass (interpreter floor)": [python, "-c", "pass"],
        }
        print(f"wall time, {args.runs} runs each (best / median):")
        for label, cmd in commands.items():
            best, median = wall(cmd, args.runs)
            print(f"  {label:<40} {best * 1000:6.0f} ms / {median * 1000:6.0f} ms")
        for label in ("kportable lint one-file.yaml (text)", "kportable lint one-file.yaml -f json"):
            cmd = commands[label]
            times = import_times([cmd[0], "-X", "importtime", *cmd[1:]], args.runs)
            total = sum(own for own, _, _ in times.values())
            print(f"\nimports of `{label}`: {len(times)} modules, {total / 1000:.0f} ms in total (best of "
                  f"{args.runs}); top {args.top} by cumulative time:")
            top_level = sorted(times.items(), key=lambda kv: -kv[1][1])[: args.top]
            for name, (own, cumulative, level) in top_level:
                print(f"  {cumulative / 1000:7.1f} ms cumulative {own / 1000:6.1f} ms self  {'  ' * level}{name}")
            heavy = [n for n in ("rich", "jsonschema", "kubernetes_validate", "ruamel.yaml", "multiprocessing",
                                 "concurrent.futures") if n in times]
            print(f"  heavy optional modules loaded: {', '.join(heavy) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
