"""The official `foxreach` SDK (sync client), unmodified, against the mock: every public method, the error
classes it raises, its retries on 429, and its auto-paging iterator."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from foxreach import (
    AuthenticationError,
    BadRequestError,
    CampaignCreate,
    CampaignUpdate,
    FoxReach,
    FoxReachError,
    LeadCreate,
    LeadUpdate,
    NotFoundError,
    PermissionError,
    RateLimitError,
    SequenceCreate,
    SequenceUpdate,
    TemplateCreate,
    TemplateUpdate,
    ThreadUpdate,
    ValidationError,
    WebhookCreate,
    WebhookUpdate,
)
from foxreach_sdk_support import AUTH_401, KEY, NOW, base_url, journal, limited

from campaign_mock.pytest_plugin import MockSession


@pytest.fixture
def fox(mock_session: MockSession) -> Iterator[FoxReach]:
    with FoxReach(api_key=KEY, base_url=base_url(mock_session)) as client:
        yield client


# -- the happy path -----------------------------------------------------------------------------------
def test_campaigns_happy_path_create_sequence_leads_accounts_start_pause_resume(
    mock_session: MockSession, fox: FoxReach
) -> None:
    mock_session.set_clock(now=NOW, frozen=True)
    campaign = fox.campaigns.create(CampaignCreate(name="Launch", daily_limit=40, sending_days=[1, 2, 3]))
    assert (campaign.status, campaign.daily_limit, campaign.sending_days, campaign.timezone) == (
        "draft",
        40,
        [1, 2, 3],
        "UTC",
    )
    step = fox.campaigns.sequences.create(campaign.id, SequenceCreate(body="Hi {{firstName}}", subject="Hello"))
    assert (step.campaign_id, step.step_number, step.delay_days, step.template_type) == (campaign.id, 1, 1, "email")
    lead = fox.leads.create(LeadCreate(email="zoe@acme.example", first_name="Zoe"))
    assert fox.campaigns.add_leads(campaign.id, [lead.id, "cld_ana01"]) == {
        "campaign_id": campaign.id,
        "added": 2,
        "skipped": 0,
    }
    assert fox.campaigns.add_accounts(campaign.id, ["acc_jordan01"])["added"] == 1

    started = fox.campaigns.start(campaign.id)
    assert (started.status, started.started_at, started.total_leads) == ("active", "2025-01-15T10:00:00", 2)
    assert fox.campaigns.pause(campaign.id).status == "paused"
    resumed = fox.campaigns.resume(campaign.id)
    assert (resumed.status, resumed.started_at) == ("active", "2025-01-15T10:00:00")
    assert fox.campaigns.get(campaign.id) == resumed


# -- every method, resource by resource ---------------------------------------------------------------
def test_campaigns_list_get_update_delete(fox: FoxReach) -> None:
    page = fox.campaigns.list()
    assert [c.id for c in page] == ["cmp_abc123", "cmp_active001", "cmp_paused001", "cmp_completed001"]
    assert (page.meta.page, page.meta.page_size, page.meta.total, page.meta.total_pages) == (1, 50, 4, 1)
    assert [c.id for c in fox.campaigns.list(status="paused")] == ["cmp_paused001"]
    assert fox.campaigns.get("cmp_active001").total_sent == 42
    updated = fox.campaigns.update("cmp_abc123", CampaignUpdate(name="Q1 v2", sending_end_hour=18))
    assert (updated.name, updated.sending_end_hour, updated.timezone) == ("Q1 v2", 18, "America/New_York")
    assert fox.campaigns.update("cmp_abc123", CampaignUpdate()) == updated  # an empty update changes nothing
    assert fox.campaigns.delete("cmp_abc123") is None
    with pytest.raises(NotFoundError):
        fox.campaigns.get("cmp_abc123")


def test_campaigns_remove_lead_and_remove_account(fox: FoxReach) -> None:
    assert fox.campaigns.remove_lead("cmp_abc123", "cld_ana01") == {
        "id": "cld_ana01",
        "campaign_id": "cmp_abc123",
        "removed": True,
    }
    assert fox.campaigns.remove_account("cmp_abc123", "acc_jordan01")["removed"] is True
    assert fox.campaigns.get("cmp_abc123").total_leads == 1


def test_campaigns_sequences_list_update_delete(fox: FoxReach) -> None:
    steps = fox.campaigns.sequences.list("cmp_abc123")
    assert [(s.id, s.step_number) for s in steps] == [("seq_q1step1", 1), ("seq_q1step2", 2)]
    moved = fox.campaigns.sequences.update("cmp_abc123", "seq_q1step2", SequenceUpdate(step_number=1, delay_days=4))
    assert (moved.step_number, moved.delay_days) == (1, 4)
    assert fox.campaigns.sequences.delete("cmp_abc123", "seq_q1step1") is None
    assert [s.id for s in fox.campaigns.sequences.list("cmp_abc123")] == ["seq_q1step2"]


def test_leads_list_get_create_update_delete_activity(fox: FoxReach) -> None:
    assert [lead.id for lead in fox.leads.list(search="northwind")] == ["cld_ana01"]
    assert [lead.id for lead in fox.leads.list(status="unsubscribed")] == ["cld_farah01"]
    assert [lead.id for lead in fox.leads.list(tags="partners")] == ["cld_eve01", "cld_farah01"]
    created = fox.leads.create(
        LeadCreate(email="yan@initech.example", company="Initech", tags=["new"], custom_fields={"deal_size": 5})
    )
    # The SDK re-cases keys inside customFields both ways, so a snake_case key survives the round trip.
    assert (created.company, created.tags, created.custom_fields, created.source) == (
        "Initech",
        ["new"],
        {"deal_size": 5},
        "api",
    )
    assert fox.leads.get(created.id) == created
    updated = fox.leads.update(created.id, LeadUpdate(title="Buyer", notes="Met at the fair"))
    assert (updated.title, updated.notes, updated.email) == ("Buyer", "Met at the fair", "yan@initech.example")
    activity = fox.leads.activity("cld_cleo01")
    assert [a["type"] for a in activity["activities"]] == ["reply_received", "email_sent"]
    assert activity["campaigns"][0]["campaign_name"] == "Webinar follow-up"
    assert fox.leads.delete(created.id) is None
    with pytest.raises(NotFoundError, match=r"^Lead not found$"):
        fox.leads.get(created.id)


def test_email_accounts_list_get_delete(fox: FoxReach) -> None:
    accounts = fox.email_accounts.list()
    assert [a.id for a in accounts] == ["acc_jordan01", "acc_priya01", "acc_spare01"]
    jordan = fox.email_accounts.get("acc_jordan01")
    assert (jordan.display_name, jordan.health_score, jordan.warmup_enabled) == ("Jordan Lee", 96, True)
    assert fox.email_accounts.delete("acc_spare01") is None
    assert fox.email_accounts.list().meta.total == 2


def test_templates_list_get_create_update_delete(fox: FoxReach) -> None:
    created = fox.templates.create(TemplateCreate(name="Nudge", body="Any thoughts?", subject="Following up"))
    assert (created.template_type, created.send_as_html, created.subject) == ("email", False, "Following up")
    assert [t.id for t in fox.templates.list()] == ["tpl_intro01", created.id]
    updated = fox.templates.update(created.id, TemplateUpdate(send_as_html=True, body="<p>Any thoughts?</p>"))
    assert (updated.send_as_html, updated.body) == (True, "<p>Any thoughts?</p>")
    assert fox.templates.get(created.id) == updated
    assert fox.templates.delete(created.id) is None
    with pytest.raises(NotFoundError, match=r"^Template not found$"):
        fox.templates.get(created.id)


def test_inbox_list_get_update_conversation_reply_stats(fox: FoxReach) -> None:
    threads = fox.inbox.list_threads()
    assert [t.id for t in threads] == ["rpl_dmitri01", "rpl_cleo01"]
    assert [t.id for t in fox.inbox.list_threads(is_read=False, campaign_id="cmp_active001")] == ["rpl_cleo01"]
    assert [t.id for t in fox.inbox.list_threads(category="out_of_office", account_id="acc_priya01")] == [
        "rpl_dmitri01"
    ]
    assert [t.id for t in fox.inbox.list_threads(search="demo", is_starred=False)] == ["rpl_cleo01"]
    thread = fox.inbox.get("rpl_cleo01")
    assert (thread.from_email, thread.category, thread.lead_id, thread.account_id) == (
        "cleo@initech.example",
        "interested",
        "cld_cleo01",
        "acc_jordan01",
    )
    updated = fox.inbox.update("rpl_cleo01", ThreadUpdate(is_read=True, is_starred=True))
    assert (updated.is_read, updated.is_starred) == (True, True)
    sent = fox.inbox.send_reply("rpl_cleo01", "Tuesday works.", subject="Demo")
    assert sent["success"] is True
    assert re.fullmatch(r"<cel_\w+@mail\.foxreach\.mock>", sent["message_id"]), sent
    conversation = fox.inbox.get_conversation("rpl_cleo01")
    assert [m["direction"] for m in conversation["messages"]] == ["sent", "received", "sent"]
    assert conversation["campaign"] == {"id": "cmp_active001", "name": "Webinar follow-up"}
    assert fox.inbox.stats() == {
        "total": 2,
        "unread": 0,
        "interested": 1,
        "not_interested": 0,
        "out_of_office": 1,
        "uncategorized": 0,
        "unknown": 0,
        "bounce": 0,
        "total_sent": 1,
    }


def test_analytics_overview_and_campaign(fox: FoxReach) -> None:
    overview = fox.analytics.overview()
    assert (overview.total_campaigns, overview.active_campaigns, overview.total_sent, overview.reply_rate) == (
        4,
        1,
        170,
        7.06,
    )
    analytics = fox.analytics.campaign("cmp_active001")
    assert (analytics.sent, analytics.reply_rate, analytics.bounce_rate) == (42, 7.14, 4.76)
    assert [(d.date, d.sent) for d in analytics.daily_stats] == [("2025-01-13", 30), ("2025-01-14", 12)]


def test_webhooks_events_list_create_update_delete(fox: FoxReach) -> None:
    assert "reply.received" in fox.webhooks.list_events()
    created = fox.webhooks.create(WebhookCreate(url="https://crm.example/hooks", events=["lead.created"]))
    assert created.secret is not None and created.secret.startswith("whsec_")
    assert created.is_active is True
    listed = fox.webhooks.list()
    assert [w.id for w in listed] == ["cwh_demo01", created.id]
    assert all(w.secret is None for w in listed)
    updated = fox.webhooks.update(created.id, WebhookUpdate(is_active=False))
    assert (updated.is_active, updated.secret) == (False, None)
    assert fox.webhooks.delete(created.id) is None
    assert fox.webhooks.list().meta.total == 1


# -- errors -------------------------------------------------------------------------------------------
def test_campaigns_start_twice_raises_bad_request(fox: FoxReach) -> None:
    fox.campaigns.start("cmp_abc123")
    with pytest.raises(BadRequestError) as caught:
        fox.campaigns.start("cmp_abc123")
    assert (str(caught.value), caught.value.status_code, caught.value.response_body) == (
        "Campaign is already active",
        400,
        {"detail": "Campaign is already active"},
    )


@pytest.mark.parametrize(
    ("campaign_id", "call", "message"),
    [
        ("cmp_completed001", "start", "Cannot start a completed campaign"),
        ("cmp_abc123", "pause", "Only active campaigns can be paused"),
        ("cmp_active001", "resume", "Campaign is not paused"),
        ("cmp_active001", "delete", "Only draft campaigns can be deleted"),
    ],
)
def test_campaigns_refused_transition_raises_bad_request(
    fox: FoxReach, campaign_id: str, call: str, message: str
) -> None:
    with pytest.raises(BadRequestError, match=f"^{message}$"):
        getattr(fox.campaigns, call)(campaign_id)


def test_campaigns_start_without_steps_raises_bad_request(fox: FoxReach) -> None:
    campaign = fox.campaigns.create(CampaignCreate(name="Bare"))
    with pytest.raises(BadRequestError, match=r"^Campaign must have at least one sequence step$"):
        fox.campaigns.start(campaign.id)


def test_campaigns_update_active_raises_bad_request(fox: FoxReach) -> None:
    with pytest.raises(BadRequestError, match=r"^Cannot edit active campaign\. Pause it first\.$"):
        fox.campaigns.update("cmp_active001", CampaignUpdate(daily_limit=5))


def test_campaigns_sequences_create_while_active_raises_bad_request(fox: FoxReach) -> None:
    with pytest.raises(BadRequestError, match=r"^Campaign is active — pause it first$"):
        fox.campaigns.sequences.create("cmp_active001", SequenceCreate(body="More"))


def test_campaigns_get_unknown_raises_not_found(fox: FoxReach) -> None:
    with pytest.raises(NotFoundError) as caught:
        fox.campaigns.get("cmp_missing")
    assert (str(caught.value), caught.value.status_code) == ("Campaign not found", 404)


def test_leads_create_malformed_email_raises_validation_error(fox: FoxReach) -> None:
    with pytest.raises(ValidationError, match=r"^Validation error: email is not a valid email address$"):
        fox.leads.create(LeadCreate(email="nobody"))


def test_leads_create_duplicate_email_raises_base_error_409(fox: FoxReach) -> None:
    with pytest.raises(FoxReachError) as caught:
        fox.leads.create(LeadCreate(email="ana@northwind.example"))
    assert type(caught.value) is FoxReachError  # the SDK has no class for 409
    assert (str(caught.value), caught.value.status_code) == ("Lead with this email already exists", 409)


def test_campaigns_list_bad_key_raises_permission_error(mock_session: MockSession) -> None:
    with (
        FoxReach(api_key="otr_not_issued", base_url=base_url(mock_session)) as client,
        pytest.raises(PermissionError) as caught,
    ):
        client.campaigns.list()
    assert (str(caught.value), caught.value.status_code) == ("Invalid API key", 403)


def test_campaigns_list_bad_key_raises_authentication_error_under_401_variant(mock_session: MockSession) -> None:
    mock_session.load_scenario(yaml=AUTH_401)
    with (
        FoxReach(api_key="otr_not_issued", base_url=base_url(mock_session)) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.campaigns.list()
    assert (str(caught.value), caught.value.status_code) == ("Invalid API key", 401)


def test_campaigns_list_rate_limited_raises_after_retries(mock_session: MockSession) -> None:
    mock_session.load_scenario(yaml=limited(1))
    mock_session.set_clock(now="2025-01-15T10:00:59.5Z", frozen=True)  # Retry-After: 1, and time stands still
    with FoxReach(api_key=KEY, base_url=base_url(mock_session), max_retries=1) as client:
        client.campaigns.list()
        started = time.monotonic()
        with pytest.raises(RateLimitError) as caught:
            client.campaigns.list()
    assert 1 <= time.monotonic() - started < 2.5  # one retry, after sleeping Retry-After
    assert (str(caught.value), caught.value.retry_after, caught.value.status_code) == (
        "Rate limited: Too Many Requests",
        1.0,
        429,
    )
    assert caught.value.response_body == {
        "error": "Rate limit exceeded",
        "code": "rate_limit_exceeded",
        "details": {"limit": 1, "reset": 1736935260},
    }
    assert [status for _, _, status in journal(mock_session)] == [200, 429, 429]


def test_campaigns_list_rate_limited_succeeds_after_retry_after(mock_session: MockSession) -> None:
    mock_session.load_scenario(yaml=limited(1))
    mock_session.set_clock(now="2025-01-15T10:00:59Z", frozen=False)  # running: the window turns in 1 s
    with FoxReach(api_key=KEY, base_url=base_url(mock_session)) as client:
        client.campaigns.list()
        assert [c.id for c in client.campaigns.list(status="draft")] == ["cmp_abc123"]
    assert [status for _, _, status in journal(mock_session)] == [200, 429, 200]


# -- pagination ---------------------------------------------------------------------------------------
def test_leads_list_auto_paging_walks_every_page(mock_session: MockSession, fox: FoxReach) -> None:
    for n in range(7):
        fox.leads.create(LeadCreate(email=f"bulk{n}@example.com"))
    first = fox.leads.list(page_size=5)
    assert (len(first), first.meta.total, first.meta.total_pages, first.has_next_page()) == (5, 13, 3, True)
    emails = [lead.email for lead in first.auto_paging_iter()]
    assert len(emails) == 13 == len(set(emails))
    assert emails[-7:] == [f"bulk{n}@example.com" for n in range(7)]
    last = first.next_page().next_page()
    assert (last.meta.page, len(last), last.has_next_page()) == (3, 3, False)
    with pytest.raises(StopIteration):
        last.next_page()
    lists = [target for _, target, _ in journal(mock_session, method="GET", path="/api/v1/leads")]
    # auto-paging fetches pages 2 and 3 after the first; the two next_page() calls fetch them again
    assert [target.rsplit("?", 1)[1] for target in lists] == [f"page={n}&pageSize=5" for n in (1, 2, 3, 2, 3)]


def test_inbox_list_threads_auto_paging_keeps_filters(mock_session: MockSession, fox: FoxReach) -> None:
    replies = [item.id for item in fox.inbox.list_threads(page_size=1, campaign_id="cmp_active001").auto_paging_iter()]
    assert replies == ["rpl_dmitri01", "rpl_cleo01"]
    targets = [target for _, target, _ in journal(mock_session, path="/api/v1/inbox/threads")]
    assert targets == [
        "/api/v1/inbox/threads?page=1&pageSize=1&campaignId=cmp_active001",
        "/api/v1/inbox/threads?page=2&pageSize=1&campaignId=cmp_active001",
    ]
