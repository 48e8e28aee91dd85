"""Sonarly's rules without HTTP: timestamps, cursors, workflow steps and outcomes, and the state's round trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml

from campaign_mock.engine.chance import Chance
from campaign_mock.engine.errors import ApiError
from campaign_mock.engine.ids import IdFactory
from campaign_mock.engine.scenario_files import SCENARIO_DIR
from campaign_mock.engine.vendor import StateContext
from campaign_mock.vendors.sonarly.seeds import check_references
from campaign_mock.vendors.sonarly.state import SonarlyState, stamp
from campaign_mock.vendors.sonarly.views import decode_cursor, encode_cursor
from campaign_mock.vendors.sonarly.workflows import (
    ACCEPT_PROBABILITY,
    REPLY_PROBABILITY,
    STARTER_TEMPLATES,
    default_slots,
    step_outcome,
    time_to_reach,
)

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
DEFAULT_SECTION: dict[str, Any] = yaml.safe_load((SCENARIO_DIR / "sonarly" / "default.yaml").read_text())["vendors"][
    "sonarly"
]


def context(moment: datetime, seed: int = 0) -> StateContext:
    return StateContext(moment, IdFactory(), Chance(seed))


def test_stamp_is_utc_with_milliseconds() -> None:
    assert stamp(datetime(2026, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)) == "2026-05-01T12:00:00.123Z"


def test_cursor_round_trips_and_reads_the_sonarly_example() -> None:
    key = ("2026-04-10T10:00:00.000Z", "665f0000000000000000a001")
    assert decode_cursor(encode_cursor(key)) == key
    assert decode_cursor("eyJjcmVhdGVkQXQiOiIyMDI2LTA0LTI4VDE1OjMwOjAwLjAwMFoifQ") == ("2026-04-28T15:30:00.000Z", "")


def test_cursor_unreadable_is_400_validation_error() -> None:
    with pytest.raises(ApiError) as caught:
        decode_cursor("e30")  # {}
    assert (caught.value.status, caught.value.code) == (400, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    ("template", "channels"),
    [
        ("engage-inmail", ["inmail"]),
        ("engage-connect-dm", ["connection_request", "direct_message"]),
        ("connect-engage-dm", ["connection_request", "direct_message"]),
        ("connect", ["connection_request"]),
    ],
)
def test_default_slots_follow_the_starter_template(template: str, channels: list[str]) -> None:
    slots = default_slots(template, "665f0000000000000000c001")
    assert [s["channel"] for s in slots] == channels
    assert [s["position"] for s in slots] == list(range(1, len(channels) + 1))


def test_time_to_reach_adds_the_step_durations() -> None:
    assert [time_to_reach("engage-connect-dm", step) for step in (1, 2, 3)] == [
        timedelta(days=1),
        timedelta(days=4),
        timedelta(days=5),
    ]


def test_step_outcomes_follow_the_documented_probabilities() -> None:
    chance = Chance(3)
    leads = [f"{n:024x}" for n in range(2000)]
    connect = [step_outcome(chance, "connect", "c", lead, 1) for lead in leads]
    inmail = [step_outcome(chance, "engage-inmail", "c", lead, 2) for lead in leads]

    assert set(connect) == {"completed", "not_connected"}
    assert abs(connect.count("completed") / len(leads) - ACCEPT_PROBABILITY) < 0.04
    assert abs(inmail.count("replied") / len(leads) - REPLY_PROBABILITY) < 0.04
    assert [step_outcome(chance, "engage-inmail", "c", lead, 1) for lead in leads[:50]] == [None] * 50


def test_step_outcome_is_the_same_for_the_same_seed_and_identity() -> None:
    draws = [step_outcome(Chance(9), "connect", "c1", "lead", 1) for _ in range(3)]
    assert len(set(draws)) == 1
    others = {step_outcome(Chance(9), "connect", f"c{n}", "lead", 1) for n in range(40)}
    assert others == {"completed", "not_connected"}


def test_default_section_has_no_reference_problems() -> None:
    assert check_references(DEFAULT_SECTION) == []


def test_state_round_trips_through_its_scenario_form() -> None:
    state = SonarlyState.from_dict(DEFAULT_SECTION, context(START))
    again = SonarlyState.from_dict(state.to_dict(), context(START + timedelta(days=400)))
    assert again.to_dict() == state.to_dict()


@pytest.mark.parametrize("template", STARTER_TEMPLATES)
def test_advance_to_in_one_jump_or_many_steps_gives_the_same_state(template: str) -> None:
    section = {
        "accountGroups": [
            {
                "id": "665f00000000000000000001",
                "name": "G",
                "campaigns": [
                    {
                        "id": "665f0000000000000000c001",
                        "name": "C",
                        "status": "active",
                        "starterTemplateId": template,
                        "selectedLeadCount": 40,
                    }
                ],
            }
        ]
    }
    jumped = SonarlyState.from_dict(section, context(START, 5))
    stepped = SonarlyState.from_dict(section, context(START, 5))
    jumped.advance_to(context(START + timedelta(days=10), 5))
    for hours in range(1, 24 * 10 + 1):
        stepped.advance_to(context(START + timedelta(hours=hours), 5))

    assert jumped.to_dict() == stepped.to_dict()
    campaign = jumped.to_dict()["accountGroups"][0]["campaigns"][0]
    assert campaign["status"] == "completed"
    assert {i["status"] for i in campaign["instances"]} == {"finished"}
