"""`sluice amqp`: connection string, busy ports, bad configuration."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.amqp.conftest import ROOT

pytestmark = pytest.mark.integration


def amqp_command(broker_env, *args: str, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "amqp", *args],
        cwd=ROOT,
        env={**broker_env.env, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_it_prints_a_connection_string_with_the_namespace_key(broker_env):
    pattern = (
        rf"^Endpoint=sb://127\.0\.0\.1:{broker_env.amqp_port};"
        r"SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=[A-Za-z0-9+/=]{44};"
        r"UseDevelopmentEmulator=true$"
    )
    assert re.match(pattern, broker_env.connection_string)
    out = broker_env.manage(
        "shell",
        "-c",
        "from broker.services.entities import get_namespace; print(get_namespace().primary_key)",
    )
    assert broker_env.key == out.strip().splitlines()[-1]


def test_it_fails_clearly_when_an_explicit_port_is_taken(broker_env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        process = amqp_command(broker_env, "--port", str(busy.getsockname()[1]))
        _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "cannot listen on 127.0.0.1:" in err
    assert "Traceback" not in err


def test_it_stays_idle_when_the_default_port_is_taken_so_sluice_up_keeps_running(broker_env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        process = amqp_command(broker_env, SLUICE_AMQP_PORT=str(busy.getsockname()[1]))
        deadline = time.monotonic() + 60
        err = ""
        while "AMQP listener disabled" not in err and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            err += line
        assert "AMQP listener disabled" in err
        assert "SLUICE_AMQP_PORT" in err
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert process.returncode == 0


def test_it_refuses_a_port_that_is_not_a_number(broker_env):
    process = amqp_command(broker_env, SLUICE_AMQP_PORT="fifty")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "SLUICE_AMQP_PORT must be a port number" in err
    assert "Traceback" not in err


def test_it_asks_for_migrations_on_an_empty_data_directory(broker_env, tmp_path):
    process = amqp_command(broker_env, "connection-string", SLUICE_DATA_DIR=str(tmp_path))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "run 'sluice migrate' first" in err
    assert "Traceback" not in err
