"""Email accounts, templates, analytics and webhooks."""

from __future__ import annotations

import httpx
import pytest
from foxreach_support import data, detail

from campaign_mock.pytest_plugin import MockSession


# -- email accounts -----------------------------------------------------------------------------------
def test_list_email_accounts_pages(api: httpx.Client) -> None:
    body = api.get("/email-accounts", params={"pageSize": 2, "page": 2}).json()
    assert [a["id"] for a in body["data"]] == ["acc_spare01"]
    assert body["meta"] == {"page": 2, "pageSize": 2, "total": 3, "totalPages": 2}


def test_get_email_account_fills_defaults(api: httpx.Client) -> None:
    account = data(api.get("/email-accounts/acc_spare01"))
    assert account == {
        "id": "acc_spare01",
        "email": "outreach@mail.brightpath.example",
        "displayName": "Brightpath Team",
        "provider": "smtp",
        "dailyLimit": 50,
        "sentToday": 0,
        "isActive": False,
        "warmupEnabled": False,
        "healthScore": None,
        "bounceRate": None,
        "replyRate": None,
        "connectionStatus": "disconnected",
        "createdAt": "2024-12-01T09:00:00",
        "updatedAt": "2024-12-01T09:00:00",
    }


def test_get_email_account_unknown_is_404(api: httpx.Client) -> None:
    assert detail(api.get("/email-accounts/acc_ghost"), 404) == "Email account not found"


def test_delete_email_account_unassigns_it_everywhere(api: httpx.Client) -> None:
    assert data(api.delete("/email-accounts/acc_jordan01")) == {"id": "acc_jordan01", "deleted": True}
    assert detail(api.get("/email-accounts/acc_jordan01"), 404) == "Email account not found"
    assert detail(api.delete("/campaigns/cmp_abc123/accounts/acc_jordan01"), 404) == "Email account not found"
    assert data(api.get("/inbox/rpl_cleo01"))["accountId"] is None
    assert detail(api.delete("/email-accounts/acc_jordan01"), 404) == "Email account not found"


def test_delete_email_account_its_replies_stay_answerable(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(
        yaml="extends: default\nvendors:\n  foxreach:\n    inbox:\n"
        "      - {id: rpl_acct, fromEmail: x@y.example, accountId: acc_spare01}\n"
    )
    data(api.delete("/email-accounts/acc_spare01"))
    assert (data(api.get("/inbox/rpl_acct"))["accountId"], data(api.get("/inbox/rpl_acct"))["toEmail"]) == (
        None,
        "outreach@mail.brightpath.example",
    )
    data(api.post("/inbox/threads/rpl_acct/reply", json={"body": "Hello again"}))
    sent = data(api.get("/inbox/threads/rpl_acct/conversation"))["messages"][-1]
    assert (sent["direction"], sent["fromEmail"]) == ("sent", "outreach@mail.brightpath.example")
    assert mock_session.admin("PUT", "state", json=mock_session.admin("GET", "state").json()).status_code == 200


# -- templates ----------------------------------------------------------------------------------------
def test_create_template_fills_defaults(api: httpx.Client, frozen: str) -> None:
    template = data(api.post("/templates", json={"name": "Breakup", "body": "Closing the loop."}), 201)
    assert template == {
        "id": template["id"],
        "name": "Breakup",
        "subject": None,
        "body": "Closing the loop.",
        "templateType": "email",
        "sendAsHtml": False,
        "createdAt": frozen,
        "updatedAt": frozen,
    }
    assert template["id"].startswith("tpl_")


def test_create_template_without_body_is_422(api: httpx.Client) -> None:
    response = api.post("/templates", json={"name": "No body"})
    assert detail(response, 422) == "Validation error: 'body' is a required property"


def test_list_templates_includes_created(api: httpx.Client) -> None:
    api.post("/templates", json={"name": "Second", "body": "b"})
    body = api.get("/templates").json()
    assert [t["name"] for t in body["data"]] == ["Short intro", "Second"]
    assert body["meta"]["total"] == 2


def test_update_template_changes_given_fields(api: httpx.Client, frozen: str) -> None:
    template = data(api.patch("/templates/tpl_intro01", json={"sendAsHtml": True, "subject": "Hello"}))
    assert (template["sendAsHtml"], template["subject"], template["updatedAt"]) == (True, "Hello", frozen)
    assert data(api.get("/templates/tpl_intro01")) == template


def test_update_template_subject_null_clears_it(api: httpx.Client) -> None:
    assert data(api.patch("/templates/tpl_intro01", json={"subject": None}))["subject"] is None
    assert data(api.get("/templates/tpl_intro01"))["subject"] is None


def test_delete_template_then_404(api: httpx.Client) -> None:
    assert data(api.delete("/templates/tpl_intro01")) == {"id": "tpl_intro01", "deleted": True}
    assert detail(api.get("/templates/tpl_intro01"), 404) == "Template not found"


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("PATCH", {"name": "x"}), ("DELETE", None)])
def test_template_operations_unknown_template_is_404(api: httpx.Client, method: str, body: object) -> None:
    assert detail(api.request(method, "/templates/tpl_ghost", json=body), 404) == "Template not found"


# -- analytics ----------------------------------------------------------------------------------------
def test_get_analytics_overview_sums_the_workspace(api: httpx.Client) -> None:
    assert data(api.get("/analytics/overview")) == {
        "totalAccounts": 3,
        "activeAccounts": 2,
        "totalCampaigns": 4,
        "activeCampaigns": 1,
        "totalLeads": 6,
        "totalSent": 170,
        "totalReplies": 12,
        "replyRate": 7.06,
        "accountHealthAvg": 92.0,
    }


def test_get_analytics_overview_follows_state_changes(api: httpx.Client) -> None:
    api.post("/campaigns/cmp_abc123/start")
    api.post("/leads", json={"email": "new@x.example"})
    overview = data(api.get("/analytics/overview"))
    assert (overview["activeCampaigns"], overview["totalLeads"]) == (2, 7)


def test_get_campaign_analytics_reports_rates_and_days(api: httpx.Client) -> None:
    analytics = data(api.get("/analytics/campaigns/cmp_active001"))
    assert analytics == {
        "sent": 42,
        "delivered": 40,
        "bounced": 2,
        "replied": 3,
        "opened": 25,
        "replyRate": 7.14,
        "bounceRate": 4.76,
        "dailyStats": [
            {"date": "2025-01-13", "sent": 30, "delivered": 29, "bounced": 1, "replied": 2, "opened": 18},
            {"date": "2025-01-14", "sent": 12, "delivered": 11, "bounced": 1, "replied": 1, "opened": 7},
        ],
    }


def test_get_campaign_analytics_new_campaign_is_all_zero(api: httpx.Client) -> None:
    analytics = data(api.get("/analytics/campaigns/cmp_abc123"))
    assert analytics == {
        "sent": 0,
        "delivered": 0,
        "bounced": 0,
        "replied": 0,
        "opened": 0,
        "replyRate": 0.0,
        "bounceRate": 0.0,
        "dailyStats": [],
    }


# -- webhooks -----------------------------------------------------------------------------------------
def test_list_webhook_events_names_every_event(api: httpx.Client) -> None:
    assert data(api.get("/webhooks/events")) == [
        "email.sent",
        "email.failed",
        "email.bounced",
        "email.opened",
        "reply.received",
        "reply.categorized",
        "campaign.started",
        "campaign.completed",
        "lead.created",
    ]


def test_create_webhook_returns_the_secret_once(api: httpx.Client, frozen: str) -> None:
    hook = data(api.post("/webhooks", json={"url": "https://example.com/hook", "events": ["email.sent"]}), 201)
    assert hook["id"].startswith("cwh_")
    assert hook["secret"].startswith("whsec_")
    assert hook == {
        "id": hook["id"],
        "url": "https://example.com/hook",
        "isActive": True,
        "events": ["email.sent"],
        "secret": hook["secret"],
        "lastDeliveredAt": None,
        "consecutiveFailures": 0,
        "createdAt": frozen,
        "updatedAt": frozen,
    }
    listed = api.get("/webhooks").json()["data"]
    assert [h["id"] for h in listed] == ["cwh_demo01", hook["id"]]
    assert all("secret" not in h for h in listed)


def test_create_webhook_unknown_event_is_422(api: httpx.Client) -> None:
    response = api.post("/webhooks", json={"url": "https://example.com/h", "events": ["email.clicked"]})
    assert detail(response, 422) == (
        "Validation error: events[0]: 'email.clicked' is not one of ['email.sent', 'email.failed', 'email.bounced', "
        "'email.opened', 'reply.received', 'reply.categorized', 'campaign.started', 'campaign.completed', "
        "'lead.created']"
    )


@pytest.mark.parametrize("url", ["ftp://example.com", "http://example.com/hook", "https://"])
def test_create_webhook_url_not_https_is_422(api: httpx.Client, url: str) -> None:
    response = api.post("/webhooks", json={"url": url, "events": ["email.sent"]})
    assert detail(response, 422) == "Validation error: url must be an https:// URL"
    assert [h["id"] for h in data(api.get("/webhooks"))] == ["cwh_demo01"]


def test_create_webhook_repeated_event_is_422(api: httpx.Client) -> None:
    body = {"url": "https://example.com/hook", "events": ["email.sent", "lead.created", "email.sent"]}
    assert detail(api.post("/webhooks", json=body), 422) == (
        "Validation error: events: ['email.sent', 'lead.created', 'email.sent'] has non-unique elements"
    )
    assert [h["id"] for h in data(api.get("/webhooks"))] == ["cwh_demo01"]


def test_update_webhook_changes_fields_without_secret(api: httpx.Client, frozen: str) -> None:
    hook = data(api.patch("/webhooks/cwh_demo01", json={"isActive": False, "events": ["lead.created"]}))
    assert (hook["isActive"], hook["events"], hook["updatedAt"]) == (False, ["lead.created"], frozen)
    assert "secret" not in hook


def test_update_webhook_url_not_https_is_422(api: httpx.Client) -> None:
    response = api.patch("/webhooks/cwh_demo01", json={"url": "http://hooks.brightpath.example/foxreach"})
    assert detail(response, 422) == "Validation error: url must be an https:// URL"
    assert data(api.get("/webhooks"))[0]["url"] == "https://hooks.brightpath.example/foxreach"


def test_update_webhook_repeated_event_is_422(api: httpx.Client) -> None:
    response = api.patch("/webhooks/cwh_demo01", json={"events": ["lead.created", "lead.created"]})
    assert detail(response, 422) == "Validation error: events: ['lead.created', 'lead.created'] has non-unique elements"
    assert data(api.get("/webhooks"))[0]["events"] == ["reply.received", "campaign.completed"]


def test_delete_webhook_then_404(api: httpx.Client) -> None:
    assert data(api.delete("/webhooks/cwh_demo01")) == {"id": "cwh_demo01", "deleted": True}
    assert detail(api.patch("/webhooks/cwh_demo01", json={"isActive": True}), 404) == "Webhook not found"
    assert detail(api.delete("/webhooks/cwh_demo01"), 404) == "Webhook not found"
