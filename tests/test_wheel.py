"""A wheel built from the project, installed in a fresh virtualenv outside the checkout, serves the default
scenario: the specs and scenarios travel inside the package."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import venv
from pathlib import Path

import httpx

from campaign_mock.server import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_serves_default_scenario_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("campaign_mock-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)

    work = tmp_path / "elsewhere"
    work.mkdir()
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    listed = subprocess.run(
        [str(env_dir / "bin" / "campaign-mock"), "scenarios"], cwd=work, env=clean_env, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    assert "leadterra/missing-leads" in listed.stdout

    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [str(python), "-m", "campaign_mock", "serve", "--port", str(port)],
        cwd=work,
        env=clean_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{base}/__admin/health")
                break
            except httpx.TransportError:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "the installed mock did not start"
                time.sleep(0.1)
        assert health.json()["scenario"] == "default"
        pools = httpx.get(f"{base}/leadterra/v1/sender-pools", headers={"Authorization": "Bearer sk_test_leadterra"})
        assert pools.status_code == 200
        assert pools.json()[0]["id"] == "pool_01HZ9KQMX7T3VB2N"
        spec = httpx.get(f"{base}/leadterra/openapi.json").json()
        assert spec["servers"][0]["url"] == f"{base}/leadterra"
        installed = subprocess.run(
            [str(python), "-c", "import campaign_mock, sys; sys.stdout.write(campaign_mock.__file__)"],
            cwd=work,
            env=clean_env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert str(ROOT) not in installed and str(env_dir) in installed
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
