"""Calls on the mock clock: a running campaign dials its contacts, each call ends with a seeded outcome, and every
read (statistics, history, statuses, the CSV and XLSX report, the quota) reflects exactly the calls made."""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import openpyxl
import pytest
from voicegenie_support import DRAFT, NOW, SCRIPT, contacts, data, failure, frozen_scenario

from campaign_mock.engine.chance import Chance
from campaign_mock.engine.ids import IdFactory
from campaign_mock.engine.vendor import StateContext
from campaign_mock.pytest_plugin import MockSession
from campaign_mock.vendors.voicegenie.calls import LINES
from campaign_mock.vendors.voicegenie.state import VoiceGenieState

DAY = 86400


def start_big_campaign(api: httpx.Client, size: int = 100, **fields: Any) -> str:
    """Upload `size` contacts into a new campaign with the demo script, start it, and return its id."""
    body = {"campaign_name": f"Big {size}", "script_id": SCRIPT, "contacts": contacts(size), **fields}
    campaign_id: str = data(api.post("/uploadCampaignData", json=body))["campaign_id"]
    assert data(api.get(f"/startCampaign/{campaign_id}"))["status"] == "running"
    return campaign_id


def history(api: httpx.Client, campaign_id: str, **filters: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = data(
        api.post("/getHistory", json={"campaign_id": campaign_id, "limit": 1000, **filters})
    )["history"]
    return entries


def ends(entry: dict[str, Any]) -> str:
    started = datetime.fromisoformat(entry["call_time"].replace("Z", "+00:00"))
    return (started + timedelta(seconds=entry["duration"])).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_day_of_100_contacts_agrees_everywhere_call_for_call(frozen: MockSession, api: httpx.Client) -> None:
    campaign_id = start_big_campaign(api)
    frozen.advance_clock(DAY)

    stats = data(api.get(f"/getCampaignStats/{campaign_id}"))
    calls = history(api, campaign_id)
    entry = next(c for c in data(api.get("/getCampaignStatuses"))["campaigns"] if c["campaign_name"] == "Big 100")
    by_outcome = Counter(c["status"] for c in calls)

    # Statistics: every contact called once, the counts are those of the calls.
    assert len(calls) == 100
    assert len({c["phone_number"] for c in calls}) == 100
    assert stats["total_contacts"] == 100
    assert (stats["calls_in_progress"], stats["calls_pending"]) == (0, 0)
    assert stats["call_status_breakdown"] == {
        o: by_outcome[o] for o in ("answered", "busy", "no_answer", "failed", "voicemail")
    }
    assert stats["calls_completed"] == by_outcome["answered"] + by_outcome["voicemail"]
    assert stats["calls_failed"] == by_outcome["busy"] + by_outcome["no_answer"] + by_outcome["failed"]
    assert stats["total_call_duration"] == sum(c["duration"] for c in calls)
    assert stats["average_call_duration"] == round(stats["total_call_duration"] / 100)
    assert stats["success_rate"] == round(by_outcome["answered"] * 100 / 100, 2)
    # Every outcome happened at least once, in plausible proportions for 100 draws.
    assert all(by_outcome[o] > 0 for o in ("answered", "busy", "no_answer", "failed", "voicemail"))
    # The campaign completed when its last call ended, and never ran more than LINES calls at once.
    assert stats["completed_at"] == max(ends(c) for c in calls)
    assert data(api.get(f"/campaign/{campaign_id}"))["campaign_status"] == "completed"
    moments = sorted([(c["call_time"], 1) for c in calls] + [(ends(c), -1) for c in calls], key=lambda m: (m[0], m[1]))
    busy = peak = 0
    for _, step in moments:
        busy += step
        peak = max(peak, busy)
    assert peak == LINES
    # getCampaignStatuses (v2) counts the same calls.
    assert entry["status"] == "completed"
    assert entry["completed_at"] == stats["completed_at"]
    assert entry["call_statistics"] == {
        "total_calls": 100,
        "completed": stats["calls_completed"],
        "failed": by_outcome["failed"],
        "no_answer": by_outcome["no_answer"],
    }
    assert entry["success_metrics"] == {
        "connection_rate": float(stats["calls_completed"]),
        "success_rate": float(by_outcome["answered"]),
        "average_call_duration": stats["average_call_duration"],
    }
    # The CSV and XLSX reports: one row per contact, its call as the history shows it.
    by_number = {c["phone_number"]: c for c in calls}
    csv_response = api.get("/downloadCampaignStats", params={"campaign_id": campaign_id, "format": "csv"})
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert csv_response.headers["content-disposition"] == f'attachment; filename="campaign_{campaign_id}.csv"'
    rows = list(csv.DictReader(io.StringIO(csv_response.text)))
    assert len(rows) == 100
    for row in rows:
        call = by_number[row["phone_number"]]
        assert (row["call_status"], int(row["duration"]), row["call_time"]) == (
            call["status"],
            call["duration"],
            call["call_time"],
        )
        assert row["recording_url"] == (call["recording_url"] or "")
        assert row["name"] == call["contact_name"]
    xlsx_response = api.get("/downloadCampaignStats", params={"campaign_id": campaign_id})
    assert xlsx_response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active
    assert sheet is not None
    table = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert table[0] == list(rows[0])
    assert [[str(v) for v in r] for r in table[1:]] == [list(r.values()) for r in rows]


def test_the_same_seed_gives_the_same_calls_twice(mock_session: MockSession, api: httpx.Client) -> None:
    runs = []
    for _ in range(2):
        mock_session.load_scenario(yaml=frozen_scenario("seed: 7\n"))
        campaign_id = start_big_campaign(api, 30)
        mock_session.advance_clock(DAY)
        runs.append(history(api, campaign_id))
    mock_session.load_scenario(yaml=frozen_scenario("seed: 8\n"))
    campaign_id = start_big_campaign(api, 30)
    mock_session.advance_clock(DAY)
    other = history(api, campaign_id)

    assert runs[0] == runs[1]
    assert [(c["status"], c["duration"]) for c in other] != [(c["status"], c["duration"]) for c in runs[0]]


def test_the_clock_moving_in_steps_or_at_once_gives_the_same_state(
    mock_session: MockSession, api: httpx.Client
) -> None:
    exports = []
    for steps in (1, 24):
        mock_session.load_scenario(yaml=frozen_scenario())
        campaign_id = start_big_campaign(api, 40)
        for _ in range(steps):
            mock_session.advance_clock(DAY / steps)
            api.get(f"/campaign/{campaign_id}")  # the state catches up when it is read
        exports.append(mock_session.admin("GET", "state").json()["vendors"]["voicegenie"])

    assert exports[0] == exports[1]


def test_pause_lets_active_calls_finish_and_starts_no_new_one(frozen: MockSession, api: httpx.Client) -> None:
    campaign_id = start_big_campaign(api, 8)
    api.get(f"/campaign/{campaign_id}")  # the first five calls are placed
    paused = data(api.get(f"/pauseTheCampaign/{campaign_id}"))
    frozen.advance_clock(3600)

    calls = history(api, campaign_id)
    stats = data(api.get(f"/getCampaignStats/{campaign_id}"))

    assert paused["active_calls"] == 5
    assert len(calls) == 5
    assert {c["call_time"] for c in calls} == {NOW}
    assert (stats["calls_in_progress"], stats["calls_pending"]) == (0, 3)
    assert data(api.get(f"/campaign/{campaign_id}"))["campaign_status"] == "paused"


def test_contacts_uploaded_to_a_running_campaign_are_called(frozen: MockSession, api: httpx.Client) -> None:
    campaign_id = start_big_campaign(api, 2)
    frozen.advance_clock(600)
    assert data(api.get(f"/campaign/{campaign_id}"))["campaign_status"] == "completed"

    campaign_id = start_big_campaign(api, 2)
    api.post("/uploadCampaignData", json={"campaign_id": campaign_id, "contacts": contacts(3, start=50)})
    frozen.advance_clock(600)

    assert len(history(api, campaign_id)) == 5


def test_history_filters_by_status_and_dates_and_pages(frozen: MockSession, api: httpx.Client) -> None:
    first = start_big_campaign(api, 20)
    frozen.advance_clock(3600)
    calls = history(api, first)
    answered = [c for c in calls if c["status"] == "answered"]
    late = calls[0]["call_time"]  # newest first

    assert [c["call_time"] for c in calls] == sorted((c["call_time"] for c in calls), reverse=True)
    assert history(api, first, status_filter="answered") == answered
    assert history(api, first, date_from=late) == [c for c in calls if c["call_time"] >= late]
    assert history(api, first, date_to=NOW) == [c for c in calls if c["call_time"] == NOW]
    page = data(api.post("/getHistory", json={"campaign_id": first, "limit": 3, "offset": 2}))
    assert page == {"history": calls[2:5], "pagination": {"total": 20, "limit": 3, "offset": 2}}
    # JSON Schema's `integer` admits a whole float: it pages the same (and far past the end, an empty page).
    assert data(api.post("/getHistory", json={"campaign_id": first, "limit": 3.0, "offset": 2.0})) == page
    beyond = data(api.post("/getHistory", json={"campaign_id": first, "offset": 1729725433.0}))
    assert (beyond["history"], beyond["pagination"]["offset"]) == ([], 1729725433)
    assert (
        failure(api.post("/getHistory", json={"campaign_id": first, "status_filter": "voicemail"}), 400)["details"][
            "field"
        ]
        == "status_filter"
    )


def test_redial_config_redials_unanswered_calls_on_its_intervals(frozen: MockSession, api: httpx.Client) -> None:
    body = {
        "campaignName": "With redials",
        "agentId": SCRIPT,
        "contacts": contacts(25),
        "redialConfig": {"enabled": True, "maxAttempts": 2, "retryIntervals": [600, 1200]},
    }
    run = data(api.post("/uploadCampaignDataAndRun", json=body))
    frozen.advance_clock(DAY)
    state = frozen.admin("GET", "state").json()["vendors"]["voicegenie"]
    campaign_id = run["campaign"]["campaignId"]
    calls = [c for c in state["calls"] if c["campaign_id"] == campaign_id]
    chains: dict[str, list[dict[str, Any]]] = {}
    for call in calls:
        chains.setdefault(call["contact_id"], []).append(call)

    redialled = [chain for chain in chains.values() if len(chain) > 1]
    assert redialled  # some first calls went unanswered
    for chain in chains.values():
        chain.sort(key=lambda c: c["attempt"])
        assert [c["attempt"] for c in chain] == list(range(1, len(chain) + 1))
        assert len(chain) <= 3
        for earlier, later, wait in zip(chain, chain[1:], (600, 1200), strict=False):
            assert earlier["status"] in ("busy", "no_answer", "failed")
            ended = datetime.fromisoformat(earlier["ended_at"].replace("Z", "+00:00"))
            assert later["started_at"] == (ended + timedelta(seconds=wait)).strftime("%Y-%m-%dT%H:%M:%SZ")
        if len(chain) < 3:
            assert chain[-1]["status"] in ("answered", "voicemail")
    statuses = data(api.get("/getCampaignStatuses", params={"campaign_id": run["campaign"]["_id"]}))["campaigns"][0]
    assert statuses["call_statistics"]["total_calls"] == len(calls)
    assert data(api.get(f"/getCampaignStats/{campaign_id}"))["call_status_breakdown"] == {
        outcome: sum(1 for c in calls if c["status"] == outcome)
        for outcome in ("answered", "busy", "no_answer", "failed", "voicemail")
    }


def test_redial_campaign_calls_schedules_the_selected_calls(frozen: MockSession, api: httpx.Client) -> None:
    campaign_id = start_big_campaign(api, 12)
    frozen.advance_clock(3600)
    object_id = next(
        c["campaign_id"] for c in data(api.get("/getCampaignStatuses"))["campaigns"] if c["campaign_name"] == "Big 12"
    )
    missed = [c for c in history(api, campaign_id) if c["status"] in ("busy", "no_answer", "failed")]
    assert missed

    one = data(api.post("/redialCampaignCalls", json={"campaign_id": object_id, "call_uuids": [missed[0]["call_id"]]}))
    all_missed = data(api.post("/redialCampaignCalls", json={"campaign_id": object_id}))
    capped = data(
        api.post(
            "/redialCampaignCalls",
            json={
                "campaign_id": object_id,
                "redial_criteria": {"statuses": ["no-answer", "busy", "failed"], "max_previous_attempts": 1},
            },
        )
    )

    assert one["total_calls_to_redial"] == 1 and one["calls_scheduled"] == 1
    assert one["estimated_start_time"] == "2025-03-03T11:00:00Z"
    assert one["redial_config"] == {"retry_interval": 3600, "max_attempts": 3}
    # The redial queued first is now the contact's latest call: only the others are selected again.
    assert all_missed["total_calls_to_redial"] == len(missed) - 1
    assert capped["calls_scheduled"] == 0
    statuses = data(api.get("/getCampaignStatuses", params={"campaign_id": object_id}))["campaigns"][0]
    assert statuses["status"] == "in_progress"  # the completed campaign went back to work for its redials
    assert statuses["redial_info"]["pending_redials"] == len(missed)
    assert statuses["redial_info"]["next_redial_at"] == "2025-03-03T11:00:00Z"

    frozen.advance_clock(2 * 3600)
    calls = history(api, campaign_id)
    assert len(calls) == 12 + len(missed)
    assert data(api.get(f"/campaign/{campaign_id}"))["campaign_status"] == "completed"


def test_redial_campaign_calls_skips_do_not_call_contacts(frozen: MockSession, api: httpx.Client) -> None:
    people = [{"phone_number": f"+1415555{i:04d}", "custom_fields": {"dnc": True}} for i in range(20)]
    campaign_id = data(
        api.post("/uploadCampaignData", json={"campaign_name": "DNC", "script_id": SCRIPT, "contacts": people})
    )["campaign_id"]
    api.get(f"/startCampaign/{campaign_id}")
    frozen.advance_clock(3600)
    object_id = next(
        c["campaign_id"] for c in data(api.get("/getCampaignStatuses"))["campaigns"] if c["campaign_name"] == "DNC"
    )
    missed = sum(1 for c in history(api, campaign_id) if c["status"] in ("busy", "no_answer", "failed"))

    skipped = data(api.post("/redialCampaignCalls", json={"campaign_id": object_id}))
    allowed = data(
        api.post("/redialCampaignCalls", json={"campaign_id": object_id, "redial_criteria": {"exclude_dnc": False}})
    )

    assert skipped["excluded_reasons"] == {"dnc_list": missed, "max_attempts_reached": 0}
    assert skipped["calls_excluded"] == missed and skipped["calls_scheduled"] == 0
    assert allowed["calls_scheduled"] == missed


def test_redial_campaign_calls_unknown_campaign_answers_404(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.post("/redialCampaignCalls", json={"campaign_id": "0123456789abcdef01234567"}), 404)

    assert body == {"success": False, "message": "Campaign not found", "error": "NOT_FOUND"}


def test_upload_and_run_scheduled_contacts_are_called_at_their_time(frozen: MockSession, api: httpx.Client) -> None:
    people = [
        {"phone_number": "+14155550001", "name": "Early", "scheduledCallDateTime": "2025-03-03T09:30:00Z"},
        {"phone_number": "+14155550002", "name": "Late", "scheduledCallDateTime": "2025-03-03T12:00:00+02:00"},
    ]
    run = data(
        api.post(
            "/uploadCampaignDataAndRun",
            json={"campaignName": "Scheduled", "agentId": SCRIPT, "contacts": people, "isScheduledCall": True},
        )
    )
    frozen.advance_clock(4 * 3600)

    calls = history(api, run["campaign"]["campaignId"])

    assert run["execution_status"]["calls_queued"] == 2
    assert sorted((c["contact_name"], c["call_time"]) for c in calls) == [
        ("Early", "2025-03-03T09:30:00Z"),
        ("Late", "2025-03-03T10:00:00Z"),
    ]


def test_initiate_call_is_placed_at_once_and_ends_on_the_clock(frozen: MockSession, api: httpx.Client) -> None:
    body = {
        "campaignId": DRAFT,
        "userName": "Walk-in",
        "userPhoneNumber": "919625147093",
        "metaData": {"topic": "demo"},
    }
    placed = data(api.post("/initiateCall", json=body))
    frozen.advance_clock(600)

    calls = history(api, DRAFT)

    assert placed == {
        "call_uuid": placed["call_uuid"],
        "status": "initiated",
        "userPhoneNumber": "919625147093",
        "campaignId": DRAFT,
        "initiated_at": NOW,
    }
    assert [(c["call_id"], c["contact_name"], c["call_time"]) for c in calls] == [(placed["call_uuid"], "Walk-in", NOW)]
    assert data(api.get(f"/campaign/{DRAFT}"))["campaign_status"] == "draft"  # the campaign's state does not matter


def test_fetch_quota_counts_the_calls_placed(frozen: MockSession, api: httpx.Client) -> None:
    before = data(api.get("/fetchQuota"))
    campaign_id = start_big_campaign(api, 10)
    frozen.advance_clock(3600)
    calls = history(api, campaign_id)

    after = data(api.get("/fetchQuota"))

    assert before["quota"]["calls"] == {"used": 1256, "limit": 10000, "remaining": 8744, "percentage": 12.56}
    assert after["quota"]["calls"]["used"] == 1256 + 10
    minutes = sum(-(-c["duration"] // 60) for c in calls)
    assert after["quota"]["minutes"]["used"] == before["quota"]["minutes"]["used"] + minutes
    assert after["quota"]["sms"] == {"used": 80, "limit": 5000, "remaining": 4920, "percentage": 1.6}
    assert (after["plan"], after["billingCycle"]) == ("Pro", "monthly")


def test_advancing_100_contacts_a_day_takes_milliseconds() -> None:
    moment = datetime(2025, 3, 3, 9, tzinfo=UTC)
    ctx = StateContext(moment, IdFactory(), Chance(0))
    section = {
        "contacts": [{"id": f"c{i}", "phone_number": f"+1415555{i:04d}"} for i in range(100)],
        "scripts": [{"script_id": "s", "script_name": "S"}],
        "campaigns": [
            {
                "id": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e",
                "name": "Fast",
                "campaign_status": "running",
                "script_id": "s",
                "contact_ids": [f"c{i}" for i in range(100)],
                "redialConfig": {"enabled": True, "maxAttempts": 2, "retryIntervals": [600]},
            }
        ],
    }
    state = VoiceGenieState.from_dict(section, ctx)

    started = time.perf_counter()
    state.advance_to(StateContext(moment + timedelta(days=1), ctx.ids, ctx.chance))
    elapsed = time.perf_counter() - started

    assert state.campaigns[0]["campaign_status"] == "completed"
    assert len(state.calls) > 100  # redials included
    assert elapsed < 0.1, f"{elapsed * 1000:.1f} ms"


@pytest.mark.parametrize("count", [1, 7])
def test_campaign_with_few_contacts_completes_once_all_are_called(
    frozen: MockSession, api: httpx.Client, count: int
) -> None:
    campaign_id = start_big_campaign(api, count)
    frozen.advance_clock(DAY)

    assert data(api.get(f"/getCampaignStats/{campaign_id}"))["total_contacts"] == count
    assert len(history(api, campaign_id)) == count
