"""What `campaign-mock serve` prints: the banner once the port is bound, one line per request, and `--quiet`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from serving import serving

LINE = re.compile(
    r"^(?P<time>\d\d:\d\d:\d\d\.\d{3}) (?P<session>\S+) +(?P<method>[A-Z]+) +(?P<path>\S+) (?P<status>\d{3}) "
    r"(?P<ms>\d+\.\d)ms(?P<marks>( !violation)?( ~fault)?)$"
)
LEADTERRA = {"Authorization": "Bearer sk_test_leadterra"}
SECRETS = ("sk_test_leadterra", "otr_test_foxreach", "admin-secret-token", "query-secret")


def _request_lines(log: Path) -> list[re.Match[str]]:
    """The request lines of the log, but the readiness probe's."""
    lines = [LINE.match(line) for line in log.read_text().splitlines()]
    return [m for m in lines if m is not None and m["path"] != "/__admin/health"]


def _eventually(predicate: Callable[[], bool], seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Path]]:
    """`campaign-mock serve` with its request log on, and the file its output goes to."""
    folder = tmp_path_factory.mktemp("logged")
    with serving(folder, dict(os.environ)) as client:
        yield client, folder / "serve.log"


def test_banner_names_each_sdk_base_url_with_its_demo_key_and_the_admin_api(
    logged: tuple[httpx.Client, Path],
) -> None:
    client, log = logged
    url = str(client.base_url).rstrip("/")
    banner = log.read_text()
    assert banner.startswith(f"campaign-mock 0.1.0 on {url} (scenario: default)\n")
    rows = [line.split() for line in banner.splitlines()[1:7]]
    assert rows == [
        ["leadterra", f"{url}/leadterra", "Authorization:", "Bearer", "sk_test_leadterra"],
        ["foxreach", f"{url}/foxreach/api/v1", "X-API-Key:", "otr_test_foxreach"],
        ["voicegenie", f"{url}/voicegenie", "x-api-key:", "vg_test_voicegenie"],
        ["sonarly", f"{url}/sonarly", "Authorization:", "Bearer", "sk_test_sonarly"],
        ["specs", f"{url}/<vendor>/openapi.json"],
        ["admin", f"{url}/__admin", "spec:", f"{url}/__admin/openapi.json"],
    ]
    # Each URL works as the banner says, with the key it names.
    pools = client.get(f"{url}/leadterra/v1/sender-pools", headers=LEADTERRA)
    campaigns = client.get(f"{url}/foxreach/api/v1/campaigns", headers={"X-API-Key": "otr_test_foxreach"})
    spec = client.get(f"{url}/__admin/openapi.json")
    assert (pools.status_code, campaigns.status_code, spec.status_code) == (200, 200, 200)


def test_each_request_is_one_line_with_session_status_time_and_marks_and_no_secret(
    logged: tuple[httpx.Client, Path],
) -> None:
    client, log = logged
    time.sleep(0.3)  # earlier requests' lines are written by now (the log batches for at most 0.05 s)
    before = len(_request_lines(log))
    client.get("/leadterra/v1/sender-pools", headers=LEADTERRA)
    client.get(
        "/__session/t42/foxreach/api/v1/campaigns?page=1&api_key=query-secret",
        headers={"X-API-Key": "otr_test_foxreach", "X-Admin-Token": "admin-secret-token"},
    )
    client.get("/leadterra/v1/sender-pools", headers={**LEADTERRA, "X-Mock-Session": "s2"})
    # One answered by an injected fault, one that breaks the contract (a name that is not a string), and a path
    # that tries to forge a line of its own.
    added = client.post("/__admin/faults", json={"vendor": "leadterra", "path": "/v1/sender-pools", "status": 503})
    assert client.get("/leadterra/v1/sender-pools", headers=LEADTERRA).status_code == 503
    cleared = client.delete("/__admin/faults")
    assert client.post("/leadterra/v1/campaigns", headers=LEADTERRA, json={"name": 42}).status_code == 400
    client.get("/leadterra/v1/evil%0A12:00:00.000 default GET /forged 200 0.1ms")

    assert _eventually(lambda: len(_request_lines(log)) - before >= 8)
    lines = _request_lines(log)[before:]
    got = [(m["session"], m["method"], m["path"], m["status"], m["marks"]) for m in lines]
    assert got == [
        ("default", "GET", "/leadterra/v1/sender-pools", "200", ""),
        ("t42", "GET", "/__session/t42/foxreach/api/v1/campaigns?page&api_key", "200", ""),
        ("s2", "GET", "/leadterra/v1/sender-pools", "200", ""),
        ("default", "POST", "/__admin/faults", str(added.status_code), ""),
        ("default", "GET", "/leadterra/v1/sender-pools", "503", " ~fault"),
        ("default", "DELETE", "/__admin/faults", str(cleared.status_code), ""),
        ("default", "POST", "/leadterra/v1/campaigns", "400", " !violation"),
        ("default", "GET", "/leadterra/v1/evil%0A12:00:00.000%20default%20GET%20/forged%20200%200.1ms", "401", ""),
    ]
    for match in lines:
        assert time.strptime(match["time"][:8], "%H:%M:%S")
        assert 0 < float(match["ms"]) < 5000
    text = log.read_text()
    for secret in ("admin-secret-token", "query-secret", "sk_test_leadterra", "otr_test_foxreach"):
        assert secret not in "\n".join(m.string for m in lines)
    assert "admin-secret-token" not in text and "query-secret" not in text


def test_a_port_in_use_is_one_clear_line_without_banner_or_traceback(logged: tuple[httpx.Client, Path]) -> None:
    client, _ = logged
    port = client.base_url.port
    result = subprocess.run(
        [sys.executable, "-m", "campaign_mock", "serve", "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert client.get("/__admin/health").status_code == 200  # the server on that port is unharmed
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"campaign-mock: cannot listen on 127.0.0.1:{port}: address already in use "
        "(another server is using it: stop it, or pick another with --port)"
    ]


def test_quiet_keeps_the_banner_with_the_port_picked_for_port_zero_and_drops_request_lines(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        command = [sys.executable, "-m", "campaign_mock", "serve", "--port", "0", "--quiet"]
        server = subprocess.Popen(command, stdout=out, stderr=out)
        try:
            assert _eventually(lambda: "/__admin/openapi.json" in log.read_text(), seconds=60), log.read_text()
            found = re.search(r" on (http://127\.0\.0\.1:(\d+)) ", log.read_text())
            assert found is not None and int(found[2]) > 0
            for _ in range(3):
                assert httpx.get(f"{found[1]}/leadterra/v1/sender-pools", headers=LEADTERRA).status_code == 200
            time.sleep(0.3)  # longer than the log's batching delay
        finally:
            server.terminate()
            server.wait(timeout=10)
    text = log.read_text()
    assert "Authorization: Bearer sk_test_leadterra" in text
    assert not _request_lines(log) and "/leadterra/v1/sender-pools" not in text
