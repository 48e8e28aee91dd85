"""Concurrent calls through a live server, for every vendor: a start raced 64 times moves the campaign once, and
16 overlapping bulk uploads lose and duplicate nothing.

The calls go out together on 64 (or 16) connections of an `httpx.AsyncClient`. Each race runs in the test's own
session, next to a reference session that makes the same call once; both sessions' clocks are frozen at the same
instant, so after the race the vendor's whole exported state must equal the reference's: one transition, queued
messages, workflow instances and scheduled calls counted once. The answers to the other 63 starts are the ones the
vendors document for a start that finds the campaign already started: Leadterra's no-op 200 (the same answer
again), FoxReach's 400 "already active", VoiceGenie's 400 CAMPAIGN_ALREADY_RUNNING and Sonarly's 409
CAMPAIGN_ALREADY_STARTED (inferred in the notes: "409 most likely").

Bulk uploads: Leadterra's leads bulk, VoiceGenie's uploadCampaignData into an existing campaign, and for FoxReach,
which has no bulk lead endpoint, 16 clients each creating their leads one by one (`POST /leads`, 409 for an address
the workspace has) and then attaching them to a campaign (`POST /campaigns/{id}/leads`). Sonarly's API adds no
leads (prospects come from audiences filling on the clock): its race is 16 drafts created at once for the same
audience.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from engine_client import Mock

from campaign_mock.pytest_plugin import MockSession

STARTS = 64
UPLOADS = 16
PER_UPLOAD = 8  # upload i sends items i .. i+7 of UPLOADS + PER_UPLOAD - 1 unique ones: every item in up to 8 uploads
UNIQUE = UPLOADS + PER_UPLOAD - 1
NO_RATE_LIMIT = "extends: default\nrate_limits:\n  foxreach: {limit: 1000000, window_seconds: 60}\n"
FROZEN_AT = "2026-05-04T09:00:00Z"  # after every record of the default scenario

LEADTERRA = {"Authorization": "Bearer sk_test_leadterra"}
FOXREACH = {"X-API-Key": "otr_test_foxreach"}
VOICEGENIE = {"x-api-key": "vg_test_voicegenie"}
SONARLY = {"Authorization": "Bearer sk_test_sonarly"}
VG_CAMPAIGN = "550e8400-e29b-41d4-a716-446655440000"  # paused, with a script and four contacts
SONARLY_GROUP = "/sonarly/v1/accounts/665f00000000000000000001"


Call = tuple[str, str, dict[str, Any]]  # method, URL, httpx keyword arguments


async def _clients(groups: list[list[Call]]) -> list[list[httpx.Response]]:
    limits = httpx.Limits(max_connections=len(groups), max_keepalive_connections=len(groups))
    async with httpx.AsyncClient(limits=limits, timeout=30, trust_env=False) as client:

        async def in_turn(calls: list[Call]) -> list[httpx.Response]:
            return [await client.request(method, url, **kw) for method, url, kw in calls]

        return list(await asyncio.gather(*(in_turn(calls) for calls in groups)))


def clients_at_once(groups: list[list[Call]]) -> list[list[httpx.Response]]:
    """One client per group, all at once, each on a connection of its own, sending its calls one after another."""
    return asyncio.run(_clients(groups))


def together(calls: list[Call]) -> list[httpx.Response]:
    """Every call at once, each on a connection of its own."""
    return [response for (response,) in clients_at_once([[call] for call in calls])]


def windows(make: Callable[[int], Any]) -> list[list[Any]]:
    """UPLOADS overlapping windows of PER_UPLOAD items out of UNIQUE, made by `make(index)`."""
    return [[make(i + j) for j in range(PER_UPLOAD)] for i in range(UPLOADS)]


def differences(got: Any, want: Any, path: str = "") -> list[str]:
    """Where two exported states differ, as `path: got != want` lines (for a readable failure)."""
    if isinstance(got, dict) and isinstance(want, dict):
        return [
            d for key in sorted(set(got) | set(want)) for d in differences(got.get(key), want.get(key), f"{path}/{key}")
        ]
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        return [d for i, (g, w) in enumerate(zip(got, want, strict=True)) for d in differences(g, w, f"{path}/{i}")]
    return [] if got == want else [f"{path}: {got!r} != {want!r}"]


def frozen_default(*sessions: str, mock: Mock) -> None:
    """Build the sessions from the default scenario on one frozen clock (rate limits lifted), so they hold the same
    records and stamp the same times."""
    yaml = f"{NO_RATE_LIMIT}clock: {{now: '{FROZEN_AT}', frozen: true}}\n"
    for session in sessions:
        response = mock.admin("POST", "scenarios", session=session, json={"yaml": yaml})
        assert response.status_code == 200, response.text


def leadterra_queued(state: dict[str, Any]) -> int:
    """Step-1 messages of camp_123 queued so far (sent ones included: the pool sends as soon as it can)."""
    stats = next(c["stats"] for c in state["campaigns"] if c["id"] == "camp_123")
    return int(stats["queued"] + stats["sent"])


def foxreach_active(state: dict[str, Any]) -> int:
    return sum(c["status"] == "active" for c in state["campaigns"])


def voicegenie_running(state: dict[str, Any]) -> int:
    return sum(c["campaign_status"] == "running" for c in state["campaigns"])


def sonarly_instances(state: dict[str, Any]) -> int:
    """The workflow instances of the draft c001."""
    campaigns = (c for g in state["accountGroups"] for c in g["campaigns"] if c["id"] == "665f0000000000000000c001")
    return len(next(campaigns).get("instances", ()))


@dataclass(frozen=True)
class Start:
    vendor: str
    headers: dict[str, str]
    method: str
    path: str
    refused: int  # the status of a start that finds the campaign started (200: the documented no-op)
    refusal: Callable[[Any], Any]  # what each such answer must say, read from its body
    documented: Any
    counter: Callable[[dict[str, Any]], int]  # a count in the vendor's exported state that one start moves
    before: int
    after: int

    def call(self, base: str, session: str) -> Call:
        return self.method, f"{base}/{self.vendor}{self.path}", {"headers": {**self.headers, "X-Mock-Session": session}}


STARTS_BY_VENDOR = [
    # camp_123: a draft with two leads; starting it queues step 1 for both.
    Start(
        "leadterra",
        LEADTERRA,
        "POST",
        "/v1/campaigns/camp_123/start",
        200,
        lambda b: b["status"],
        "running",
        leadterra_queued,
        0,
        2,
    ),
    Start(
        "foxreach",
        FOXREACH,
        "POST",
        "/api/v1/campaigns/cmp_abc123/start",
        400,
        lambda b: b,
        {"detail": "Campaign is already active"},
        foxreach_active,
        1,
        2,
    ),
    Start(
        "voicegenie",
        VOICEGENIE,
        "GET",
        f"/startCampaign/{VG_CAMPAIGN}",
        400,
        lambda b: (b["success"], b["error"]),
        (False, "CAMPAIGN_ALREADY_RUNNING"),
        voicegenie_running,
        1,
        2,
    ),
    # The draft c001 has three selected leads: one workflow instance each.
    Start(
        "sonarly",
        SONARLY,
        "POST",
        f"{SONARLY_GROUP.removeprefix('/sonarly')}/campaigns/665f0000000000000000c001/start",
        409,
        lambda b: (b["success"], b["error"]["code"]),
        (False, "CAMPAIGN_ALREADY_STARTED"),
        sonarly_instances,
        0,
        3,
    ),
]


@pytest.mark.parametrize("start", STARTS_BY_VENDOR, ids=lambda s: s.vendor)
def test_a_raced_start_moves_the_campaign_once(
    start: Start, shared: Mock, mock_session: MockSession, other_session: str
) -> None:
    session, reference = mock_session.name, other_session
    frozen_default(session, reference, mock=shared)
    assert start.counter(shared.state(session)["vendors"][start.vendor]) == start.before
    (once,) = together([start.call(shared.url, reference)])
    assert once.status_code == 200, once.text

    answers = together([start.call(shared.url, session)] * STARTS)

    statuses = Counter(a.status_code for a in answers)
    if start.refused == 200:  # a no-op answers the campaign as it is: every answer is the first one
        assert statuses == {200: STARTS}
        assert {a.text for a in answers} == {once.text}
        refusals = answers
    else:
        assert statuses == {200: 1, start.refused: STARTS - 1}
        assert [a.json() for a in answers if a.status_code == 200] == [once.json()]
        refusals = [a for a in answers if a.status_code == start.refused]
    assert [start.refusal(a.json()) for a in refusals] == [start.documented] * len(refusals)
    # One transition: the vendor's records are exactly those one start leaves (queued messages, workflow instances,
    # scheduled calls and timestamps included), and the count it moves moved once.
    state = shared.state(session)["vendors"][start.vendor]
    assert start.counter(state) == start.after
    assert differences(state, shared.state(reference)["vendors"][start.vendor]) == []
    assert shared.violations(reference, kind="response") == []


def in_session(session: str, headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "X-Mock-Session": session}


def race_lead(i: int) -> dict[str, Any]:
    return {"email": f"lead{i:02d}@race.example", "firstName": f"Lead {i}"}


def test_overlapping_leadterra_bulk_uploads(shared: Mock, mock_session: MockSession) -> None:
    session = mock_session.name
    frozen_default(session, mock=shared)
    url = f"{shared.url}/leadterra/v1/campaigns/camp_123/leads/bulk"
    headers = in_session(session, LEADTERRA)

    answers = together([("POST", url, {"headers": headers, "json": {"leads": leads}}) for leads in windows(race_lead)])

    assert [a.status_code for a in answers] == [200] * UPLOADS, [a.text for a in answers if a.status_code != 200]
    counts = [a.json() for a in answers]
    # Each address is new to exactly one upload; every other upload that sends it updates it.
    assert sum(c["enrolled"] for c in counts) == UNIQUE
    assert sum(c["updated"] for c in counts) == UPLOADS * PER_UPLOAD - UNIQUE
    assert all(c["skipped"] == 0 and c["total"] == PER_UPLOAD for c in counts)
    campaign = next(c for c in shared.state(session)["vendors"]["leadterra"]["campaigns"] if c["id"] == "camp_123")
    enrolled = Counter(lead["email"] for lead in campaign["leads"])
    assert enrolled == Counter(
        ["ana@acme.example", "ben@globex.example"] + [race_lead(i)["email"] for i in range(UNIQUE)]
    )
    stats = shared.leadterra("GET", "/v1/campaigns/camp_123/stats", session=session).json()
    assert stats["totalEnrolled"] == 2 + UNIQUE


def test_overlapping_foxreach_lead_creates_and_attachments(shared: Mock, mock_session: MockSession) -> None:
    session = mock_session.name
    frozen_default(session, mock=shared)
    base, headers = f"{shared.url}/foxreach/api/v1", in_session(session, FOXREACH)

    created = clients_at_once(
        [
            [("POST", f"{base}/leads", {"headers": headers, "json": lead}) for lead in leads]
            for leads in windows(race_lead)
        ]
    )

    statuses = Counter(r.status_code for answers in created for r in answers)
    assert statuses == {201: UNIQUE, 409: UPLOADS * PER_UPLOAD - UNIQUE}
    assert {r.json()["detail"] for answers in created for r in answers if r.status_code == 409} == {
        "Lead with this email already exists"
    }
    ids = {
        r.json()["data"]["email"]: r.json()["data"]["id"]
        for answers in created
        for r in answers
        if r.status_code == 201
    }
    listed = shared.http.get(f"{base}/leads", params={"pageSize": 100}, headers=headers).json()
    emails = Counter(lead["email"] for lead in listed["data"])
    assert listed["meta"]["total"] == 6 + UNIQUE and max(emails.values()) == 1
    assert set(ids) == {race_lead(i)["email"] for i in range(UNIQUE)} <= set(emails)

    attach = [{"leadIds": [ids[lead["email"]] for lead in leads]} for leads in windows(race_lead)]
    url = f"{base}/campaigns/cmp_abc123/leads"
    answers = together([("POST", url, {"headers": headers, "json": body}) for body in attach])

    assert [a.status_code for a in answers] == [200] * UPLOADS
    assert sum(a.json()["data"]["added"] for a in answers) == UNIQUE
    assert sum(a.json()["data"]["skipped"] for a in answers) == UPLOADS * PER_UPLOAD - UNIQUE
    campaign = next(c for c in shared.state(session)["vendors"]["foxreach"]["campaigns"] if c["id"] == "cmp_abc123")
    assert Counter(campaign["leadIds"]) == Counter(["cld_ana01", "cld_ben01", *ids.values()])


def race_contact(i: int) -> dict[str, Any]:
    return {"phone_number": f"+1415555{2000 + i}", "name": f"Contact {i}"}


def test_overlapping_voicegenie_uploads_into_one_campaign(shared: Mock, mock_session: MockSession) -> None:
    session = mock_session.name
    frozen_default(session, mock=shared)
    base, headers = f"{shared.url}/voicegenie", in_session(session, VOICEGENIE)
    uploads = [{"campaign_id": VG_CAMPAIGN, "contacts": contacts} for contacts in windows(race_contact)]

    answers = together([("POST", f"{base}/uploadCampaignData", {"headers": headers, "json": u}) for u in uploads])

    assert [a.status_code for a in answers] == [200] * UPLOADS, [a.text for a in answers if a.status_code != 200]
    counts = [a.json()["data"] for a in answers]
    # "Duplicate phone numbers within a campaign silently skipped": each number is added by exactly one upload.
    assert sum(c["uploaded_count"] for c in counts) == UNIQUE
    assert sum(c["skipped_count"] for c in counts) == UPLOADS * PER_UPLOAD - UNIQUE
    assert all(c["failed_count"] == 0 for c in counts)
    campaign = shared.http.get(f"{base}/campaign/{VG_CAMPAIGN}", headers=headers).json()["data"]
    assert len(campaign["contact_ids"]) == len(set(campaign["contact_ids"])) == 4 + UNIQUE
    state = shared.state(session)["vendors"]["voicegenie"]
    phones = Counter(c["phone_number"] for c in state["contacts"] if c["id"] in campaign["contact_ids"])
    assert phones == Counter(
        ["+14155550101", "+14155550102", "+14155550103", "919876543210"]
        + [race_contact(i)["phone_number"] for i in range(UNIQUE)]
    )


def test_simultaneous_sonarly_drafts(shared: Mock, mock_session: MockSession) -> None:
    """Sonarly adds no leads through its API; drafts made at once for one audience (overlapping lead selections)
    are all kept, each with its own id and selection."""
    session = mock_session.name
    frozen_default(session, mock=shared)
    url, headers = f"{shared.url}{SONARLY_GROUP}/campaigns", in_session(session, SONARLY)
    prospects = [f"665f0000000000000000b00{n}" for n in (1, 2, 3)]  # the audience a001's three prospects
    drafts = [
        {
            "name": f"Race {i}",
            "starterTemplateId": "connect",
            "audienceId": "665f0000000000000000a001",
            "leadIds": prospects[i % 3 : i % 3 + 2],
        }
        for i in range(UPLOADS)
    ]

    answers = together([("POST", url, {"headers": headers, "json": draft}) for draft in drafts])

    assert [a.status_code for a in answers] == [201] * UPLOADS, [a.text for a in answers if a.status_code != 201]
    made = [a.json()["data"] for a in answers]
    assert len({d["id"] for d in made}) == UPLOADS
    assert [d["selectedLeadCount"] for d in made] == [len(d["leadIds"]) for d in drafts]
    listed = shared.http.get(url, headers=headers).json()["data"]["items"]
    assert Counter(c["id"] for c in listed) == Counter(
        ["665f0000000000000000c001", "665f0000000000000000c002", "665f0000000000000000c003"] + [d["id"] for d in made]
    )
