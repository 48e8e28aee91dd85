"""FoxReach's records and rules without HTTP: defaults, round-trips, reference checks, the guards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from campaign_mock.engine.chance import Chance
from campaign_mock.engine.errors import ApiError
from campaign_mock.engine.ids import IdFactory
from campaign_mock.engine.vendor import StateContext
from campaign_mock.vendors.foxreach import views
from campaign_mock.vendors.foxreach.records import CAMPAIGN_DEFAULTS, LEAD_DEFAULTS, WEBHOOK_DEFAULTS, naive
from campaign_mock.vendors.foxreach.seeds import check_references
from campaign_mock.vendors.foxreach.state import FoxReachState, valid_spin

NOW = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)


def build(section: dict[str, Any]) -> FoxReachState:
    return FoxReachState.from_dict(section, StateContext(NOW, IdFactory(), Chance()))


def minimal() -> dict[str, Any]:
    return {
        "api_keys": ["otr_x"],
        "leads": [{"id": "cld_1", "email": "a@x.example"}, {"id": "cld_2", "email": "b@x.example"}],
        "emailAccounts": [{"id": "acc_1", "email": "s@x.example"}],
        "campaigns": [
            {
                "id": "cmp_1",
                "name": "Draft",
                "sequences": [{"id": "seq_1", "body": "Hi"}],
                "leadIds": ["cld_1"],
                "accountIds": ["acc_1"],
            },
            {"id": "cmp_2", "name": "Live", "status": "active", "createdAt": "2025-01-01T08:00:00"},
        ],
        "inbox": [
            {"id": "rpl_1", "fromEmail": "a@x.example", "leadId": "cld_1", "campaignId": "cmp_1", "accountId": "acc_1"}
        ],
        "webhooks": [{"id": "cwh_1", "url": "https://h.example", "events": ["email.sent"]}],
        "templates": [{"id": "tpl_1", "name": "T"}],
    }


def test_naive_formats_utc_without_zone() -> None:
    assert naive(NOW) == "2025-01-15T10:00:00"


def test_from_dict_fills_campaign_defaults() -> None:
    draft, live = build(minimal()).campaigns
    assert {
        k: draft[k]
        for k in (
            "status",
            "timezone",
            "sendingDays",
            "dailyLimit",
            "totalLeads",
            "startedAt",
            "completedAt",
            "createdAt",
            "updatedAt",
        )
    } == {
        "status": "draft",
        "timezone": "UTC",
        "sendingDays": [1, 2, 3, 4, 5],
        "dailyLimit": 50,
        "totalLeads": 1,
        "startedAt": None,
        "completedAt": None,
        "createdAt": "2025-01-15T10:00:00",
        "updatedAt": "2025-01-15T10:00:00",
    }
    assert (live["startedAt"], live["updatedAt"]) == ("2025-01-01T08:00:00", "2025-01-01T08:00:00")


def test_from_dict_fills_step_defaults_and_numbers() -> None:
    step = build(minimal()).campaigns[0]["sequences"][0]
    assert step == {
        "id": "seq_1",
        "body": "Hi",
        "name": None,
        "subject": None,
        "delayDays": 0,
        "delayHours": 0,
        "sendOnlyIfNoReply": True,
        "templateType": "email",
        "campaignId": "cmp_1",
        "stepNumber": 1,
        "createdAt": "2025-01-15T10:00:00",
        "updatedAt": "2025-01-15T10:00:00",
    }


def test_from_dict_fills_other_records() -> None:
    state = build(minimal())
    assert (state.leads[0]["source"], state.leads[0]["status"], state.leads[0]["tags"]) == ("api", "active", [])
    assert (state.email_accounts[0]["dailyLimit"], state.email_accounts[0]["isActive"]) == (50, True)
    assert (state.inbox[0]["category"], state.inbox[0]["isRead"]) == ("uncategorized", False)
    assert state.templates[0]["body"] == ""
    assert state.webhooks[0]["secret"].startswith("whsec_")


def test_from_dict_generated_secret_is_deterministic() -> None:
    assert build(minimal()).webhooks[0]["secret"] == build(minimal()).webhooks[0]["secret"]


def test_to_dict_round_trips() -> None:
    exported = build(minimal()).to_dict()
    assert build(exported).to_dict() == exported
    assert check_references(exported) == []


def test_from_dict_does_not_touch_its_input() -> None:
    section = minimal()
    build(section)
    assert section == minimal()


def test_check_references_minimal_is_clean() -> None:
    assert check_references(minimal()) == []


def test_check_references_reports_dangling_ids() -> None:
    section = minimal()
    section["campaigns"][0]["leadIds"].append("cld_ghost")
    section["campaigns"][0]["accountIds"].append("acc_ghost")
    section["inbox"][0].update(leadId="cld_gone", campaignId="cmp_gone", accountId="acc_gone")
    assert check_references(section) == [
        (("campaigns", 0, "leadIds", 1), "no lead 'cld_ghost'"),
        (("campaigns", 0, "accountIds", 1), "no email account 'acc_ghost'"),
        (("inbox", 0, "leadId"), "no lead 'cld_gone'"),
        (("inbox", 0, "campaignId"), "no campaign 'cmp_gone'"),
        (("inbox", 0, "accountId"), "no email account 'acc_gone'"),
    ]


def test_check_references_reports_duplicates() -> None:
    section = minimal()
    section["leads"].append({"id": "cld_1", "email": "A@x.example"})
    section["campaigns"][1]["sequences"] = [{"id": "seq_1", "body": "again"}]
    section["campaigns"][0]["leadIds"].append("cld_1")
    assert check_references(section) == [
        (("leads", 2, "id"), "duplicate id 'cld_1'"),
        (("leads", 2, "email"), "another lead already has the email 'A@x.example'"),
        (("campaigns", 0, "leadIds", 1), "lead 'cld_1' is listed twice"),
        (("campaigns", 1, "sequences", 0, "id"), "duplicate id 'seq_1'"),
    ]


def test_check_references_reports_inconsistent_counters() -> None:
    section = minimal()
    section["campaigns"][0]["totalLeads"] = 5
    section["campaigns"][0]["sequences"][0]["stepNumber"] = 2
    assert check_references(section) == [
        (
            ("campaigns", 0, "totalLeads"),
            "totalLeads is 5 but leadIds lists 1 (leave totalLeads out: it follows leadIds)",
        ),
        (("campaigns", 0, "sequences", 0, "stepNumber"), "stepNumber 2 does not match the step's position (1)"),
    ]


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("plain", True),
        ("{Hi|Hello} there", True),
        ("{{firstName}}", True),
        ("{a|b} {{x}} {c|d}", True),
        ("{Hi|Hello", False),
        ("Hi}", False),
        ("{a|{b}}", False),
        ("{{firstName}", False),
    ],
)
def test_valid_spin(text: str, ok: bool) -> None:
    assert valid_spin(text) is ok


def test_start_refusal_changes_nothing() -> None:
    state = build(minimal())
    live = state.campaigns[1]
    before = dict(live)
    with pytest.raises(ApiError) as caught:
        state.start(live, "2025-02-01T00:00:00")
    assert (caught.value.status, caught.value.message) == (400, "Campaign is already active")
    assert live == before


def test_add_leads_with_one_unknown_id_adds_none() -> None:
    state = build(minimal())
    campaign = state.campaigns[0]
    with pytest.raises(ApiError) as caught:
        state.add_leads(campaign, ["cld_2", "cld_ghost"], "2025-02-01T00:00:00")
    assert (caught.value.status, caught.value.message) == (404, "Lead not found")
    assert (campaign["leadIds"], campaign["totalLeads"]) == (["cld_1"], 1)


def test_delete_lead_keeps_references_valid() -> None:
    state = build(minimal())
    state.delete_lead(state.leads[0], "2025-02-01T00:00:00")
    assert state.campaigns[0]["totalLeads"] == 0
    assert check_references(state.to_dict()) == []


def test_create_lead_duplicate_email_ignores_case() -> None:
    state = build(minimal())
    with pytest.raises(ApiError) as caught:
        state.create_lead("cld_9", {"email": "B@X.example"}, "2025-02-01T00:00:00")
    assert (caught.value.status, caught.value.message) == (409, "Lead with this email already exists")
    assert len(state.leads) == 2


def test_delete_campaign_draft_clears_replies_that_point_at_it() -> None:
    state = build(minimal())
    state.delete_campaign(state.campaigns[0])
    assert state.inbox[0]["campaignId"] is None
    assert check_references(state.to_dict()) == []


def test_delete_email_account_keeps_references_valid() -> None:
    state = build(minimal())
    state.delete_email_account(state.email_accounts[0], "2025-02-01T00:00:00")
    assert state.campaigns[0]["accountIds"] == []
    assert check_references(state.to_dict()) == []


def test_check_references_reports_a_step_of_another_campaign() -> None:
    section = minimal()
    section["campaigns"][0]["sequences"][0]["campaignId"] = "cmp_2"
    assert check_references(section) == [
        (
            ("campaigns", 0, "sequences", 0, "campaignId"),
            "campaignId 'cmp_2' is not the enclosing campaign 'cmp_1' "
            "(leave campaignId out: a step belongs to the campaign it is listed in)",
        )
    ]
    section["campaigns"][0]["sequences"][0]["campaignId"] = "cmp_1"
    assert check_references(section) == []


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ({"sendingStartHour": 17}, "sendingStartHour 17 is not before sendingEndHour 17"),
        ({"sendingStartHour": 10, "sendingEndHour": 8}, "sendingStartHour 10 is not before sendingEndHour 8"),
    ],
)
def test_check_references_reports_a_window_closing_before_it_opens(window: dict[str, int], message: str) -> None:
    section = minimal()
    section["campaigns"][1].update(window)
    assert check_references(section) == [(("campaigns", 1, "sendingStartHour"), message)]


def test_check_references_reports_a_reply_without_a_mailbox() -> None:
    section = minimal()
    del section["inbox"][0]["accountId"]
    problem = "the reply names no mailbox to answer from: give accountId or toEmail (or both)"
    assert check_references(section) == [(("inbox", 0), problem)]
    section["inbox"][0]["toEmail"] = "s@x.example"
    assert check_references(section) == []


def test_check_references_reports_activity_campaign_problems() -> None:
    section = minimal()
    section["leads"][0]["activities"] = [
        {"id": "cel_1", "type": "email_sent", "campaignId": "cmp_gone"},
        {"id": "cel_2", "type": "email_sent", "campaignId": "cmp_1", "campaignName": "Old name"},
        {"id": "cel_3", "type": "email_sent", "campaignId": "cmp_1", "campaignName": "Draft"},
        {"id": "cel_4", "type": "email_sent", "campaignName": "Elsewhere"},
    ]
    assert check_references(section) == [
        (("leads", 0, "activities", 0, "campaignId"), "no campaign 'cmp_gone'"),
        (
            ("leads", 0, "activities", 1, "campaignName"),
            "campaignName 'Old name' is not the name of campaign 'cmp_1' "
            "('Draft'; leave campaignName out: it follows campaignId)",
        ),
    ]


def test_lead_activity_names_campaigns_by_id_and_round_trips_after_a_rename() -> None:
    section = minimal()
    section["leads"][0]["activities"] = [
        {"id": "cel_1", "type": "email_sent", "campaignId": "cmp_1", "campaignName": "Draft", "sequenceStep": 1},
        {"id": "cel_2", "type": "email_sent", "campaignName": "Elsewhere", "timestamp": "2025-01-01T00:00:00"},
    ]
    state = build(section)
    state.update_campaign(state.campaigns[0], {"name": "Renamed"}, "2025-02-01T00:00:00")
    activity = views.lead_activity(state, state.leads[0])
    assert [(a["id"], a["campaignName"]) for a in activity["activities"]] == [
        ("rpl_1", "Renamed"),  # same time as cel_1: the order they are gathered in
        ("cel_1", "Renamed"),
        ("cel_2", "Elsewhere"),
    ]
    assert [(m["campaignName"], m["totalSent"], m["currentStep"]) for m in activity["campaigns"]] == [("Renamed", 1, 1)]
    exported = state.to_dict()
    assert check_references(exported) == []
    rebuilt = build(exported)
    assert views.lead_activity(rebuilt, rebuilt.leads[0]) == activity


def test_delete_campaign_detaches_its_activities() -> None:
    section = minimal()
    section["leads"][0]["activities"] = [{"id": "cel_1", "type": "email_sent", "campaignId": "cmp_1"}]
    state = build(section)
    state.delete_campaign(state.campaigns[0])
    assert state.leads[0]["activities"][0]["campaignId"] is None
    assert check_references(state.to_dict()) == []


def test_resume_without_sequence_steps_changes_nothing() -> None:
    state = build(minimal())
    paused = state.campaigns[1]
    paused["status"] = "paused"
    with pytest.raises(ApiError) as caught:
        state.resume(paused, "2025-02-01T00:00:00")
    assert (caught.value.status, caught.value.message) == (400, "Campaign must have at least one sequence step")
    assert paused["status"] == "paused"


def test_create_campaign_window_refusal_stores_nothing() -> None:
    state = build(minimal())
    with pytest.raises(ApiError) as caught:
        state.create_campaign("cmp_9", {"name": "Late", "sendingStartHour": 20}, "2025-02-01T00:00:00")
    assert (caught.value.status, caught.value.message) == (
        422,
        "Validation error: sendingStartHour (20) must be before sendingEndHour (17)",
    )
    assert [c["id"] for c in state.campaigns] == ["cmp_1", "cmp_2"]


def test_create_records_take_their_defaults_from_the_tables() -> None:
    state = build(minimal())
    now = "2025-02-01T00:00:00"
    campaign = state.create_campaign("cmp_9", {"name": "New"}, now)
    lead = state.create_lead("cld_9", {"email": "n@x.example"}, now)
    hook = state.create_webhook("cwh_9", "whsec_x", {"url": "https://h.example", "events": ["lead.created"]}, now)
    assert campaign["status"] == CAMPAIGN_DEFAULTS["status"]
    assert lead["activities"] == LEAD_DEFAULTS["activities"]
    assert {k: hook[k] for k in WEBHOOK_DEFAULTS} == WEBHOOK_DEFAULTS
    assert hook["secret"] == "whsec_x"


def test_delete_template_removes_it() -> None:
    state = build(minimal())
    state.delete_template(state.template("tpl_1"))
    assert state.templates == []
    with pytest.raises(ApiError) as caught:
        state.template("tpl_1")
    assert (caught.value.status, caught.value.message) == (404, "Template not found")


def test_delete_webhook_removes_it() -> None:
    state = build(minimal())
    state.delete_webhook(state.webhook("cwh_1"))
    assert state.webhooks == []
    with pytest.raises(ApiError) as caught:
        state.webhook("cwh_1")
    assert (caught.value.status, caught.value.message) == (404, "Webhook not found")
