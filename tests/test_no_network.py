"""kportable never uses the network at run time.

Every way out (socket creation for IP families, connect, DNS lookups, ``create_connection``) is
made to raise *and* to record the attempt, so a caller that swallows the error still fails the
test. The whole CLI runs under the block: ``lint`` in every output format on the real corpus,
the fixtures and the demo bundle, and ``rules``, ``explain``, ``plugins``, ``formats``; a fresh
interpreter is checked too, with the block in place before kportable is even imported.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kportable.cli import main
from kportable.plugins.manager import get_registry

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DEMO = FIXTURES / "demo"

GUARD = '''
import socket
attempts = []
def _blocked(*args, **kwargs):
    attempts.append(args)
    raise OSError("network access blocked by test_no_network")
_real_socket = socket.socket
class _GuardedSocket(_real_socket):
    def __init__(self, family=socket.AF_INET, *args, **kwargs):
        if family in (socket.AF_INET, socket.AF_INET6):
            _blocked(family)
        super().__init__(family, *args, **kwargs)
    connect = connect_ex = sendto = _blocked
socket.socket = _GuardedSocket
socket.create_connection = socket.getaddrinfo = socket.gethostbyname = _blocked
'''


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    yield from guarded(monkeypatch)


def guarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Install the guards, yield the list of attempts, then fail if it is not empty."""
    attempts: list[object] = []

    def blocked(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access blocked by test_no_network")

    real_socket = socket.socket

    class GuardedSocket(real_socket):
        def __init__(self, family: int = socket.AF_INET, *args: object, **kwargs: object) -> None:
            if family in (socket.AF_INET, socket.AF_INET6):
                blocked(family)
            super().__init__(family, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(GuardedSocket, "connect", blocked)
    monkeypatch.setattr(GuardedSocket, "connect_ex", blocked)
    monkeypatch.setattr(socket, "socket", GuardedSocket)
    for name in ("create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, blocked)
    yield attempts
    assert attempts == [], f"kportable tried to use the network: {attempts}"


def targets(real: Path) -> list[Path]:
    out = [real, FIXTURES]
    if DEMO.is_dir():
        out.append(DEMO)
    return out


@pytest.mark.corpus
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_lint_in_every_format_without_network(
    no_network: list[object], real_corpus: Path, tmp_path: Path, jobs: str
) -> None:
    runner = CliRunner()
    for target in targets(real_corpus):
        for fmt in sorted(get_registry().formats):
            out = tmp_path / f"{target.name}.{fmt}"
            result = runner.invoke(main, ["lint", str(target), "-f", fmt, "-o", str(out), "--jobs", jobs])
            assert result.exit_code in (0, 1), result.output
            assert out.stat().st_size > 0


def test_other_commands_without_network(no_network: list[object]) -> None:
    runner = CliRunner()
    for args in (["rules"], ["rules", "-f", "json"], ["explain", "KP101"], ["plugins"], ["formats"],
                 ["--version"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args, result.output)


def test_demo_bundle_is_linted_when_present(no_network: list[object]) -> None:
    if not DEMO.is_dir():
        pytest.skip("fixtures/demo/ is not in this checkout yet")
    result = CliRunner().invoke(main, ["lint", str(DEMO), "-f", "json"])
    assert result.exit_code == 1  # the demo exists to show findings


@pytest.mark.corpus
def test_fresh_interpreter_blocked_before_import(real_corpus: Path, tmp_path: Path) -> None:
    script = GUARD + (
        "import sys\n"
        "from kportable.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "finally:\n"
        "    if attempts:\n"
        "        sys.stderr.write(f'NETWORK ATTEMPTS: {attempts}')\n"
        "        sys.stderr.flush()\n"
        "        import os; os._exit(9)\n"
    )
    for target in targets(real_corpus):
        proc = subprocess.run(
            [sys.executable, "-c", script, "lint", str(target), "-f", "json", "-o", str(tmp_path / "out.json")],
            capture_output=True, text=True, check=False, timeout=300,
        )
        assert "NETWORK ATTEMPTS" not in proc.stderr, proc.stderr
        assert proc.returncode in (0, 1), proc.stderr


def test_the_guards_do_catch_network_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """Positive control: the same guards see a connection attempt, even a swallowed one."""
    proc = subprocess.run(
        [sys.executable, "-c", GUARD + (
            "try:\n"
            "    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
            "except OSError:\n"
            "    pass\n"
            "try:\n"
            "    socket.socket().connect(('192.0.2.1', 80))\n"
            "except OSError:\n"
            "    pass\n"
            "print(len(attempts))\n"
        )],
        capture_output=True, text=True, check=True,
    )
    assert proc.stdout.strip() == "2"
    gen = guarded(monkeypatch)
    attempts = next(gen)
    with pytest.raises(OSError, match="blocked"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    assert len(attempts) == 1
    with pytest.raises(AssertionError, match="tried to use the network"):
        next(gen)
