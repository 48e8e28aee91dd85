"""The admin token: with one, every admin route but the health probe answers 401 without it; a host other machines
can reach needs one; and neither the token nor a vendor key reaches the console."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from campaign_mock import MockServer
from campaign_mock.app import Settings
from campaign_mock.cli import main
from campaign_mock.engine.admin_auth import TOKEN_ENV
from serving import serving

TOKEN = "tok-" + secrets.token_urlsafe(16)
DEMO_KEYS = ("sk_test_leadterra", "otr_test_foxreach", "vg_test_voicegenie", "sk_test_sonarly")
UNAUTHORIZED = re.compile(r"the admin API needs the admin token")


@pytest.fixture(scope="module")
def guarded() -> Iterator[MockServer]:
    with MockServer(Settings(admin_token=TOKEN)) as server:
        yield server


@pytest.fixture
def client(guarded: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=guarded.url, timeout=10) as client:
        yield client


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == 'Bearer realm="campaign-mock"'
    error = response.json()["error"]
    assert error["code"] == "unauthorized"
    assert UNAUTHORIZED.search(error["message"])


def test_every_admin_route_but_health_answers_401_without_the_token(guarded: MockServer, client: httpx.Client) -> None:
    operations = guarded.app.catalog.specs["__admin"].operations
    assert len(operations) > 10
    for op in operations:
        path = re.sub(r"\{[^}]+\}", "x", op.path)
        if op.operation_id == "get_health":
            assert client.request(op.method, path).status_code == 200
            continue
        assert op.response_for(401) is not None, f"{op.operation_id} does not document its 401"
        _refused(client.request(op.method, path, json={}))
        _refused(client.request(op.method, "/__session/t1" + path, json={}))
        _refused(client.request(op.method, path, headers={"Authorization": f"Bearer {TOKEN}x"}))
        _refused(client.request(op.method, path, headers={"X-Admin-Token": TOKEN[:-1]}))
    # The admin spec, and admin paths no operation serves, are closed too: nothing tells what is there.
    _refused(client.get("/__admin/openapi.json"))
    _refused(client.get("/__admin/no-such-route"))


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {TOKEN}"},
        {"Authorization": f"bearer  {TOKEN}"},
        {"X-Admin-Token": TOKEN},
        {"Authorization": "Basic Zm9vOmJhcg==", "X-Admin-Token": TOKEN},
    ],
    ids=["bearer", "bearer-any-case-and-spacing", "x-admin-token", "x-admin-token-beside-other-auth"],
)
def test_the_token_in_either_header_opens_the_admin_api(client: httpx.Client, headers: dict[str, str]) -> None:
    clock = client.get("/__admin/clock", headers=headers)
    assert clock.status_code == 200, clock.text
    assert set(clock.json()) == {"now", "frozen", "session", "ownClock"}


def test_a_refused_change_changes_nothing(client: httpx.Client) -> None:
    admin = {"X-Admin-Token": TOKEN}
    session = "token-refused"
    setting = {"now": "2031-02-03T04:05:06Z", "frozen": True}
    _refused(client.post("/__admin/clock", params={"session": session}, json=setting))
    _refused(client.post(f"/__session/{session}/__admin/faults", json={"vendor": "leadterra", "status": 503}))
    after = client.get("/__admin/clock", params={"session": session}, headers=admin).json()
    assert (after["ownClock"], after["frozen"]) == (False, False)
    assert client.get("/__admin/faults", params={"session": session}, headers=admin).json() == {"faults": []}

    # With the token the same change is made.
    changed = client.post("/__admin/clock", params={"session": session}, json=setting, headers=admin)
    assert changed.json()["now"] == "2031-02-03T04:05:06Z"


def test_the_served_admin_spec_declares_the_token(client: httpx.Client) -> None:
    spec = client.get("/__admin/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["adminToken"] == {**schemes["adminToken"], "type": "http", "scheme": "bearer"}
    assert schemes["adminTokenHeader"] == {**schemes["adminTokenHeader"], "type": "apiKey", "in": "header"}
    assert schemes["adminTokenHeader"]["name"] == "X-Admin-Token"
    assert spec["security"] == [{"adminToken": []}, {"adminTokenHeader": []}, {}]  # {}: a loopback server without one
    assert spec["paths"]["/__admin/health"]["get"]["security"] == []
    assert spec["paths"]["/__admin/reset"]["post"]["responses"]["401"]


def test_vendor_routes_and_health_need_no_admin_token(client: httpx.Client) -> None:
    health = client.get("/__admin/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    pools = client.get("/leadterra/v1/sender-pools", headers={"Authorization": "Bearer sk_test_leadterra"})
    assert pools.status_code == 200
    # The admin token is not a vendor key.
    assert client.get("/leadterra/v1/sender-pools", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 401


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "[::]", "192.0.2.10", "mock.example", ""])
def test_serve_on_a_reachable_host_without_a_token_refuses_to_start(
    host: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert main(["serve", "--host", host, "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"host {host or repr(host)} is not a loopback address" in err
    assert "--admin-token TOKEN" in err and TOKEN_ENV in err


@pytest.mark.parametrize("token", ["", "two words", "tab\there", "caf\u00e9"])
def test_serve_refuses_a_token_that_cannot_travel_in_a_header(
    token: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert main(["serve", "--admin-token", token, "--port", "0"]) == 2
    assert "admin token" in capsys.readouterr().err


def test_mock_server_refuses_a_reachable_host_without_a_token() -> None:
    with pytest.raises(ValueError, match=r"host 0\.0\.0\.0 is not a loopback address"):
        MockServer(host="0.0.0.0")


def test_serve_takes_the_token_from_the_environment_and_logs_no_secret(tmp_path: Path) -> None:
    """Token from CAMPAIGN_MOCK_ADMIN_TOKEN, enforced on loopback; requests with vendor keys and the token, good and
    bad; then the whole console output holds the token nowhere, and the demo keys nowhere after the banner (which
    shows them on purpose: they are the documented demo credentials)."""
    token = "env-" + secrets.token_urlsafe(16)
    log_path = tmp_path / "serve.log"  # where `serving` writes the server's output
    with serving(tmp_path, {**os.environ, TOKEN_ENV: token}) as client:
        banner_end = len(log_path.read_bytes())
        _traffic(client, token)
    output = log_path.read_text(encoding="utf-8", errors="replace")
    assert token not in output
    after_banner = output[banner_end:]
    for key in DEMO_KEYS:
        assert key not in after_banner, f"{key} in the console output:\n{after_banner}"


def _traffic(client: httpx.Client, token: str) -> None:
    """Requests that carry every demo key and the token, answered well and badly."""
    lt = {"Authorization": "Bearer sk_test_leadterra"}
    assert client.get("/leadterra/v1/sender-pools", headers=lt).status_code == 200
    assert client.post("/leadterra/v1/campaigns", headers=lt, json={"name": 7}).status_code == 400
    assert client.get("/leadterra/v1/sender-pools", params={"api_key": "sk_test_leadterra"}).status_code == 401
    fox = {"X-API-Key": "otr_test_foxreach"}
    assert client.get("/foxreach/api/v1/campaigns", headers=fox).status_code == 200
    assert client.get("/foxreach/api/v1/campaigns/cmp_nothing", headers=fox).status_code == 404
    vg = {"x-api-key": "vg_test_voicegenie"}
    assert client.get("/voicegenie/fetchContacts", headers=vg).status_code == 200
    assert client.post("/voicegenie/createContact", headers=vg, json={"phone_number": "1"}).status_code == 400
    sonarly = {"Authorization": "Bearer sk_test_sonarly"}
    assert client.get("/sonarly/v1/accounts", headers=sonarly).status_code == 200
    assert client.get("/sonarly/v1/accounts/nope/campaigns", headers=sonarly).status_code in (400, 403, 404)
    # Vendor keys where the admin token belongs, and the token where a vendor key belongs.
    assert client.get("/__admin/clock", headers={"X-Admin-Token": "sk_test_sonarly"}).status_code == 401
    assert client.get("/__admin/clock", headers={"Authorization": "Bearer otr_test_foxreach"}).status_code == 401
    assert client.get("/sonarly/v1/accounts", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/__admin/clock").status_code == 401
    assert client.get("/__admin/clock", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/__session/s1/__admin/requests", headers={"X-Admin-Token": token}).status_code == 200
    assert client.post("/__admin/faults", headers={"X-Admin-Token": token}, json={"bad": 1}).status_code == 400


def test_verify_against_a_guarded_server_sends_the_token_from_the_environment(
    guarded: MockServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert main(["verify", "leadterra/paused", "--target", guarded.url]) == 1
    assert "unauthorized" in capsys.readouterr().out
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    assert main(["verify", "leadterra/paused", "--target", guarded.url]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith(" passed, 0 failed")
