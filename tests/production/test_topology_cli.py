"""`scripts/topology.py` as a command: it explains itself and refuses bad
sizes with a clear message (not a traceback). Starting and stopping the
topology is exercised by every other test of this folder (the `topology`
fixture is the same class)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "topology.py"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60
    )


def test_it_explains_itself_with_help() -> None:
    result = run("--help")
    assert result.returncode == 0
    for option in ("--web", "--workers", "--schedulers", "--concurrency", "--keep"):
        assert option in result.stdout


def test_it_refuses_a_topology_without_web_processes() -> None:
    result = run("--web", "0")
    assert result.returncode == 2
    assert "--web must be at least 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_refuses_a_size_that_is_not_a_number() -> None:
    result = run("--workers", "many")
    assert result.returncode == 2
    assert "invalid int value" in result.stderr
