"""Hostile input over real HTTP: each request gets a clear 4xx in the vendor's format (or the admin API's, or the
HTTP server's own for what never reaches the mock) within QUICK, the server keeps serving, and the session's state
is byte for byte what it was. Covered: JSON bodies that are too deep, too big in number or not text, YAML alias
bombs, bodies sent where the spec takes none, JSON under another Content-Type (answered, recorded as a violation),
unknown methods, huge header sets, long paths and queries, a body that lies about its length or never arrives, and
a big scenario that loads while other requests are answered."""

from __future__ import annotations

import gc
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from engine_client import LEADTERRA_AUTH

from campaign_mock.pytest_plugin import MockSession
from campaign_mock.server import MockServer

# What "at once" means here: every refusal below is answered in a few milliseconds on an idle machine; the
# margin is for a loaded CI box. Before these bounds, some of them took minutes or never answered.
QUICK = 0.1
FROZEN = "2025-01-15T10:00:00Z"
JSON_TYPE = {"Content-Type": "application/json"}
FOXREACH_AUTH = {"X-API-Key": "otr_test_foxreach"}


@dataclass
class Target:
    """The test's session, and the run's keep-alive client (a client per request would cost ~40 ms each)."""

    session: MockSession
    http: httpx.Client

    def vendor(self, method: str, vendor: str, path: str, **kwargs: Any) -> httpx.Response:
        """A timed request to `vendor` in the session."""
        url = self.session.url(vendor) + path
        return timed(lambda: self.http.request(method, url, **kwargs))

    def leadterra_post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        sent = {**LEADTERRA_AUTH, **JSON_TYPE, **(headers or {})}
        return self.vendor("POST", "leadterra", path, content=body, headers=sent)

    def admin(self, method: str, route: str, **kwargs: Any) -> httpx.Response:
        """A timed admin request for the session."""
        return timed(lambda: self.session.admin(method, route, **kwargs))


@pytest.fixture
def frozen(mock_session: MockSession, http: httpx.Client) -> Target:
    """The test's session on a frozen clock, so its exported state changes only when a request changes it."""
    mock_session.set_clock(now=FROZEN, frozen=True)
    return Target(mock_session, http)


@contextmanager
def unchanged(target: Target) -> Iterator[None]:
    """The block leaves the session's exported state byte for byte as it was, and the server healthy."""
    before = target.session.admin("GET", "state").content
    yield
    assert target.session.admin("GET", "state").content == before
    assert target.http.get(f"{target.session.server.url}/__admin/health").status_code == 200


def timed(send: Callable[[], httpx.Response]) -> httpx.Response:
    started = time.perf_counter()
    response = send()
    elapsed = time.perf_counter() - started
    assert elapsed < QUICK, f"answered in {elapsed * 1000:.0f} ms"
    return response


def leadterra_error(response: httpx.Response, status: int = 400) -> str:
    """The message of Leadterra's `invalid_request` error, once its shape is checked."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    message: str = error["message"]
    return message


def nested_custom_fields(levels: int) -> bytes:
    """A bulk-enrol body whose arrays and objects nest `levels` deep in all (body, leads, lead, customFields...)."""
    inner: dict[str, Any] = {}
    for _ in range(levels - 4):
        inner = {"k": inner}
    return json.dumps({"leads": [{"email": "deep@acme.example", "customFields": inner}]}).encode()


# -- JSON bodies ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "arrays and objects nest more than 128 levels deep"),
        (b'{"a":' * 100_000, "arrays and objects nest more than 128 levels deep"),
        (b'{"name": 1e999999}', "1e999999 is past the range of a JSON number"),
        (b'{"name": -1e400}', "-1e400 is past the range of a JSON number"),
        (b'{"name": ' + b"7" * 100_000 + b"}", "Exceeds the limit (4300 digits) for integer string conversion"),
        (b'{"name": "caf\xe9"}', "not UTF-8 text"),
        (b'{"name": NaN}', "NaN is not a JSON number"),
        (b'{"name": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"name": "\\ud800"}', "a \\u escape names half a surrogate pair, which is not text"),
    ],
    ids=[
        "deep-arrays",
        "deep-objects",
        "huge-float",
        "huge-negative",
        "long-integer",
        "latin-1",
        "nan",
        "infinity",
        "lone-surrogate",
    ],
)
def test_json_body_the_mock_cannot_take_is_the_vendors_400(frozen: Target, body: bytes, reason: str) -> None:
    with unchanged(frozen):
        message = leadterra_error(frozen.leadterra_post("/v1/campaigns", body))
    assert message.startswith("Invalid request body: (top level): the body is not valid JSON (")
    assert reason in message


def test_json_nesting_is_taken_up_to_128_levels(frozen: Target) -> None:
    path = "/v1/campaigns/camp_123/leads/bulk"
    with unchanged(frozen):
        message = leadterra_error(frozen.leadterra_post(path, nested_custom_fields(129)))
    assert message.endswith("(arrays and objects nest more than 128 levels deep)")

    assert frozen.leadterra_post(path, nested_custom_fields(128)).json()["enrolled"] == 1


def test_duplicate_keys_are_read_as_every_json_parser_reads_them_the_last_one_wins(frozen: Target) -> None:
    response = frozen.leadterra_post("/v1/campaigns", b'{"name": "first", "name": "last"}')
    assert (response.status_code, response.json()["name"]) == (201, "last")


def test_admin_api_refuses_deep_json_in_its_own_format(frozen: Target) -> None:
    with unchanged(frozen):
        response = frozen.admin("POST", "faults", content=b"[" * 100_000, headers=JSON_TYPE)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["problems"] == [
        "(top level): the body is not valid JSON (arrays and objects nest more than 128 levels deep)"
    ]


# -- YAML posted to the admin API -------------------------------------------------------------------------
def alias_bomb(levels: int = 9, width: int = 10) -> str:
    """~400 characters that expand to width**levels values: each anchor lists the one before `width` times."""
    lines = ["a0: &a0 [x]"]
    lines += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


BOMB = alias_bomb()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            BOMB,
            f"<posted yaml>:5: alias *a3 expands the document past {len(BOMB) + 10_000} values, the most a text of"
            f" {len(BOMB)} characters may hold: aliases may repeat parts of it, not multiply them",
        ),
        ("x-loop: &loop {next: *loop}\n", "<posted yaml>:1: alias *loop refers to the collection it is in"),
        ("description: " + "[" * 200 + "]" * 200 + "\n", "<posted yaml>:1: description[0][0]: nests collections"),
    ],
    ids=["alias-bomb", "alias-cycle", "deep"],
)
def test_posted_yaml_that_would_not_load_in_linear_time_is_refused_at_once(
    frozen: Target, text: str, problem: str
) -> None:
    with unchanged(frozen):
        response = frozen.admin("POST", "scenarios", json={"yaml": text})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_scenario"
    assert error["problems"][0].startswith(problem)


# -- bodies where the spec takes none -----------------------------------------------------------------------
def test_body_sent_to_an_operation_that_takes_none_is_refused_where_the_vendor_documents_a_400(
    frozen: Target,
) -> None:
    with unchanged(frozen):
        response = frozen.leadterra_post("/v1/campaigns/camp_123/start", b'{"force": true}')
    assert leadterra_error(response) == "Invalid request body: (top level): start_campaign takes no request body"
    assert frozen.session.violations("request")[-1]["issues"][0]["message"] == "start_campaign takes no request body"


@pytest.mark.parametrize("body", [b"", b"{}", b" { } \n"], ids=["empty", "empty-object", "spaced-empty-object"])
def test_empty_body_or_empty_object_is_taken_where_no_body_is(frozen: Target, body: bytes) -> None:
    response = frozen.leadterra_post("/v1/campaigns/camp_123/start", body)
    assert (response.status_code, response.json()["status"]) == (200, "running")
    assert frozen.session.violations() == []


def test_body_the_vendor_documents_no_refusal_for_is_answered_and_recorded(frozen: Target) -> None:
    # FoxReach documents no 422 on start: its server ignores a body there, so the mock answers as usual.
    response = frozen.vendor(
        "POST", "foxreach", "/api/v1/campaigns/cmp_abc123/start", json={"when": "now"}, headers=FOXREACH_AUTH
    )
    assert (response.status_code, response.json()["data"]["status"]) == (200, "active")
    (violation,) = frozen.session.violations("request")
    assert (violation["operationId"], violation["status"], violation["issues"]) == (
        "start_campaign",
        200,
        [{"where": "(top level)", "schemaPath": "requestBody", "message": "start_campaign takes no request body"}],
    )


def test_admin_route_that_takes_no_body_refuses_one(frozen: Target) -> None:
    with unchanged(frozen):
        response = frozen.admin("POST", "reset", json={"everything": True})
    assert response.status_code == 400
    assert response.json()["error"]["problems"] == ["(top level): reset takes no request body"]


# -- Content-Type --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content_type", "message"),
    [("text/plain", "Content-Type text/plain for a JSON body"), (None, "no Content-Type for a JSON body")],
    ids=["text-plain", "none"],
)
def test_json_under_another_content_type_is_answered_and_recorded_as_a_request_violation(
    frozen: Target, content_type: str | None, message: str
) -> None:
    headers = dict(LEADTERRA_AUTH)
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = frozen.vendor("POST", "leadterra", "/v1/campaigns", content=b'{"name": "Plain"}', headers=headers)
    assert (response.status_code, response.json()["name"]) == (201, "Plain")
    issue = {"where": "(top level)", "schemaPath": "content", "message": message}
    (violation,) = frozen.session.violations()
    assert (violation["kind"], violation["operationId"], violation["status"], violation["issues"]) == (
        "request",
        "create_campaign",
        201,
        [issue],
    )
    assert frozen.session.requests()[-1]["violations"] == [violation]


def test_json_content_type_with_a_charset_is_json(frozen: Target) -> None:
    response = frozen.leadterra_post(
        "/v1/campaigns", b'{"name": "A"}', {"Content-Type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 201
    assert frozen.session.violations() == []


# -- methods, headers, paths, queries ---------------------------------------------------------------------------
def test_method_the_spec_does_not_name_is_the_vendors_405_with_allow(frozen: Target) -> None:
    with unchanged(frozen):
        response = frozen.vendor("PROPFIND", "leadterra", "/v1/campaigns", headers=LEADTERRA_AUTH)
    assert (response.status_code, response.headers["allow"]) == (405, "POST")
    assert leadterra_error(response, 405) == "PROPFIND is not supported here; use POST."


def test_method_the_http_server_does_not_know_is_its_own_400(frozen: Target) -> None:
    # `BREW` never reaches the mock: the HTTP parser (httptools) refuses the request line.
    with unchanged(frozen):
        response = frozen.vendor("BREW", "leadterra", "/v1/campaigns")
    assert (response.status_code, response.text) == (400, "Invalid HTTP request received.")


def test_ten_thousand_headers_are_read_and_answered(frozen: Target) -> None:
    # Sent on a socket: httpx takes seconds to build a request with so many headers.
    padding = "".join(f"X-Padding-{n}: v\r\n" for n in range(10_000))
    head = (
        f"GET /__session/{frozen.session.name}/leadterra/v1/sender-pools HTTP/1.1\r\n"
        f"Authorization: Bearer sk_test_leadterra\r\n{padding}"
    ).encode()
    with unchanged(frozen):
        status, body = raw_exchange(frozen, head)
    assert status == 200
    assert [pool["id"] for pool in json.loads(body)][:1] == ["pool_01HZ9KQMX7T3VB2N"]


def test_long_path_is_the_vendors_404_and_one_past_the_servers_limit_its_400(frozen: Target) -> None:
    with unchanged(frozen):
        response = frozen.vendor("GET", "leadterra", f"/v1/campaigns/{'c' * 60_000}/stats", headers=LEADTERRA_AUTH)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "campaign_not_found"
        status, body = raw_exchange(frozen, f"GET /leadterra/v1/campaigns/{'c' * 70_000} HTTP/1.1\r\n".encode())
        assert (status, body) == (400, b"Invalid HTTP request received.")


def test_query_with_more_than_a_thousand_parameters_is_refused(frozen: Target) -> None:
    query = "&".join(f"p{n}=1" for n in range(1_001))
    with unchanged(frozen):
        message = leadterra_error(frozen.vendor("GET", "leadterra", f"/v1/replies?{query}", headers=LEADTERRA_AUTH))
    assert message == "Invalid request query: (top level): more than 1000 query parameters"


# -- bodies that lie about their length ----------------------------------------------------------------------
def raw_exchange(target: Target, head: bytes, body: bytes = b"", wait: bool = True) -> tuple[int, bytes]:
    """Send `head` (a request line and headers, without the blank line) and `body` on a socket of its own; return
    the status and body of the answer (or `(0, b"")` with `wait=False`: the socket is closed without reading)."""
    server = target.session.server
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(head + b"Host: mock\r\n" + b"Connection: close\r\n\r\n" + body)
        if not wait:
            return 0, b""
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head_part, _, answer = received.partition(b"\r\n\r\n")
    return int(head_part.split(b" ", 2)[1]), answer


def test_declared_length_far_over_the_limit_is_refused_before_the_body_arrives(frozen: Target) -> None:
    head = (
        f"POST /__session/{frozen.session.name}/leadterra/v1/campaigns HTTP/1.1\r\n"
        "Authorization: Bearer sk_test_leadterra\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n"
    ).encode()
    with unchanged(frozen):
        started = time.perf_counter()
        status, body = raw_exchange(frozen, head, b'{"name": "Lie", "x":1}')
        assert time.perf_counter() - started < QUICK
    assert status == 413
    assert json.loads(body) == {
        "error": {"code": "payload_too_large", "message": "the request body is larger than 5242880 bytes"}
    }


def test_body_that_never_arrives_in_full_changes_nothing(frozen: Target) -> None:
    head = (
        f"POST /__session/{frozen.session.name}/leadterra/v1/campaigns HTTP/1.1\r\n"
        "Authorization: Bearer sk_test_leadterra\r\nContent-Type: application/json\r\nContent-Length: 60\r\n"
    ).encode()
    with unchanged(frozen):
        raw_exchange(frozen, head, b'{"name": "Half"}', wait=False)
        time.sleep(0.05)  # the server sees the connection go
    assert frozen.session.requests() == []


# -- a big scenario loads while the server goes on serving ------------------------------------------------------
def big_scenario(size: int) -> str:
    """A scenario of about `size` characters: 2,000 leads in one campaign, and a long description for the rest."""
    leads = "".join(f"          - {{email: lead{n}@big.example, firstName: Lead{n}}}\n" for n in range(2_000))
    records = (
        "vendors:\n  leadterra:\n    campaigns:\n      - id: camp_big\n        name: Big\n        status: draft\n"
        f"        createdAt: '{FROZEN}'\n        leads:\n{leads}"
    )
    padding = size - len(records) - 100
    return f"extends: default\ndescription: {'x' * padding}\n{records}"


@pytest.fixture
def heap_frozen() -> Iterator[None]:
    """What the process holds so far (pytest's objects, other servers) left out of the cyclic garbage collector's
    full passes, which each take 50-250 ms in a test process on a loaded machine and may fall in any request; a
    server's own process holds far less. What the test allocates is still collected as usual."""
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("heap_frozen")
def test_loading_a_big_scenario_does_not_hold_up_other_requests() -> None:
    with MockServer() as server, httpx.Client(base_url=server.url, timeout=60) as loader:
        body = json.dumps({"yaml": big_scenario(5_000_000), "session": "big"}).encode()
        assert 4_900_000 < len(body) <= 5 * 1024 * 1024
        loaded: list[httpx.Response] = []
        load = threading.Thread(
            target=lambda: loaded.append(loader.post("/__admin/scenarios", content=body, headers=JSON_TYPE))
        )
        latencies = []
        with httpx.Client(base_url=server.url, timeout=10) as probe:
            probe.get("/__admin/health")  # the connection is open before the load starts
            load_started = time.perf_counter()
            load.start()
            while load.is_alive():
                started = time.perf_counter()
                assert probe.get("/__admin/health").status_code == 200
                latencies.append(time.perf_counter() - started)
            load.join()
            load_seconds = time.perf_counter() - load_started
        assert loaded[0].status_code == 200, loaded[0].text
        assert len(latencies) >= 3, "the load was too quick to measure anything"
        slowest = max(latencies)
        load_ms, slowest_ms = load_seconds * 1000, slowest * 1000
        print(f"health during a {load_ms:.0f} ms load: {len(latencies)} answers, slowest {slowest_ms:.1f} ms")
        # Loading on the event loop would hold a health check for most of the load; off the loop none waits longer
        # than a slice of it. (The absolute figure, about 10-50 ms, depends on the machine: the bound allows for a
        # busy one.)
        assert slowest < max(QUICK, load_seconds / 4)
        campaigns = loader.get("/__admin/state", params={"session": "big"}).json()["vendors"]["leadterra"]["campaigns"]
        assert len(next(c for c in campaigns if c["id"] == "camp_big")["leads"]) == 2_000
        assert len(loader.get("/__admin/state").json()["vendors"]["leadterra"]["campaigns"]) == 3  # others untouched


def test_scenario_over_the_body_limit_is_the_admin_apis_413(frozen: Target) -> None:
    body = json.dumps({"yaml": big_scenario(5 * 1024 * 1024)}).encode()
    with unchanged(frozen):
        response = frozen.admin("POST", "scenarios", content=body, headers=JSON_TYPE)
    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "payload_too_large", "message": "the request body is larger than 5242880 bytes"}
    }
