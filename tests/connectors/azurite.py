"""Azurite (the Azure Storage emulator from npm) for blob tests.

Installed on first use with `npm install --prefix <cache> azurite@3` (cache:
`SLUICE_AZURITE_DIR`, default `/tmp/sluice-azurite-cache`), then started on a
free port of 127.0.0.1 with a throwaway data location.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def install() -> Path:
    cache = Path(os.environ.get("SLUICE_AZURITE_DIR", "/tmp/sluice-azurite-cache"))
    binary = cache / "node_modules" / ".bin" / "azurite-blob"
    if not binary.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(cache), "--no-audit", "--no-fund", "azurite@3"],
            check=True,
            capture_output=True,
            timeout=900,
        )
    return binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Azurite:
    process: subprocess.Popen
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/{ACCOUNT}"

    @property
    def connection_string(self) -> str:
        return f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};BlobEndpoint={self.endpoint};"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def start(location: Path) -> Azurite:
    binary, port = install(), free_port()
    process = subprocess.Popen(
        [
            str(binary),
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(port),
            "--location",
            str(location),
            "--skipApiVersionCheck",
            "--loose",
            "--silent",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Azurite exited: {process.stderr.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return Azurite(process, port)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("Azurite did not start listening within 60 s")
