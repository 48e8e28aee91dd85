"""Sonarly's scenarios: the shipped ones prove their point, and records the schema cannot judge are refused with
the line that wrote them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from campaign_mock.engine.scenarios import load_scenario
from campaign_mock.pytest_plugin import MockSession
from campaign_mock.vendors.registry import registered_catalog

SHIPPED = sorted(name for name, _ in registered_catalog().library.describe() if name.startswith("sonarly/"))
REQUIRED = {
    "sonarly/quickstart",
    "sonarly/conflict",
    "sonarly/missing-permission",
    "sonarly/rate-limited",
    "sonarly/no-leads",
    "sonarly/audience-not-ready",
    "sonarly/other-account-group",
}
GROUP = "665f00000000000000000001"


def refused(mock_session: MockSession, text: str) -> list[str]:
    response = mock_session.admin("POST", "scenarios", json={"yaml": text})
    assert response.status_code == 400, response.text
    problems: list[str] = response.json()["error"]["problems"]
    return problems


def test_shipped_scenarios_include_the_documented_set() -> None:
    assert set(SHIPPED) >= REQUIRED


def test_default_part_checks_both_demo_keys() -> None:
    scenario = load_scenario("default", registered_catalog())
    keys = {
        item["request"]["headers"]["Authorization"]
        for item in scenario.expect
        if item["request"]["vendor"] == "sonarly"
    }
    assert keys >= {"Bearer sk_test_sonarly", "Bearer sk_test_sonarly_readonly"}


@pytest.mark.parametrize(
    ("records", "problem"),
    [
        (
            "    api_keys:\n      - {key: sk_x, permissions: [], accountGroups: [665f00000000000000000009]}\n",
            "<posted yaml>:4: vendors.sonarly.api_keys[0].accountGroups[0]: "
            "no account group '665f00000000000000000009'",
        ),
        (
            f"    accountGroups:\n      - id: {GROUP}\n        name: G\n        prospects:\n"
            "          - {id: 665f0000000000000000b0aa, audienceIds: [665f0000000000000000a0aa]}\n",
            "<posted yaml>:7: vendors.sonarly.accountGroups[0].prospects[0].audienceIds[0]: "
            "no audience '665f0000000000000000a0aa' in this account group",
        ),
        (
            f"    accountGroups:\n      - id: {GROUP}\n        name: G\n        campaigns:\n"
            "          - {id: 665f0000000000000000c0aa, name: C, audienceId: 665f0000000000000000a0aa}\n",
            "<posted yaml>:7: vendors.sonarly.accountGroups[0].campaigns[0].audienceId: "
            "no audience '665f0000000000000000a0aa' in this account group",
        ),
        (
            f"    accountGroups:\n      - id: {GROUP}\n        name: G\n        campaigns:\n"
            "          - {id: 665f0000000000000000c0aa, name: C, leadIds: [665f0000000000000000b0aa],"
            " selectedLeadCount: 1}\n",
            "<posted yaml>:7: vendors.sonarly.accountGroups[0].campaigns[0].leadIds[0]: "
            "no prospect '665f0000000000000000b0aa' in this account group",
        ),
        (
            f"    accountGroups:\n      - id: {GROUP}\n        name: G\n        campaigns:\n"
            "          - {id: 665f0000000000000000c0aa, name: C, leadIds: [], selectedLeadCount: 2}\n",
            "<posted yaml>:7: vendors.sonarly.accountGroups[0].campaigns[0].selectedLeadCount: selectedLeadCount is 2"
            " but leadIds lists 0 (leave selectedLeadCount out: it follows them)",
        ),
        (
            f"    accountGroups:\n      - id: {GROUP}\n        name: G\n        campaigns:\n"
            "          - {id: 665f0000000000000000c0aa, name: C, status: draft, instances: [{step: 1}]}\n",
            "<posted yaml>:7: vendors.sonarly.accountGroups[0].campaigns[0].instances: "
            "a draft has no workflow instances (they are created when it starts)",
        ),
        (
            f"    accountGroups:\n      - id: {GROUP}\n        name: G\n        campaigns:\n"
            "          - {id: 665f0000000000000000c0aa, name: C, status: active, instances: [{step: 2}]}\n",
            "<posted yaml>:7: vendors.sonarly.accountGroups[0].campaigns[0].instances[0].step: "
            "step 2 is past the last step of the starter template (1)",
        ),
    ],
    ids=[
        "key-group",
        "prospect-audience",
        "campaign-audience",
        "campaign-lead",
        "lead-count",
        "draft-instances",
        "step",
    ],
)
def test_load_scenario_bad_reference_is_refused_with_its_line(
    mock_session: MockSession, records: str, problem: str
) -> None:
    assert refused(mock_session, "vendors:\n  sonarly:\n" + records) == [problem]


def test_load_scenario_duplicate_campaign_ids_across_groups_are_refused(mock_session: MockSession) -> None:
    text = (
        "vendors:\n  sonarly:\n    accountGroups:\n"
        "      - {id: 665f00000000000000000001, name: A, campaigns: [{id: 665f0000000000000000c0aa, name: C}]}\n"
        "      - {id: 665f00000000000000000002, name: B, campaigns: [{id: 665f0000000000000000c0aa, name: D}]}\n"
    )
    assert refused(mock_session, text) == [
        "<posted yaml>:5: vendors.sonarly.accountGroups[1].campaigns[0].id: duplicate id '665f0000000000000000c0aa'"
    ]


def test_load_scenario_unknown_record_field_is_refused(mock_session: MockSession) -> None:
    text = f"vendors:\n  sonarly:\n    accountGroups:\n      - {{id: {GROUP}, name: G, workflows: []}}\n"
    assert any("workflows" in p for p in refused(mock_session, text))


def test_load_scenario_unknown_permission_is_refused(mock_session: MockSession) -> None:
    key = f"{{key: sk_x, permissions: [admin:all], accountGroups: [{GROUP}]}}"
    text = f"vendors:\n  sonarly:\n    api_keys:\n      - {key}\n"
    problems = refused(mock_session, text)
    # Every problem comes out at once: the permission, and the group no record of this scenario defines.
    assert [p.split(": ", 2)[1] for p in problems] == [
        "vendors.sonarly.api_keys[0].permissions[0]",
        "vendors.sonarly.api_keys[0].accountGroups[0]",
    ]
    assert "admin:all" in problems[0]


def test_interface_example_section_loads(mock_session: MockSession) -> None:
    """The `vendors.sonarly` example of the scenario format, as INTERFACE.md shows it."""
    text = f"""
vendors:
  sonarly:
    api_keys:
      - {{key: sk_test_x, permissions: [campaigns:read, campaigns:execute], accountGroups: [{GROUP}]}}
    accountGroups:
      - id: {GROUP}
        name: Main
        campaigns:
          - {{id: 665f0000000000000000c001, name: Engage, status: draft, selectedLeadCount: 25}}
"""
    mock_session.load_scenario(yaml=text)
    headers = {"Authorization": "Bearer sk_test_x"}
    url = f"{mock_session.url('sonarly')}/v1/accounts/{GROUP}/campaigns/665f0000000000000000c001"
    with httpx.Client(headers=headers) as client:
        started: dict[str, Any] = client.post(f"{url}/start").json()
    assert (started["data"]["triggered"], started["data"]["instancesCreated"]) == (True, 25)
