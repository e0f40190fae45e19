"""Build kportable's wheel and install it into a fresh virtual environment, once per test session.

Used by ``test_packaging.py`` and ``test_plugin_tutorial.py`` (both ``slow``). The wheel is built
from a copy of the source tree, so stale ``build/`` directories of a developer's checkout can
neither leak into it nor hide a file missing from the package list.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_IGNORE = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
                                 ".hypothesis", "benchmarks")
_MEMO: dict[str, Path] = {}


def run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``; fail the test with its output unless it exits with a code in ``ok``."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode not in ok:
        pytest.fail(f"{' '.join(cmd)} exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}",
                    pytrace=False)
    return proc


def clean_env(venv_dir: Path | None = None) -> dict[str, str]:
    """The environment without pytest's and Python's variables, with ``venv_dir`` first on PATH."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "PYTHON")) and k not in ("VIRTUAL_ENV", "COV_CORE_SOURCE")}
    if venv_dir is not None:
        env["PATH"] = f"{venv_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv_dir)
    return env


def kportable_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """kportable's wheel, built with ``python -m build --wheel`` from a copy of the source tree."""
    if "wheel" not in _MEMO:
        work = tmp_path_factory.mktemp("kportable-wheel")
        source = work / "src"
        shutil.copytree(ROOT, source, ignore=_IGNORE)
        run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(source)],
            env=clean_env())
        [wheel] = (work / "dist").glob("kportable-*.whl")
        _MEMO["wheel"] = wheel
    return _MEMO["wheel"]


def kportable_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with kportable's wheel (and its dependencies) installed."""
    if "venv" not in _MEMO:
        wheel = kportable_wheel(tmp_path_factory)
        target = tmp_path_factory.mktemp("kportable-venv") / "venv"
        venv.create(target, with_pip=True)
        run([str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], env=clean_env())
        _MEMO["venv"] = target
    return _MEMO["venv"]
