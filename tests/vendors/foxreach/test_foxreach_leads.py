"""Leads: the workspace's prospects, unique by email, and their activity."""

from __future__ import annotations

import httpx
import pytest
from foxreach_support import data, detail

LEAD_KEYS = {
    "id",
    "email",
    "firstName",
    "lastName",
    "company",
    "title",
    "phone",
    "linkedinUrl",
    "website",
    "customFields",
    "tags",
    "notes",
    "source",
    "status",
    "lastContactedAt",
    "createdAt",
    "updatedAt",
}


def ids(response: httpx.Response) -> list[str]:
    return [lead["id"] for lead in data(response)]


def test_list_leads_returns_every_lead(api: httpx.Client) -> None:
    body = api.get("/leads").json()
    assert len(body["data"]) == 6
    assert set(body["data"][0]) == LEAD_KEYS
    assert body["meta"] == {"page": 1, "pageSize": 20, "total": 6, "totalPages": 1}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "GLOBEX"}, ["cld_ben01"]),
        ({"search": "park"}, ["cld_cleo01"]),
        ({"search": "dmitri@"}, ["cld_dmitri01"]),
        ({"status": "unsubscribed"}, ["cld_farah01"]),
        ({"tags": "partners"}, ["cld_eve01", "cld_farah01"]),
        ({"tags": "emea,webinar"}, ["cld_ana01", "cld_cleo01", "cld_dmitri01"]),
        ({"tags": "partners", "status": "active"}, ["cld_eve01"]),
        ({"search": "nobody"}, []),
    ],
)
def test_list_leads_filters(api: httpx.Client, params: dict[str, str], expected: list[str]) -> None:
    assert ids(api.get("/leads", params=params)) == expected


def test_list_leads_unknown_status_is_422(api: httpx.Client) -> None:
    assert detail(api.get("/leads", params={"status": "cold"}), 422) == (
        "Validation error: status: 'cold' is not one of ['active', 'bounced', 'unsubscribed', 'replied']"
    )


def test_create_lead_fills_documented_defaults(api: httpx.Client, frozen: str) -> None:
    lead = data(api.post("/leads", json={"email": "gus@wayne.example", "firstName": "Gus"}), 201)
    assert lead == {
        "id": lead["id"],
        "email": "gus@wayne.example",
        "firstName": "Gus",
        "lastName": None,
        "company": None,
        "title": None,
        "phone": None,
        "linkedinUrl": None,
        "website": None,
        "customFields": {},
        "tags": [],
        "notes": None,
        "source": "api",
        "status": "active",
        "lastContactedAt": None,
        "createdAt": frozen,
        "updatedAt": frozen,
    }
    assert lead["id"].startswith("cld_")
    assert data(api.get(f"/leads/{lead['id']}")) == lead


def test_create_lead_keeps_custom_fields_and_tags(api: httpx.Client) -> None:
    body = {
        "email": "h@x.example",
        "customFields": {"dealSize": 1000, "deal_stage": "new"},
        "tags": ["a", "b"],
        "source": "manual",
        "status": "replied",
    }
    lead = data(api.post("/leads", json=body), 201)
    assert {k: lead[k] for k in body} == body


def test_create_lead_duplicate_email_is_409(api: httpx.Client) -> None:
    response = api.post("/leads", json={"email": "ANA@northwind.example"})
    assert detail(response, 409) == "Lead with this email already exists"
    assert len(data(api.get("/leads"))) == 6


def test_create_lead_malformed_email_is_422(api: httpx.Client) -> None:
    response = api.post("/leads", json={"email": "not-an-email"})
    assert detail(response, 422) == "Validation error: email is not a valid email address"


def test_create_lead_without_email_is_422(api: httpx.Client) -> None:
    response = api.post("/leads", json={"firstName": "Nameless"})
    assert detail(response, 422) == "Validation error: 'email' is a required property"


def test_get_lead_unknown_is_404(api: httpx.Client) -> None:
    assert detail(api.get("/leads/cld_ghost"), 404) == "Lead not found"


def test_update_lead_changes_given_fields(api: httpx.Client, frozen: str) -> None:
    before = data(api.get("/leads/cld_ben01"))
    after = data(api.patch("/leads/cld_ben01", json={"title": "CRO", "tags": ["vip"], "email": "x@y.example"}))
    assert after == {**before, "title": "CRO", "tags": ["vip"], "updatedAt": frozen}  # email never changes


def test_update_lead_null_clears_a_nullable_field(api: httpx.Client) -> None:
    lead = data(api.patch("/leads/cld_ana01", json={"company": None, "title": None}))
    assert (lead["company"], lead["title"], lead["firstName"]) == (None, None, "Ana")


def test_update_lead_unknown_is_404(api: httpx.Client) -> None:
    assert detail(api.patch("/leads/cld_ghost", json={"title": "x"}), 404) == "Lead not found"


def test_delete_lead_detaches_it_everywhere(api: httpx.Client) -> None:
    assert data(api.delete("/leads/cld_cleo01")) == {"id": "cld_cleo01", "deleted": True}
    assert detail(api.get("/leads/cld_cleo01"), 404) == "Lead not found"
    assert data(api.get("/campaigns/cmp_active001"))["totalLeads"] == 1
    assert data(api.get("/inbox/rpl_cleo01"))["leadId"] is None
    assert data(api.get("/inbox/threads/rpl_cleo01/conversation"))["lead"] is None


def test_delete_lead_unknown_is_404(api: httpx.Client) -> None:
    assert detail(api.delete("/leads/cld_ghost"), 404) == "Lead not found"


def test_get_lead_activity_merges_timeline_newest_first(api: httpx.Client) -> None:
    activity = data(api.get("/leads/cld_cleo01/activity"))
    assert [(a["id"], a["type"]) for a in activity["activities"]] == [
        ("rpl_cleo01", "reply_received"),
        ("cel_demo0001", "email_sent"),
    ]
    reply = activity["activities"][0]
    assert (reply["campaignName"], reply["category"], reply["timestamp"]) == (
        "Webinar follow-up",
        "interested",
        "2025-01-14T08:30:00",
    )
    assert activity["campaigns"] == [
        {
            "campaignId": "cmp_active001",
            "campaignName": "Webinar follow-up",
            "status": "replied",
            "currentStep": 1,
            "totalSent": 1,
            "totalOpened": 1,
            "lastSentAt": "2025-01-13T09:00:00",
            "nextSendAt": None,
            "repliedAt": "2025-01-14T08:30:00",
        }
    ]


def test_get_lead_activity_follows_a_renamed_campaign(api: httpx.Client) -> None:
    data(api.post("/campaigns/cmp_active001/pause"))
    data(api.patch("/campaigns/cmp_active001", json={"name": "Webinar recap"}))
    activity = data(api.get("/leads/cld_cleo01/activity"))
    assert [a["campaignName"] for a in activity["activities"]] == ["Webinar recap", "Webinar recap"]
    membership = activity["campaigns"][0]
    assert (membership["campaignName"], membership["totalSent"], membership["currentStep"]) == (
        "Webinar recap",
        1,
        1,
    )


def test_get_lead_activity_same_named_campaign_has_no_progress(api: httpx.Client) -> None:
    twin = data(api.post("/campaigns", json={"name": "Webinar follow-up"}), 201)
    data(api.post(f"/campaigns/{twin['id']}/leads", json={"leadIds": ["cld_cleo01"]}))
    campaigns = data(api.get("/leads/cld_cleo01/activity"))["campaigns"]
    progress = [(c["campaignId"], c["status"], c["totalSent"], c["totalOpened"], c["currentStep"]) for c in campaigns]
    assert progress == [("cmp_active001", "replied", 1, 1, 1), (twin["id"], "pending", 0, 0, None)]


def test_get_lead_activity_new_lead_is_empty(api: httpx.Client) -> None:
    assert data(api.get("/leads/cld_ana01/activity")) == {
        "activities": [],
        "campaigns": [
            {
                "campaignId": "cmp_abc123",
                "campaignName": "Q1 Outreach",
                "status": "pending",
                "currentStep": None,
                "totalSent": 0,
                "totalOpened": 0,
                "lastSentAt": None,
                "nextSendAt": None,
                "repliedAt": None,
            }
        ],
    }


def test_get_lead_activity_unknown_is_404(api: httpx.Client) -> None:
    assert detail(api.get("/leads/cld_ghost/activity"), 404) == "Lead not found"
