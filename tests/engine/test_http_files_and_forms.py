"""File downloads and multipart forms over HTTP on the fake vendor: a bytes reply is checked against the media
types the spec lists for its status, and a form reaches the handler as text fields and files, or is refused in the
vendor's words (never with a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from fake_http import FROZEN, FROZEN_AT, PREFIX, MakeClient, TestClient, problem

RESET = "1736935260"  # the end of the minute that starts at FROZEN_AT
FROZEN_DEFAULT = f"extends: default\n{FROZEN}\n"
EXPORTED = b"id,name,kind\r\nthing_1,Box,folder\r\n"
UPLOADS = f"{PREFIX}/v1/uploads"
FILE = ("leads.csv", b"\x00id,name\r\n\xff1,Ann\r\n", "text/csv")
BOUNDARY = "multipart/form-data; boundary=xyz"


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> bytes:
    """A multipart/form-data body with the boundary `xyz`: text fields, then file parts."""
    parts = [
        f'--xyz\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, data, content_type) in files.items():
        head = f'--xyz\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        parts.append(f"{head}Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + b"--xyz--\r\n"


def _violations(client: TestClient) -> list[dict[str, Any]]:
    violations: list[dict[str, Any]] = client.get("/__admin/violations").json()["violations"]
    return violations


# -- bytes replies ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "media_type", "filename"),
    [({}, "text/csv", "thing_1.csv"), ({"format": "raw"}, "application/octet-stream", "thing_1.raw")],
)
def test_bytes_reply_in_a_media_type_the_spec_lists_passes_through_as_it_is(
    make_client: MakeClient, params: dict[str, str], media_type: str, filename: str
) -> None:
    client = make_client(FROZEN_DEFAULT)

    response = client.get(f"{PREFIX}/v1/things/thing_1/export", params=params)

    assert response.status_code == 200
    assert response.content == EXPORTED
    assert dict(response.headers) == {
        "content-type": media_type,
        "content-disposition": f'attachment; filename="{filename}"',
        "content-length": str(len(EXPORTED)),
        "x-ratelimit-limit": "50",
        "x-ratelimit-remaining": "49",
        "x-ratelimit-reset": RESET,
    }
    assert _violations(client) == []


def test_bytes_reply_in_a_media_type_the_spec_does_not_list_answers_500_and_is_recorded(
    make_client: MakeClient,
) -> None:
    client = make_client(FROZEN_DEFAULT)
    message = "the spec documents no application/xml body for this status"

    response = client.get(f"{PREFIX}/v1/things/thing_1/export", params={"format": "xml"})

    issue = {"where": "", "schemaPath": "responses/200", "message": message}
    assert response.status_code == 500
    assert response.json() == {"error": "mock_contract_violation", "operation": "export_thing", "status": 200, **issue}
    assert response.headers["content-type"] == "application/json"
    assert "content-disposition" not in response.headers
    assert _violations(client) == [
        {
            "kind": "response",
            "session": "default",
            "vendor": "fakevendor",
            "operationId": "export_thing",
            "method": "GET",
            "path": "/v1/things/{thing_id}/export",
            "status": 200,
            "issues": [issue],
            "time": FROZEN_AT,
        }
    ]


def test_bytes_reply_in_an_unlisted_media_type_passes_through_when_violations_only_warn(
    make_client: MakeClient,
) -> None:
    client = make_client(on_response_violation="warn")

    response = client.get(f"{PREFIX}/v1/things/thing_1/export", params={"format": "xml"})

    assert response.status_code == 200
    assert (response.headers["content-type"], response.content) == ("application/xml", EXPORTED)
    assert [(v["operationId"], v["status"]) for v in _violations(client)] == [("export_thing", 200)]


def test_bytes_reply_of_a_handler_error_is_the_vendors_json_error(client: TestClient) -> None:
    response = client.get(f"{PREFIX}/v1/things/thing_9/export")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == problem("missing", "no thing 'thing_9'")


# -- multipart forms ---------------------------------------------------------------------------------------
def test_form_with_fields_and_a_file_reaches_the_handler(client: TestClient) -> None:
    response = client.post(UPLOADS, data={"title": "Q1 leads", "note": "from the fair"}, files={"file": FILE})

    assert response.status_code == 201
    assert response.json() == {
        "body": {"title": "Q1 leads", "note": "from the fair", "file": "leads.csv"},
        "files": {"file": {"filename": "leads.csv", "contentType": "text/csv", "hex": FILE[1].hex()}},
    }
    assert _violations(client) == []


def test_form_file_keeps_its_exact_bytes_and_content_type_whatever_the_case_of_the_media_type(
    client: TestClient,
) -> None:
    body = (
        b"--xyz\r\n"
        b'Content-Disposition: form-data; name="title"\r\n\r\n'
        b"Q2\r\n"
        b"--xyz\r\n"
        b'Content-Disposition: form-data; name="file"; filename="a b.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
        b"\r\n\x01\x02"
        b"\r\n--xyz--\r\n"  # the line break before a boundary belongs to the boundary
    )

    response = client.post(UPLOADS, content=body, headers={"content-type": "Multipart/Form-Data; boundary=xyz"})

    assert response.status_code == 201
    assert response.json() == {
        "body": {"title": "Q2", "file": "a b.bin"},
        "files": {"file": {"filename": "a b.bin", "contentType": "application/octet-stream", "hex": "0d0a0102"}},
    }


@pytest.mark.parametrize(
    ("fields", "files", "detail"),
    [
        ({"note": "n"}, {"file": FILE}, "body: (top level): 'title' is a required property"),
        ({"title": "Q1"}, {}, "body: (top level): 'file' is a required property"),
        ({"title": ""}, {"file": FILE}, "body: title: '' should be non-empty"),
        ({"title": "Q1", "extra": "x"}, {"file": FILE}, "body: extra: unknown key 'extra'"),
    ],
    ids=["missing-field", "missing-file", "empty-title", "unknown-field"],
)
def test_form_that_breaks_the_form_schema_gets_the_vendors_request_invalid_rendering(
    client: TestClient, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]], detail: str
) -> None:
    response = client.post(UPLOADS, content=_multipart(fields, files), headers={"content-type": BOUNDARY})

    assert response.status_code == 422
    assert response.json() == problem("bad_input", detail)
    assert [(v["kind"], v["operationId"], v["status"]) for v in _violations(client)] == [("request", "upload", 422)]


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b'{"title": "Q1"}', {"content-type": "application/json"}),
        (b"title=Q1", {"content-type": "application/x-www-form-urlencoded"}),
        (b"", {}),
    ],
    ids=["json", "urlencoded", "empty"],
)
def test_form_only_operation_refuses_a_body_that_is_not_multipart(
    client: TestClient, content: bytes, headers: dict[str, str]
) -> None:
    response = client.post(UPLOADS, content=content, headers=headers)

    assert response.status_code == 422
    assert response.json() == problem("bad_input", "body: (top level): a multipart/form-data body is required")


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [
        ("multipart/form-data", b"--xyz\r\n", "Missing boundary in multipart."),
        (BOUNDARY, b"not a multipart body at all", "Invalid multipart data."),
        (
            BOUNDARY,
            b"--xyz\r\nContent-Disposition: form-data\r\n\r\nQ1\r\n--xyz--\r\n",
            'The Content-Disposition header field "name" must be provided.',
        ),
        (BOUNDARY, b"--xyz\r\nbroken header\r\n\r\nQ1\r\n--xyz--\r\n", "Invalid multipart data."),
    ],
    ids=["no-boundary", "garbage", "part-without-name", "broken-part-header"],
)
def test_form_that_cannot_be_read_is_refused_as_invalid_never_a_500(
    client: TestClient, content_type: str, body: bytes, reason: str
) -> None:
    response = client.post(UPLOADS, content=body, headers={"content-type": content_type})

    assert response.status_code == 422
    assert response.json() == problem("bad_input", f"body: (top level): the multipart body cannot be read ({reason})")
    assert [(v["kind"], v["operationId"]) for v in _violations(client)] == [("request", "upload")]
    assert client.get(f"{PREFIX}/v1/things").status_code == 200  # and the mock keeps serving


def test_bytes_reply_media_type_is_compared_without_its_parameters(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT)

    response = client.get(f"{PREFIX}/v1/things/thing_1/export", params={"format": "utf8"})

    assert (response.status_code, response.headers["content-type"]) == (200, "text/csv; charset=utf-8")
    assert response.content == EXPORTED
    assert _violations(client) == []


def test_bytes_reply_labelled_json_is_a_violation_even_where_json_is_documented(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT)

    response = client.get(f"{PREFIX}/v1/things/thing_1/export", params={"format": "json"})

    assert (response.status_code, response.json()["error"]) == (500, "mock_contract_violation")
    assert response.json()["message"] == "the spec documents no application/json body for this status"
