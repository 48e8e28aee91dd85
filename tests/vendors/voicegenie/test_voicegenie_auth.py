"""Authentication (contradiction V1): x-api-key by default, the login cookie under voicegenie.auth=cookie, 403 for
a key without permission, and the login, verifyLogin and logout pages; the third-party call pages also take a
Bearer token."""

from __future__ import annotations

import httpx
import pytest
from voicegenie_support import DRAFT, KEY, SEED_CAMPAIGN, USER_ID, data, failure, frozen_scenario

from campaign_mock.pytest_plugin import MockSession

LOGIN = {"email": "demo@voicegenie.example", "password": "demo-password", "recaptchaVal": "03AGdBq2"}
NO_KEY = {"success": False, "message": "Invalid or missing API key", "error": "UNAUTHORIZED"}
BAD_TOKEN = {"success": False, "message": "Invalid or expired token", "error": "UNAUTHORIZED"}


def login(client: httpx.Client) -> str:
    """Log in as the demo user; returns the token from Set-Cookie (the client's cookie jar is left empty, so every
    test sends the cookie explicitly)."""
    response = client.post("/auth/login", json=LOGIN, headers={"x-api-key": ""})
    assert response.status_code == 200, response.text
    client.cookies.clear()
    cookie = response.headers["set-cookie"]
    assert cookie.endswith("; Path=/; HttpOnly; Max-Age=86400; SameSite=Lax")
    return cookie.split(";")[0].removeprefix("token=")


@pytest.mark.parametrize(
    "headers", [{}, {"x-api-key": "vg_wrong"}, {"x-api-key": ""}, {"X-Api-Key": "VG_TEST_VOICEGENIE"}]
)
def test_missing_or_unknown_key_answers_401(frozen: MockSession, api: httpx.Client, headers: dict[str, str]) -> None:
    api.headers.pop("x-api-key")

    assert failure(api.get("/fetchCampaignData", headers=headers), 401) == NO_KEY
    assert failure(api.get(f"/startCampaign/{SEED_CAMPAIGN}", headers=headers), 401) == NO_KEY


def test_unknown_key_is_refused_before_the_request_is_read(frozen: MockSession, api: httpx.Client) -> None:
    response = api.get("/startCampaign/not-a-uuid", headers={"x-api-key": "vg_wrong"})

    assert failure(response, 401) == NO_KEY
    assert failure(api.get("/no/such/route", headers={"x-api-key": "vg_wrong"}), 401) == NO_KEY


def test_key_without_permission_answers_403(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.get("/fetchContacts", headers={"x-api-key": "vg_test_voicegenie_readonly"}), 403)

    assert body == {"success": False, "message": "API key does not have permission to access this resource"}


def test_login_sets_a_cookie_that_verify_login_reads(frozen: MockSession, api: httpx.Client) -> None:
    token = login(api)

    response = api.post("/auth/verifyLogin", headers={"Cookie": f"token={token}"})

    assert data(response) == {
        "valid": True,
        "user": {"id": USER_ID, "email": "demo@voicegenie.example", "name": "Demo Manager", "role": "manager"},
        "expires_at": "2025-03-04T09:00:00Z",
    }


def test_login_answers_the_user_configuration(frozen: MockSession, api: httpx.Client) -> None:
    body = api.post("/auth/login", json=LOGIN).json()

    assert (body["status"], body["message"]) == ("success", "user Login Successful.")
    assert body["data"]["_id"] == USER_ID
    assert body["data"]["agentLoginDetails"] == {"lastLogin": "2025-03-03T09:00:00Z", "loginCount": 1}
    assert "token" not in body["data"]


def test_login_wrong_password_answers_401_failed(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.post("/auth/login", json={**LOGIN, "password": "nope"}), 401)

    assert body == {"status": "failed", "data": {}, "message": "Invalid email or password"}


@pytest.mark.parametrize("missing", ["email", "password", "recaptchaVal"])
def test_login_missing_field_answers_422(frozen: MockSession, api: httpx.Client, missing: str) -> None:
    for body in ({k: v for k, v in LOGIN.items() if k != missing}, {**LOGIN, missing: ""}):
        assert failure(api.post("/auth/login", json=body), 422) == {
            "status": "failed",
            "data": "Auth Failed",
            "message": "",
        }


def test_verify_login_and_logout_need_the_cookie(frozen: MockSession, api: httpx.Client) -> None:
    assert failure(api.post("/auth/verifyLogin"), 401) == BAD_TOKEN
    assert failure(api.get("/logout"), 401) == {
        "success": False,
        "message": "Invalid or missing token",
        "error": "UNAUTHORIZED",
    }
    assert failure(api.post("/auth/verifyLogin", headers={"Cookie": "token=forged.token.value"}), 401) == BAD_TOKEN


def test_logout_revokes_the_token(frozen: MockSession, api: httpx.Client) -> None:
    token = login(api)
    cookie = {"Cookie": f"other=1; token={token}"}

    assert api.get("/logout", headers=cookie).json() == {"success": True, "message": "Logout successful"}
    assert api.get("/logout", headers=cookie).status_code == 401
    assert failure(api.post("/auth/verifyLogin", headers=cookie), 401) == BAD_TOKEN


def test_token_expires_after_24_hours(frozen: MockSession, api: httpx.Client) -> None:
    token = login(api)
    frozen.advance_clock(24 * 3600 - 1)
    assert api.post("/auth/verifyLogin", headers={"Cookie": f"token={token}"}).status_code == 200

    frozen.advance_clock(1)

    assert failure(api.post("/auth/verifyLogin", headers={"Cookie": f"token={token}"}), 401) == BAD_TOKEN


def test_cookie_variant_takes_the_cookie_and_ignores_the_key(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(yaml=frozen_scenario("variants:\n  voicegenie.auth: cookie\n"))

    assert failure(api.get("/fetchCampaignData"), 401) == BAD_TOKEN
    token = login(api)
    with_cookie = api.get(f"/campaign/{SEED_CAMPAIGN}", headers={"Cookie": f"token={token}"})
    assert data(with_cookie)["id"] == SEED_CAMPAIGN
    forbidden_key = api.get(
        "/fetchContacts", headers={"x-api-key": "vg_test_voicegenie_readonly", "Cookie": f"token={token}"}
    )
    assert forbidden_key.status_code == 200


def test_cookie_jar_of_a_client_sends_the_login_cookie_back(mock_session: MockSession) -> None:
    mock_session.load_scenario(yaml=frozen_scenario("variants:\n  voicegenie.auth: cookie\n"))
    with httpx.Client(base_url=mock_session.url("voicegenie")) as client:
        assert client.post("/auth/login", json=LOGIN).status_code == 200

        assert data(client.get("/fetchQuota"))["plan"] == "Pro"


def test_call_pages_take_a_bearer_key_a_bearer_token_or_the_cookie(frozen: MockSession, api: httpx.Client) -> None:
    api.headers.pop("x-api-key")
    token = login(api)
    body = {"campaignId": DRAFT, "userName": "Ana", "userPhoneNumber": "14155550101", "metaData": {}}

    for headers in (
        {"Authorization": f"Bearer {KEY}"},
        {"Authorization": f"Bearer {token}"},
        {"Cookie": f"token={token}"},
    ):
        assert data(api.post("/initiateCall", json=body, headers=headers))["status"] == "initiated"
    assert failure(api.post("/initiateCall", json=body, headers={"Authorization": "Bearer nope"}), 401) == BAD_TOKEN
    assert failure(api.post("/initiateCall", json=body), 401) == BAD_TOKEN
    forbidden = {"Authorization": "Bearer vg_test_voicegenie_readonly"}
    assert failure(api.post("/initiateCall", json=body, headers=forbidden), 403)["message"].startswith(
        "API key does not"
    )


def test_login_needs_no_credentials_even_under_the_cookie_variant(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(yaml=frozen_scenario("variants:\n  voicegenie.auth: cookie\n"))
    api.headers.pop("x-api-key")

    assert api.post("/auth/login", json=LOGIN).status_code == 200
