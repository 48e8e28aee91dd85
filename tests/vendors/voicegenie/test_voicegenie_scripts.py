"""Scripts, the script-support pages, and the third-party batch calls."""

from __future__ import annotations

import httpx
import pytest
from voicegenie_support import DRAFT, NOW, SCRIPT, SEED_CAMPAIGN, UNKNOWN, USER_ID, data, failure

from campaign_mock.pytest_plugin import MockSession

PROMPT = {"initial_prompt": "Hi {name}, quick question about {company}."}


def test_create_script_answers_version_1_and_fetch_script_reads_it_back(frozen: MockSession, api: httpx.Client) -> None:
    body = {
        "script_name": "Intro",
        "script_content": PROMPT,
        "language": "es-ES",
        "call_settings": {"max_duration": 120},
    }

    created = api.post("/createScript", json=body).json()
    script = data(api.post("/fetchScript", json={"script_id": created["data"]["script_id"]}))

    assert created == {
        "success": True,
        "data": {
            "script_id": created["data"]["script_id"],
            "script_name": "Intro",
            "created_at": NOW,
            "version": "1.0.0",
        },
        "message": "Script created successfully",
    }
    assert script == {
        "script_id": created["data"]["script_id"],
        "script_name": "Intro",
        "script_content": PROMPT,
        "language": "es-ES",
        "accent": "spain",  # left out: the language's first accent (Spanish has no neutral one)
        "version": "1.0.0",
        "created_at": NOW,
        "updated_at": NOW,
    }


def test_create_script_empty_initial_prompt_answers_400(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(
        api.post("/createScript", json={"script_name": "X", "script_content": {"initial_prompt": "  "}}), 400
    )

    assert body == {
        "success": False,
        "message": "Invalid request data",
        "error": "BAD_REQUEST",
        "details": {"field": "script_content.initial_prompt", "issue": "Initial prompt cannot be empty"},
    }


@pytest.mark.parametrize(
    ("language", "accent", "details"),
    [
        ("pt-BR", "neutral", {"language": "Unsupported language code"}),
        ("fr-FR", "british", {"accent": "Accent not available for the selected language"}),
        ("hi-IN", "neutral", {"accent": "Accent not available for the selected language"}),
    ],
)
def test_create_script_unsupported_language_or_accent_answers_422(
    frozen: MockSession, api: httpx.Client, language: str, accent: str, details: dict[str, str]
) -> None:
    body = {"script_name": "X", "script_content": PROMPT, "language": language, "accent": accent}

    assert failure(api.post("/createScript", json=body), 422) == {
        "success": False,
        "message": "Script validation failed",
        "error": "VALIDATION_ERROR",
        "details": details,
    }


def test_fetch_script_with_analytics_and_history(frozen: MockSession, api: httpx.Client) -> None:
    script = data(
        api.post("/fetchScript", json={"script_id": SCRIPT, "include_analytics": True, "include_history": True})
    )

    # script_renewal01 made four calls: 125 s answered, 30 s no_answer (Renewals Q1), 250 s answered, 35 s voicemail.
    assert script["usage_stats"] == {"total_calls": 4, "success_rate": 50.0, "avg_duration": 110}
    assert script["version_history"] == [{"version": "1.0.0", "updated_at": "2025-01-05T09:00:00Z"}]


def test_fetch_script_unknown_answers_404(frozen: MockSession, api: httpx.Client) -> None:
    assert failure(api.post("/fetchScript", json={"script_id": "script_nope"}), 404) == {
        "success": False,
        "message": "Script not found",
        "error": "NOT_FOUND",
    }


def test_update_user_specific_script_data_stores_it_per_user(frozen: MockSession, api: httpx.Client) -> None:
    custom = {"custom_prompts": [{"trigger": "greeting", "text": "Hello from Ana"}], "variables": {"tone": "warm"}}
    body = {"script_id": SCRIPT, "user_id": USER_ID, "user_specific_data": custom}

    response = api.post("/updateUserSpecificScriptData", json=body).json()
    state = frozen.admin("GET", "state").json()["vendors"]["voicegenie"]
    script = next(s for s in state["scripts"] if s["script_id"] == SCRIPT)

    assert response == {
        "success": True,
        "message": "User-specific script data updated successfully",
        "data": {"script_id": SCRIPT, "user_id": USER_ID, "user_specific_data": custom, "updated_at": NOW},
    }
    assert script["user_specific_data"] == {USER_ID: custom}
    assert script["updated_at"] == "2025-01-05T09:00:00Z"  # the base script is unchanged
    missing = api.post("/updateUserSpecificScriptData", json={**body, "script_id": "nope"})
    assert failure(missing, 404)["message"] == "Script not found"


def test_fetch_accents_and_language_answers_the_catalogue(frozen: MockSession, api: httpx.Client) -> None:
    body = api.get("/fetchAccentsAndLanguageFromBackendServer").json()

    assert body["message"] == "Accents and languages retrieved successfully"
    assert [lang["code"] for lang in body["data"]["languages"]] == ["en-US", "en-IN", "hi-IN"]
    assert all(len(lang["voices"]) == 2 for lang in body["data"]["languages"])
    assert [a["accent"] for a in body["data"]["accents"]] == ["american", "indian", "british"]


def test_fetch_new_generative_bot_script_answers_the_user(frozen: MockSession, api: httpx.Client) -> None:
    body = api.post("/fetchNewGenerativeBotScript", json={"userId": USER_ID}).json()

    assert (body["status"], body["message"]) == ("success", "Fetched")
    assert body["data"]["_id"] == USER_ID and body["data"]["generativeBotScript"] is True


@pytest.mark.parametrize("payload", [{}, {"userId": "not-an-object-id"}, {"userId": "0123456789abcdef01234567"}])
def test_fetch_new_generative_bot_script_unknown_user_answers_422(
    frozen: MockSession, api: httpx.Client, payload: dict[str, str]
) -> None:
    assert failure(api.post("/fetchNewGenerativeBotScript", json=payload), 422) == {
        "status": "failed",
        "data": "something went wrong!",
        "message": "",
    }


# -- third-party batch calls ------------------------------------------------------------------------
def test_initiate_batch_call_places_valid_numbers_and_lists_the_rest(frozen: MockSession, api: httpx.Client) -> None:
    users = [
        {"userName": "Ana", "userPhoneNumber": "919625147093", "metaData": {"plan": "Pro"}},
        {"userName": "Bo", "userPhoneNumber": "+919625147094"},
        {"userName": "Cy", "userPhoneNumber": "14155550101"},
    ]

    result = data(api.post("/initiateBatchCall", json={"campaignId": DRAFT, "users": users}))

    assert (result["total_users"], result["calls_initiated"], result["calls_failed"]) == (3, 2, 1)
    assert result["batch_id"].startswith("batch_")
    assert [c["status"] for c in result["calls"]] == ["initiated", "failed", "initiated"]
    assert result["calls"][1] == {
        "call_uuid": None,
        "userName": "Bo",
        "userPhoneNumber": "+919625147094",
        "status": "failed",
        "error": "Phone number must be 10 to 15 digits without a plus sign",
    }


def test_initiate_batch_call_documented_errors(frozen: MockSession, api: httpx.Client) -> None:
    empty = failure(api.post("/initiateBatchCall", json={"campaignId": DRAFT, "users": []}), 400)
    many = [{"userName": "A", "userPhoneNumber": "919625147093"}] * 1001
    too_many = failure(api.post("/initiateBatchCall", json={"campaignId": DRAFT, "users": many}), 413)
    incomplete = [{"userName": "A", "userPhoneNumber": "919625147093"}] * 2 + [{"userPhoneNumber": "919625147093"}]
    missing = failure(api.post("/initiateBatchCall", json={"campaignId": DRAFT, "users": incomplete}), 422)
    bad = failure(
        api.post(
            "/initiateBatchCall", json={"campaignId": DRAFT, "users": [{"userName": "A", "userPhoneNumber": "12"}]}
        ),
        400,
    )
    unknown = failure(api.post("/initiateBatchCall", json={"campaignId": UNKNOWN, "users": incomplete[:1]}), 404)

    assert empty == {"success": False, "message": "Invalid users array", "error": "Users array cannot be empty"}
    assert too_many == {"success": False, "message": "Too many users", "error": "Maximum 1000 users allowed per batch"}
    assert missing == {
        "success": False,
        "message": "Validation failed",
        "error": "Missing required field: userName for user at index 2",
    }
    assert bad == {
        "success": False,
        "message": "Invalid phone number format",
        "error": "No user has a valid phone number (10 to 15 digits, no plus)",
    }
    assert unknown == {"success": False, "message": "Campaign not found", "error": "NOT_FOUND"}


def test_initiate_call_malformed_number_answers_400(frozen: MockSession, api: httpx.Client) -> None:
    body = {"campaignId": SEED_CAMPAIGN, "userName": "A", "userPhoneNumber": "+919625147093", "metaData": {}}

    assert failure(api.post("/initiateCall", json=body), 400) == {
        "success": False,
        "message": "Invalid phone number",
        "error": "Phone number must be valid",
    }


def test_initiate_batch_call_using_sheet_places_the_valid_rows(frozen: MockSession, api: httpx.Client) -> None:
    sheet = (
        "userName,userPhoneNumber,metaData\n"
        'Ana,919625147093,"{""plan"": ""Pro""}"\n'
        "Bo,+9196,{}\n"  # a bad number
        ",919625147095,{}\n"  # no name
        "Di,919625147096,not json\n"  # metaData is not a JSON object
        "Ed,919625147097,\n"
    )

    result = data(
        api.post(
            "/initiateBatchCallUsingSheet", data={"campaignId": DRAFT}, files={"file": ("users.csv", sheet, "text/csv")}
        )
    )
    frozen.advance_clock(600)
    called = sorted(c["contact_name"] for c in data(api.post("/getHistory", json={"campaign_id": DRAFT}))["history"])

    assert result == {
        "total_users": 5,
        "valid_users": 2,
        "invalid_users": 3,
        "batch_id": result["batch_id"],
        "status": "processing",
        "estimated_time": "1-2 minutes",
    }
    assert called == ["Ana", "Ed"]


def test_initiate_batch_call_using_sheet_errors(frozen: MockSession, api: httpx.Client) -> None:
    unreadable = api.post(
        "/initiateBatchCallUsingSheet",
        data={"campaignId": DRAFT},
        files={"file": ("users.xlsx", b"PK\x03\x04broken", "application/zip")},
    )
    no_campaign = api.post("/initiateBatchCallUsingSheet", files={"file": ("u.csv", "userName\n", "text/csv")})

    assert failure(unreadable, 400)["message"] == "Invalid file"
    assert failure(no_campaign, 400)["details"] == {"field": "campaignId", "issue": "is required"}
