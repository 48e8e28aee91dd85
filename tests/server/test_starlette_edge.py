"""The mock at its edge is a Starlette application: Starlette's TestClient drives it, a user's Starlette middleware
runs around it, and `--cors` puts Starlette's CORS middleware in front of the vendors."""

from __future__ import annotations

import warnings

import httpx
import pytest
import yaml
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campaign_mock.app import Settings, create_app
from campaign_mock.cli import _parser, _settings
from campaign_mock.server import MockServer
from campaign_mock.vendors.leadterra import VENDOR as LEADTERRA

with warnings.catch_warnings():
    # Starlette 1.x asks for the `httpx2` package and warns, once, on import, when it finds `httpx` instead.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

AUTH = {"Authorization": "Bearer sk_test_leadterra"}
ORIGIN = "https://app.example"
PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
AUTHENTICATION_FAILED = {
    "error": {
        "code": "authentication_failed",
        "message": "The Authorization header is missing, malformed, or the API key is invalid.",
    }
}


def _default_pools() -> list[dict[str, object]]:
    assert LEADTERRA.scenario_dir is not None
    part = yaml.safe_load((LEADTERRA.scenario_dir / "default.yaml").read_text(encoding="utf-8"))
    pools: list[dict[str, object]] = part["vendors"]["leadterra"]["senderPools"]
    return pools


class ServedBy(BaseHTTPMiddleware):
    """A user's middleware: it stamps every answer."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers["X-Served-By"] = "edge"
        return response


def test_create_app_is_a_starlette_application() -> None:
    assert isinstance(create_app(), Starlette)


def test_test_client_gets_the_default_sender_pools() -> None:
    response = TestClient(create_app()).get("/leadterra/v1/sender-pools", headers=AUTH)

    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    assert response.json() == _default_pools()


def test_test_client_path_with_encoded_newline_gets_the_vendor_json_answer() -> None:
    response = TestClient(create_app()).get("/leadterra/v1/campaigns/camp%0A123/stats", headers=AUTH)

    assert (response.status_code, response.headers["content-type"]) == (404, "application/json")
    assert response.json() == {
        "error": {"code": "campaign_not_found", "message": "No campaign with this id exists in your workspace."}
    }


def test_user_middleware_added_before_the_first_request_runs() -> None:
    app = create_app()
    app.add_middleware(ServedBy)

    response = TestClient(app).get("/leadterra/v1/sender-pools", headers=AUTH)

    assert (response.status_code, response.headers["X-Served-By"]) == (200, "edge")
    assert response.json() == _default_pools()


def test_cors_preflight_answers_with_the_allowed_origin_not_the_vendor_401() -> None:
    client = TestClient(create_app(Settings(cors_origins=(ORIGIN,))))

    response = client.options("/leadterra/v1/campaigns", headers=PREFLIGHT)

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"].split(", ")


def test_cors_get_from_the_allowed_origin_carries_allow_origin() -> None:
    client = TestClient(create_app(Settings(cors_origins=(ORIGIN,))))

    response = client.get("/leadterra/v1/sender-pools", headers={**AUTH, "Origin": ORIGIN})

    assert (response.status_code, response.headers["access-control-allow-origin"]) == (200, ORIGIN)
    assert response.json() == _default_pools()


def test_preflight_without_cors_gets_the_vendor_answer() -> None:
    response = TestClient(create_app()).options("/leadterra/v1/campaigns", headers=PREFLIGHT)

    assert (response.status_code, response.json()) == (401, AUTHENTICATION_FAILED)
    assert "access-control-allow-origin" not in response.headers


def test_cli_serve_cors_is_parsed_into_the_settings() -> None:
    args = _parser().parse_args(["serve", "--cors", ORIGIN, "--cors", "http://localhost:3000"])

    assert args.cors == [ORIGIN, "http://localhost:3000"]
    assert _settings(args).cors_origins == (ORIGIN, "http://localhost:3000")


class Breaks:
    """A user's middleware with a bug: it raises before the answer starts (`/boom-before`) or once its headers
    have gone out (`/boom-after`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if path.endswith("/boom-before"):
            raise RuntimeError("broken before the answer")

        async def breaking_send(message: Message) -> None:
            await send(message)
            if path.endswith("/boom-after") and message["type"] == "http.response.start":
                raise RuntimeError("broken in the middle of the answer")

        await self.app(scope, receive, breaking_send)


def _answers_a_json_500_and_keeps_serving(server: MockServer, broken_path: str) -> None:
    with server as mock:
        broken = httpx.get(f"{mock.url}{broken_path}", headers=AUTH)
        after = httpx.get(f"{mock.url}/leadterra/v1/sender-pools", headers=AUTH)

    assert (broken.status_code, broken.headers["content-type"]) == (500, "application/json")
    assert broken.json() == {"error": "mock_internal_error", "message": "the mock failed; see the server log"}
    assert (after.status_code, after.json()) == (200, _default_pools())


def test_an_error_before_the_answer_is_a_json_500_and_the_server_keeps_serving() -> None:
    server = MockServer()
    server.app.add_middleware(Breaks)
    _answers_a_json_500_and_keeps_serving(server, "/leadterra/boom-before")


def test_an_error_once_the_answer_started_closes_the_connection_and_the_server_keeps_serving() -> None:
    server = MockServer()
    server.app.add_middleware(Breaks)
    with server as mock:
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{mock.url}/leadterra/boom-after", headers=AUTH)
        after = httpx.get(f"{mock.url}/leadterra/v1/sender-pools", headers=AUTH)

    assert (after.status_code, after.json()) == (200, _default_pools())


def test_an_error_in_the_engine_itself_is_a_json_500_and_the_server_keeps_serving(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = MockServer()  # no middleware of the user's: HTTP goes straight to the pipeline
    real_step = server.app.pipeline._session_step

    def breaks_on_boom(scope: Scope) -> object:
        if scope["path"].endswith("/boom"):
            raise RuntimeError("a bug in the engine")
        return real_step(scope)

    monkeypatch.setattr(server.app.pipeline, "_session_step", breaks_on_boom)
    _answers_a_json_500_and_keeps_serving(server, "/leadterra/boom")
