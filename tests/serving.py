"""`campaign-mock serve` in a subprocess, for tests that need a server of another source tree or install."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from campaign_mock.server import free_port


@contextmanager
def serving(cwd: Path, env: dict[str, str], args: Sequence[str] = ()) -> Iterator[httpx.Client]:
    """`python -m campaign_mock serve [args]` in `cwd` with `env`, and a client for it once it answers; its output
    goes to `cwd/serve.log`, shown when it fails to start."""
    port = free_port()
    log_path = cwd / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "campaign_mock", "serve", "--port", str(port), *args],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10, trust_env=False) as client:
                wait_until_up(client, server, log_path)
                yield client
        finally:
            server.terminate()
            server.wait(timeout=10)


def wait_until_up(client: httpx.Client, server: subprocess.Popen[bytes], log_path: Path, seconds: float = 60) -> None:
    """Wait until the server `client` points at answers; fail with its log if it exits or takes over `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            client.get("/__admin/health")
            return
        except httpx.TransportError:
            assert server.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "the mock did not start"
            time.sleep(0.05)
