"""The official `foxreach` SDK's async client (`AsyncFoxReach`), unmodified, against the mock.

Each test drives one coroutine with `asyncio.run`, so no async test plugin is needed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from foxreach import (
    AsyncFoxReach,
    AuthenticationError,
    BadRequestError,
    CampaignCreate,
    CampaignUpdate,
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
    WebhookCreate,
    WebhookUpdate,
)
from foxreach_sdk_support import AUTH_401, KEY, NOW, base_url, journal, limited

from campaign_mock.pytest_plugin import MockSession
from campaign_mock.vendors.registry import registered_catalog

T = TypeVar("T")


def run(
    mock_session: MockSession, body: Callable[[AsyncFoxReach], Awaitable[T]], *, key: str = KEY, max_retries: int = 3
) -> T:
    """Run `body` with an AsyncFoxReach client on the test's session."""

    async def main() -> T:
        async with AsyncFoxReach(api_key=key, base_url=base_url(mock_session), max_retries=max_retries) as client:
            return await body(client)

    return asyncio.run(main())


def test_campaigns_happy_path_async(mock_session: MockSession) -> None:
    mock_session.set_clock(now=NOW, frozen=True)

    async def flow(fox: AsyncFoxReach) -> list[str]:
        campaign = await fox.campaigns.create(CampaignCreate(name="Async launch"))
        await fox.campaigns.sequences.create(campaign.id, SequenceCreate(body="Hello {{firstName}}"))
        lead = await fox.leads.create(LeadCreate(email="async@acme.example"))
        await fox.campaigns.add_leads(campaign.id, [lead.id])
        await fox.campaigns.add_accounts(campaign.id, ["acc_priya01"])
        seen = [(await fox.campaigns.start(campaign.id)).status]
        seen.append((await fox.campaigns.pause(campaign.id)).status)
        seen.append((await fox.campaigns.resume(campaign.id)).status)
        seen.append((await fox.campaigns.get(campaign.id)).started_at or "")
        return seen

    assert run(mock_session, flow) == ["active", "paused", "active", "2025-01-15T10:00:00"]


def test_every_async_method_answers(mock_session: MockSession) -> None:
    async def everything(fox: AsyncFoxReach) -> dict[str, object]:
        out: dict[str, object] = {}
        c = fox.campaigns
        out["campaigns.list"] = [x.id for x in await c.list(status="draft")]
        out["campaigns.update"] = (await c.update("cmp_abc123", CampaignUpdate(daily_limit=12))).daily_limit
        out["campaigns.remove_lead"] = (await c.remove_lead("cmp_abc123", "cld_ben01"))["removed"]
        out["campaigns.remove_account"] = (await c.remove_account("cmp_abc123", "acc_jordan01"))["removed"]
        out["sequences.list"] = [s.id for s in await c.sequences.list("cmp_abc123")]
        out["sequences.update"] = (
            await c.sequences.update("cmp_abc123", "seq_q1step1", SequenceUpdate(subject="New"))
        ).subject
        out["sequences.delete"] = await c.sequences.delete("cmp_abc123", "seq_q1step2")
        scratch = await c.create(CampaignCreate(name="Scratch"))
        out["campaigns.add_leads"] = (await c.add_leads(scratch.id, ["cld_ana01"]))["added"]
        out["campaigns.add_accounts"] = (await c.add_accounts(scratch.id, ["acc_priya01"]))["added"]
        out["sequences.create"] = (await c.sequences.create(scratch.id, SequenceCreate(body="x"))).step_number
        out["campaigns.start"] = (await c.start(scratch.id)).status
        out["campaigns.pause"] = (await c.pause(scratch.id)).status
        out["campaigns.resume"] = (await c.resume(scratch.id)).status
        out["campaigns.get"] = (await c.get(scratch.id)).total_leads
        out["campaigns.delete"] = await c.delete("cmp_abc123")

        out["leads.list"] = [x.id for x in await fox.leads.list(search="hooli")]
        out["leads.create"] = (await fox.leads.create(LeadCreate(email="late@x.example"))).status
        out["leads.get"] = (await fox.leads.get("cld_ana01")).company
        out["leads.update"] = (await fox.leads.update("cld_ana01", LeadUpdate(phone="+1 555 0100"))).phone
        out["leads.activity"] = len((await fox.leads.activity("cld_dmitri01"))["activities"])
        out["leads.delete"] = await fox.leads.delete("cld_farah01")

        out["email_accounts.list"] = (await fox.email_accounts.list()).meta.total
        out["email_accounts.get"] = (await fox.email_accounts.get("acc_priya01")).provider
        out["email_accounts.delete"] = await fox.email_accounts.delete("acc_spare01")

        template = await fox.templates.create(TemplateCreate(name="Async", body="b"))
        out["templates.list"] = (await fox.templates.list()).meta.total
        out["templates.get"] = (await fox.templates.get(template.id)).name
        out["templates.update"] = (await fox.templates.update(template.id, TemplateUpdate(subject="s"))).subject
        out["templates.delete"] = await fox.templates.delete(template.id)

        out["inbox.list_threads"] = [t.id for t in await fox.inbox.list_threads(is_read=True)]
        out["inbox.get"] = (await fox.inbox.get("rpl_dmitri01")).category
        out["inbox.update"] = (await fox.inbox.update("rpl_dmitri01", ThreadUpdate(category="unknown"))).category
        out["inbox.get_conversation"] = len((await fox.inbox.get_conversation("rpl_dmitri01"))["messages"])
        out["inbox.send_reply"] = (await fox.inbox.send_reply("rpl_dmitri01", "Noted"))["success"]
        out["inbox.stats"] = (await fox.inbox.stats())["total_sent"]

        out["analytics.overview"] = (await fox.analytics.overview()).total_leads
        out["analytics.campaign"] = (await fox.analytics.campaign("cmp_completed001")).replied

        hook = await fox.webhooks.create(WebhookCreate(url="https://a.example/h", events=["email.opened"]))
        out["webhooks.list_events"] = len(await fox.webhooks.list_events())
        out["webhooks.list"] = (await fox.webhooks.list()).meta.total
        out["webhooks.update"] = (await fox.webhooks.update(hook.id, WebhookUpdate(url="https://b.example/h"))).url
        out["webhooks.delete"] = await fox.webhooks.delete(hook.id)
        return out

    assert run(mock_session, everything) == {
        "campaigns.list": ["cmp_abc123"],
        "campaigns.update": 12,
        "campaigns.remove_lead": True,
        "campaigns.remove_account": True,
        "sequences.list": ["seq_q1step1", "seq_q1step2"],
        "sequences.update": "New",
        "sequences.delete": None,
        "campaigns.add_leads": 1,
        "campaigns.add_accounts": 1,
        "sequences.create": 1,
        "campaigns.start": "active",
        "campaigns.pause": "paused",
        "campaigns.resume": "active",
        "campaigns.get": 1,
        "campaigns.delete": None,
        "leads.list": ["cld_eve01"],
        "leads.create": "active",
        "leads.get": "Northwind",
        "leads.update": "+1 555 0100",
        "leads.activity": 1,
        "leads.delete": None,
        "email_accounts.list": 3,
        "email_accounts.get": "microsoft",
        "email_accounts.delete": None,
        "templates.list": 2,
        "templates.get": "Async",
        "templates.update": "s",
        "templates.delete": None,
        "inbox.list_threads": ["rpl_dmitri01"],
        "inbox.get": "out_of_office",
        "inbox.update": "unknown",
        "inbox.get_conversation": 1,
        "inbox.send_reply": True,
        "inbox.stats": 1,
        "analytics.overview": 6,
        "analytics.campaign": 9,
        "webhooks.list_events": 9,
        "webhooks.list": 2,
        "webhooks.update": "https://b.example/h",
        "webhooks.delete": None,
    }
    # Every SDK method reached its operation; only the docs-only path of the inbox update is left out.
    documented = {op.operation_id for op in registered_catalog().specs["foxreach"].operations}
    called = {entry["operationId"] for entry in mock_session.requests(vendor="foxreach")}
    assert called == documented - {"update_inbox_thread"}


def test_campaigns_start_twice_raises_bad_request_async(mock_session: MockSession) -> None:
    async def twice(fox: AsyncFoxReach) -> None:
        await fox.campaigns.start("cmp_abc123")
        await fox.campaigns.start("cmp_abc123")

    with pytest.raises(BadRequestError, match=r"^Campaign is already active$"):
        run(mock_session, twice)


def test_campaigns_get_unknown_raises_not_found_async(mock_session: MockSession) -> None:
    async def get(fox: AsyncFoxReach) -> None:
        await fox.campaigns.get("cmp_missing")

    with pytest.raises(NotFoundError, match=r"^Campaign not found$"):
        run(mock_session, get)


def test_campaigns_list_bad_key_raises_permission_error_async(mock_session: MockSession) -> None:
    async def listing(fox: AsyncFoxReach) -> None:
        await fox.campaigns.list()

    with pytest.raises(PermissionError, match=r"^Invalid API key$"):
        run(mock_session, listing, key="otr_unknown")


def test_campaigns_list_bad_key_raises_authentication_error_under_401_variant_async(mock_session: MockSession) -> None:
    mock_session.load_scenario(yaml=AUTH_401)

    async def listing(fox: AsyncFoxReach) -> None:
        await fox.campaigns.list()

    with pytest.raises(AuthenticationError, match=r"^Invalid API key$"):
        run(mock_session, listing, key="otr_unknown")


def test_campaigns_list_rate_limited_raises_with_retry_after_async(mock_session: MockSession) -> None:
    mock_session.load_scenario(yaml=limited(2))
    mock_session.set_clock(now="2025-01-15T10:00:17Z", frozen=True)

    async def burst(fox: AsyncFoxReach) -> None:
        for _ in range(3):
            await fox.campaigns.list()

    with pytest.raises(RateLimitError) as caught:
        run(mock_session, burst, max_retries=0)  # no retries left to spend: fail at once
    assert (caught.value.retry_after, caught.value.status_code) == (43.0, 429)
    assert [status for _, _, status in journal(mock_session)] == [200, 200, 429]


def test_leads_list_async_auto_paging_walks_every_page(mock_session: MockSession) -> None:
    async def walk(fox: AsyncFoxReach) -> tuple[list[str], int]:
        first = await fox.leads.list(page_size=4)
        emails = [lead.email async for lead in first.auto_paging_iter()]
        second = await first.next_page()
        return emails, second.meta.page

    emails, page = run(mock_session, walk)
    assert (len(emails), len(set(emails)), page) == (6, 6, 2)
    pages = [target.rsplit("?", 1)[1] for _, target, _ in journal(mock_session, path="/api/v1/leads")]
    assert pages == ["page=1&pageSize=4", "page=2&pageSize=4", "page=2&pageSize=4"]
