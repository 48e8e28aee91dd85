"""The inbox: replies from leads, their flags, conversations and answers."""

from __future__ import annotations

import re

import httpx
import pytest
from foxreach_support import data, detail

from campaign_mock.pytest_plugin import MockSession

REPLY_KEYS = {
    "id",
    "fromEmail",
    "toEmail",
    "subject",
    "bodyPreview",
    "body",
    "bodyPlain",
    "category",
    "isRead",
    "isStarred",
    "receivedAt",
    "leadId",
    "campaignId",
    "accountId",
}


def ids(response: httpx.Response) -> list[str]:
    return [r["id"] for r in data(response)]


def test_list_inbox_threads_newest_first(api: httpx.Client) -> None:
    body = api.get("/inbox/threads").json()
    assert [r["id"] for r in body["data"]] == ["rpl_dmitri01", "rpl_cleo01"]
    assert set(body["data"][0]) == REPLY_KEYS
    assert body["meta"] == {"page": 1, "pageSize": 20, "total": 2, "totalPages": 1}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "interested"}, ["rpl_cleo01"]),
        ({"isRead": "false"}, ["rpl_cleo01"]),
        ({"isRead": "true"}, ["rpl_dmitri01"]),
        ({"isStarred": "true"}, []),
        ({"accountId": "acc_priya01"}, ["rpl_dmitri01"]),
        ({"campaignId": "cmp_active001"}, ["rpl_dmitri01", "rpl_cleo01"]),
        ({"search": "DEMO"}, ["rpl_cleo01"]),
        ({"search": "umbrella"}, ["rpl_dmitri01"]),
    ],
)
def test_list_inbox_threads_filters(api: httpx.Client, params: dict[str, str], expected: list[str]) -> None:
    assert ids(api.get("/inbox/threads", params=params)) == expected


def test_list_inbox_threads_bad_boolean_is_422(api: httpx.Client) -> None:
    assert detail(api.get("/inbox/threads", params={"isRead": "maybe"}), 422) == (
        "Validation error: isRead: 'maybe' is not of type 'boolean'"
    )


def test_get_inbox_reply_returns_the_thread(api: httpx.Client) -> None:
    reply = data(api.get("/inbox/rpl_dmitri01"))
    assert (reply["category"], reply["isRead"], reply["body"]) == ("out_of_office", True, None)


def test_get_inbox_reply_unknown_is_404(api: httpx.Client) -> None:
    assert detail(api.get("/inbox/rpl_ghost"), 404) == "Thread not found"


@pytest.mark.parametrize("path", ["/inbox/rpl_cleo01", "/inbox/threads/rpl_cleo01"])
def test_update_inbox_reply_sets_flags_at_both_paths(api: httpx.Client, path: str) -> None:
    reply = data(api.patch(path, json={"isRead": True, "isStarred": True, "category": "not_interested"}))
    assert (reply["isRead"], reply["isStarred"], reply["category"]) == (True, True, "not_interested")
    assert data(api.get("/inbox/rpl_cleo01")) == reply


@pytest.mark.parametrize("path", ["/inbox/rpl_ghost", "/inbox/threads/rpl_ghost"])
def test_update_inbox_reply_unknown_is_404(api: httpx.Client, path: str) -> None:
    assert detail(api.patch(path, json={"isRead": True}), 404) == "Thread not found"


def test_update_inbox_reply_invalid_category_is_422(api: httpx.Client) -> None:
    response = api.patch("/inbox/rpl_cleo01", json={"category": "spam"})
    assert detail(response, 422) == (
        "Validation error: category: 'spam' is not one of "
        "['interested', 'not_interested', 'out_of_office', 'uncategorized', 'unknown']"
    )


def test_get_inbox_stats_counts_by_state_and_category(api: httpx.Client) -> None:
    assert data(api.get("/inbox/stats")) == {
        "total": 2,
        "unread": 1,
        "interested": 1,
        "notInterested": 0,
        "outOfOffice": 1,
        "uncategorized": 0,
        "unknown": 0,
        "bounce": 0,
        "totalSent": 0,
    }


def test_get_inbox_stats_counts_bounces(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(
        yaml="extends: default\nvendors:\n  foxreach:\n    inbox:\n"
        "      - {id: rpl_bounce, fromEmail: mailer-daemon@initech.example, toEmail: jordan@mail.brightpath.example,"
        " category: bounce}\n"
    )
    stats = data(api.get("/inbox/stats"))
    assert (stats["total"], stats["bounce"]) == (3, 1)
    categories = ("interested", "notInterested", "outOfOffice", "uncategorized", "unknown", "bounce")
    assert sum(stats[key] for key in categories) == stats["total"]


def test_get_inbox_conversation_seeded_messages_oldest_first(api: httpx.Client) -> None:
    conversation = data(api.get("/inbox/threads/rpl_cleo01/conversation"))
    assert [(m["id"], m["direction"]) for m in conversation["messages"]] == [
        ("cel_demo0001", "sent"),
        ("rpl_cleo01", "received"),
    ]
    assert conversation["lead"] == {
        "id": "cld_cleo01",
        "email": "cleo@initech.example",
        "firstName": "Cleo",
        "lastName": "Park",
        "company": "Initech",
    }
    assert conversation["campaign"] == {"id": "cmp_active001", "name": "Webinar follow-up"}


def test_get_inbox_conversation_without_messages_is_the_reply_alone(api: httpx.Client) -> None:
    messages = data(api.get("/inbox/threads/rpl_dmitri01/conversation"))["messages"]
    assert messages == [
        {
            "id": "rpl_dmitri01",
            "direction": "received",
            "fromEmail": "dmitri@umbrella.example",
            "toEmail": "priya@mail.brightpath.example",
            "subject": "Automatic reply: Any questions?",
            "body": "I am out of the office until January 20.",
            "category": "out_of_office",
            "timestamp": "2025-01-14T12:00:00",
        }
    ]


def test_get_inbox_conversation_unknown_is_404(api: httpx.Client) -> None:
    assert detail(api.get("/inbox/threads/rpl_ghost/conversation"), 404) == "Thread not found"


def message_id(header: str) -> str:
    """The stored message's id inside a `<cel_…@mail.foxreach.mock>` Message-ID header."""
    match = re.fullmatch(r"<(cel_[^@<>]+)@mail\.foxreach\.mock>", header)
    assert match, header
    return match.group(1)


def test_reply_to_inbox_thread_sends_and_records_the_answer(api: httpx.Client, frozen: str) -> None:
    result = data(api.post("/inbox/threads/rpl_dmitri01/reply", json={"body": "See you on the 21st."}))
    assert result["success"] is True
    sent_id = message_id(result["messageId"])
    messages = data(api.get("/inbox/threads/rpl_dmitri01/conversation"))["messages"]
    assert messages[-1] == {
        "id": sent_id,
        "direction": "sent",
        "fromEmail": "priya@mail.brightpath.example",
        "toEmail": "dmitri@umbrella.example",
        "subject": "Re: Automatic reply: Any questions?",
        "body": "See you on the 21st.",
        "category": None,
        "timestamp": frozen,
    }
    assert data(api.get("/inbox/stats"))["totalSent"] == 1
    assert data(api.get("/leads/cld_dmitri01"))["lastContactedAt"] == frozen
    assert data(api.get("/leads/cld_dmitri01/activity"))["activities"][0]["id"] == sent_id


def test_reply_to_inbox_thread_subject_override(api: httpx.Client) -> None:
    result = data(api.post("/inbox/threads/rpl_cleo01/reply", json={"body": "Sure!", "subject": "Demo time"}))
    messages = data(api.get("/inbox/threads/rpl_cleo01/conversation"))["messages"]
    assert (messages[-1]["id"], messages[-1]["subject"]) == (message_id(result["messageId"]), "Demo time")


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "   "}, {"subject": "Only a subject"}])
def test_reply_to_inbox_thread_without_body_is_400(api: httpx.Client, body: dict[str, str]) -> None:
    assert detail(api.post("/inbox/threads/rpl_cleo01/reply", json=body), 400) == "Reply body is required"
    assert data(api.get("/inbox/stats"))["totalSent"] == 0


def test_reply_to_inbox_thread_unknown_is_404(api: httpx.Client) -> None:
    assert detail(api.post("/inbox/threads/rpl_ghost/reply", json={"body": "x"}), 404) == "Thread not found"


def test_reply_to_inbox_thread_message_ids_are_distinct_headers(api: httpx.Client) -> None:
    first = data(api.post("/inbox/threads/rpl_cleo01/reply", json={"body": "One"}))["messageId"]
    second = data(api.post("/inbox/threads/rpl_cleo01/reply", json={"body": "Two"}))["messageId"]
    assert message_id(first) != message_id(second)


def test_reply_to_inbox_thread_smtp_failure_is_500(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario("foxreach/reply-failed")
    response = api.post("/inbox/threads/rpl_dmitri01/reply", json={"body": "Hello?"})
    assert detail(response, 500) == "Failed to send reply (SMTP error)"
    assert data(api.get("/inbox/threads/rpl_dmitri01/conversation"))["messages"][-1]["direction"] == "received"


def test_load_scenario_reply_without_a_mailbox_is_refused(mock_session: MockSession) -> None:
    text = "extends: default\nvendors:\n  foxreach:\n    inbox:\n      - {id: rpl_orphan, fromEmail: x@y.example}\n"
    response = mock_session.admin("POST", "scenarios", json={"yaml": text})
    assert response.status_code == 400
    assert response.json()["error"]["problems"] == [
        "<posted yaml>:5: vendors.foxreach.inbox[0]: the reply names no mailbox to answer from: "
        "give accountId or toEmail (or both)"
    ]
