"""A started Leadterra campaign runs on the session's mock clock: steps go out on schedule within the sender pool's
daily capacity, opens, replies and bounces follow from the seed, and catching up does not depend on how the clock
was moved."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from leadterra_client import Leadterra

from campaign_mock.pytest_plugin import MockSession
from campaign_mock.receiver import WebhookReceiver

DAY = 24 * 3600
START = "2025-01-15T09:00:00Z"
STEPS = [
    {"subject": "Hi {{firstName}}", "bodyHtml": "<p>Hi {{firstName}}</p>", "delayDays": 0},
    {"subject": "Re: Hi {{firstName}}", "bodyHtml": "<p>Bumping this.</p>", "delayDays": 3},
]
CLASSIFICATIONS = {"interested", "not_interested", "out_of_office", "referral", "unsubscribe", "bounce"}
LIVELY = """
extends: default
seed: {seed}
clock: {{now: "2025-01-15T09:00:00Z", frozen: true}}
vendors:
  leadterra:
    simulation: {{open_rate: 0.5, reply_rate: 0.3, bounce_rate: 0.1}}
"""
QUIET = """
extends: default
clock: {now: "2025-01-15T09:00:00Z", frozen: true}
vendors:
  leadterra:
    simulation: {reply_rate: 0, bounce_rate: 0}
    senderPools:
      - {id: pool_01HZ9KQMX7T3VB2N, name: Primary Outbound, dailyCapacity: 20, remainingVolume: 20,
         senderAccountIds: [sa_01HXYZ001]}
"""


def _twin(leadterra: Leadterra, suffix: str) -> Leadterra:
    """Another session on the same server, called with the same client."""
    session = leadterra.session
    return Leadterra(MockSession(session.server, f"{session.name}-{suffix}", leadterra.http), leadterra.http)


def _campaign_with_leads(leadterra: Leadterra, count: int, steps: list[dict[str, Any]] | None = None) -> str:
    cid = leadterra.create_campaign("Over time", STEPS if steps is None else steps)
    leads = [{"email": f"lead{i:03}@acme.example", "firstName": f"L{i}"} for i in range(count)]
    response = leadterra.post(f"/v1/campaigns/{cid}/leads/bulk", json={"leads": leads})
    assert response.json()["enrolled"] == count, response.text
    return cid


def _register(leadterra: Leadterra, events: list[str], url: str) -> dict[str, Any]:
    response = leadterra.post("/v1/webhooks", json={"url": url, "events": events})
    assert response.status_code == 201, response.text
    hook: dict[str, Any] = response.json()
    return hook


def _messages(campaign: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(progress["email"], m) for progress in campaign["progress"] for m in progress["messages"]]


def _run_a_week(leadterra: Leadterra, seed: int, url: str) -> str:
    leadterra.load(LIVELY.format(seed=seed))
    cid = _campaign_with_leads(leadterra, 50)
    _register(leadterra, ["campaign.started", "message.sent", "message.bounced", "reply.received"], url)
    assert leadterra.post(f"/v1/campaigns/{cid}/start").status_code == 200
    advanced = leadterra.admin("POST", "clock/advance", json={"seconds": 7 * DAY})
    assert advanced.status_code == 200, advanced.text
    return cid


def test_a_week_of_a_two_step_campaign_moves_stats_and_replies_as_the_rules_say(
    leadterra: Leadterra, webhook_receiver: WebhookReceiver
) -> None:
    cid = _run_a_week(leadterra, 11, webhook_receiver.url)

    stats = leadterra.stats(cid)
    campaign = leadterra.campaign(cid)
    messages = _messages(campaign)
    first = [m for _, m in messages if m["step"] == 0]
    second = [m for _, m in messages if m["step"] == 1]
    # Step 1 went to all 50 at start; step 2 three days later to exactly those who had neither replied nor bounced.
    assert len(first) == 50 and {m["sentAt"] for m in first} == {START}
    stopped = {
        email
        for email, m in messages
        if m["step"] == 0 and (m.get("repliedAt", "9") <= "2025-01-18T09:00:00Z" or "bouncedAt" in m)
    }
    assert {email for email, m in messages if m["step"] == 1} == {p["email"] for p in campaign["progress"]} - stopped
    assert {m["sentAt"] for m in second} == {"2025-01-18T09:00:00Z"}
    bounced = sum("bouncedAt" in m for _, m in messages)
    repliers = {email for email, m in messages if "repliedAt" in m}
    opened = sum("openedAt" in m for _, m in messages)
    assert stats == {
        "campaignId": cid,
        "totalEnrolled": 50,
        "sent": len(first) + len(second),
        "delivered": len(messages) - bounced,
        "bounced": bounced,
        "replied": len(repliers),
        "queued": 0,
        "openRate": opened / (len(messages) - bounced),
        "replyRate": len(repliers) / (len(messages) - bounced),
    }
    assert bounced > 0 and repliers and second  # the seed and rates make every rule show
    replies = leadterra.get("/v1/replies", params={"campaignId": cid}).json()
    assert sorted((r["email"], r["receivedAt"]) for r in replies) == sorted(
        (email, m["repliedAt"]) for email, m in messages if "repliedAt" in m
    )
    assert {r["classification"] for r in replies} <= CLASSIFICATIONS
    assert [r["receivedAt"] for r in replies] == sorted((r["receivedAt"] for r in replies), reverse=True)
    # Every event of the week went to the webhook, in time order, each at the mock time it happened.
    deliveries = leadterra.session.webhooks()
    counts = Counter(d["event"] for d in deliveries)
    assert counts == {
        "campaign.started": 1,
        "message.sent": stats["sent"],
        "message.bounced": bounced,
        "reply.received": len(repliers),
    }
    stamps = [json.loads(d["body"])["timestamp"] for d in deliveries]
    assert stamps == sorted(stamps) and stamps[0] == START


def test_the_same_seed_gives_the_same_week_and_another_seed_another(
    leadterra: Leadterra, webhook_receiver: WebhookReceiver
) -> None:
    twin, other = _twin(leadterra, "twin"), _twin(leadterra, "other")
    results = []
    for session, seed in ((leadterra, 11), (twin, 11), (other, 12)):
        cid = _run_a_week(session, seed, webhook_receiver.url)
        replies = session.get("/v1/replies", params={"campaignId": cid}).json()
        bodies = [d["body"] for d in session.session.webhooks()]
        results.append((session.stats(cid), replies, session.campaign(cid), bodies, _journal(session)))

    assert results[0] == results[1]  # the journals too: every request and answer, byte for byte
    assert results[0][1] != results[2][1]


def _journal(leadterra: Leadterra) -> list[dict[str, Any]]:
    """The session's exchanges as the journal has them, without what differs between two sessions of one server:
    the entry's number, the session's name and how long the answer took."""
    entries = leadterra.admin("GET", "requests", params={"vendor": "leadterra"}).json()["requests"]
    for entry in entries:
        del entry["id"], entry["session"], entry["durationMs"]
    assert entries
    return list(entries)


def test_a_week_in_one_jump_equals_seven_jumps_of_a_day_byte_for_byte(
    leadterra: Leadterra, webhook_receiver: WebhookReceiver
) -> None:
    stepwise = _twin(leadterra, "stepwise")
    exports = []
    for session, jumps in ((leadterra, [7 * DAY]), (stepwise, [DAY] * 7)):
        session.load(LIVELY.format(seed=3))
        cid = _campaign_with_leads(session, 30)
        _register(session, ["message.sent", "message.bounced", "reply.received"], webhook_receiver.url)
        session.post(f"/v1/campaigns/{cid}/start")
        for seconds in jumps:
            session.admin("POST", "clock/advance", json={"seconds": seconds})
        state = session.admin("GET", "state").json()
        bodies = [(d["event"], d["body"], d["createdAt"]) for d in session.session.webhooks()]
        exports.append((json.dumps(state["vendors"]["leadterra"]), json.dumps(state["ids"]), bodies))

    assert exports[0] == exports[1]


def test_an_exported_state_imported_mid_week_carries_on_exactly_the_same(leadterra: Leadterra) -> None:
    through, resumed = _twin(leadterra, "through"), _twin(leadterra, "imported")
    for session in (through, resumed):
        session.load(LIVELY.format(seed=5))
        cid = _campaign_with_leads(session, 30)
        session.post(f"/v1/campaigns/{cid}/start")
        session.admin("POST", "clock/advance", json={"seconds": DAY + 3600})
    exported = resumed.admin("GET", "state").json()
    assert resumed.admin("PUT", "state", json=exported).status_code == 200, "the export imports"

    for session in (through, resumed):
        session.admin("POST", "clock/advance", json={"seconds": 6 * DAY})

    assert through.state() == resumed.state()


def test_pause_holds_every_due_step_and_resume_sends_them(leadterra: Leadterra) -> None:
    leadterra.load(QUIET)
    cid = _campaign_with_leads(leadterra, 10)
    leadterra.post(f"/v1/campaigns/{cid}/start")
    leadterra.post(f"/v1/campaigns/{cid}/pause")
    leadterra.admin("POST", "clock/advance", json={"seconds": 5 * DAY})  # step 2 came due two days ago

    held = leadterra.stats(cid)
    assert (held["sent"], held["queued"]) == (10, 10)
    resumed = leadterra.post(f"/v1/campaigns/{cid}/start")
    assert resumed.json()["status"] == "running"
    after = leadterra.stats(cid)
    assert (after["sent"], after["queued"]) == (20, 0)
    second = {m["sentAt"] for _, m in _messages(leadterra.campaign(cid)) if m["step"] == 1}
    assert second == {"2025-01-20T09:00:00Z"}  # at the resume, not when they came due


def test_what_the_pool_cannot_take_today_goes_out_in_its_next_windows(leadterra: Leadterra) -> None:
    leadterra.load(QUIET)  # the campaign's pool sends 20 a day
    cid = _campaign_with_leads(leadterra, 50, steps=[STEPS[0]])
    leadterra.post(f"/v1/campaigns/{cid}/start")

    seen = [(leadterra.stats(cid)["sent"], leadterra.stats(cid)["queued"])]
    for _ in range(2):
        leadterra.admin("POST", "clock/advance", json={"seconds": DAY})
        seen.append((leadterra.stats(cid)["sent"], leadterra.stats(cid)["queued"]))

    assert seen == [(20, 30), (40, 10), (50, 0)]
    sent_at = Counter(m["sentAt"] for _, m in _messages(leadterra.campaign(cid)))
    assert sent_at == {START: 20, "2025-01-16T09:00:00Z": 20, "2025-01-17T09:00:00Z": 10}
    # In the order they were enrolled (the order their step 1 came due).
    order = [p["email"] for p in leadterra.campaign(cid)["progress"]]
    assert order == sorted(order)
    assert leadterra.pool("pool_01HZ9KQMX7T3VB2N")["remainingVolume"] == 10


def test_a_suppressed_address_is_never_sent_to_and_counts_nowhere(leadterra: Leadterra) -> None:
    leadterra.load(QUIET)
    cid = _campaign_with_leads(leadterra, 3)
    # Suppressed while the campaign is a draft: never gets step 1.
    leadterra.post("/v1/suppression-list", json={"emails": ["LEAD000@acme.example"]})
    leadterra.post(f"/v1/campaigns/{cid}/start")
    # Suppressed after step 1: gets no step 2.
    leadterra.post("/v1/suppression-list", json={"emails": ["lead001@acme.example"]})
    leadterra.admin("POST", "clock/advance", json={"seconds": 4 * DAY})

    stats = leadterra.stats(cid)
    assert (stats["totalEnrolled"], stats["sent"], stats["delivered"], stats["queued"]) == (3, 3, 3, 0)
    progress = {p["email"]: p for p in leadterra.campaign(cid)["progress"]}
    assert {email: (p["status"], len(p["messages"])) for email, p in progress.items()} == {
        "lead000@acme.example": ("suppressed", 0),
        "lead001@acme.example": ("suppressed", 1),
        "lead002@acme.example": ("completed", 2),
    }


def test_a_hard_bounce_suppresses_the_address_for_the_whole_workspace(leadterra: Leadterra) -> None:
    leadterra.load(
        QUIET.replace("{reply_rate: 0, bounce_rate: 0}", "{reply_rate: 0, bounce_rate: 1, hard_bounce_share: 1}")
    )
    cid = _campaign_with_leads(leadterra, 2)
    leadterra.post(f"/v1/campaigns/{cid}/start")
    leadterra.admin("POST", "clock/advance", json={"seconds": 4 * DAY})

    stats = leadterra.stats(cid)
    assert (stats["sent"], stats["delivered"], stats["bounced"], stats["queued"]) == (2, 0, 2, 0)
    assert {"lead000@acme.example", "lead001@acme.example"} <= set(leadterra.state()["suppressionList"])
    other = leadterra.create_campaign("Later")
    assert leadterra.enrol(other, "lead000@acme.example")["skipped"] == 1


def test_a_bad_simulation_setting_is_refused_naming_the_line(leadterra: Leadterra) -> None:
    text = "extends: default\nvendors:\n  leadterra:\n    simulation:\n      reply_rate: 2\n"

    response = leadterra.admin("POST", "scenarios", json={"yaml": text})

    assert response.status_code == 400
    [problem] = response.json()["error"]["problems"]
    assert problem.endswith(":5: vendors.leadterra.simulation.reply_rate: 2 is greater than the maximum of 1")
