"""Sessions over HTTP: `X-Mock-Session` and `/__session/NAME/` give isolated state; neither means `default`."""

from __future__ import annotations

from engine_client import DEFAULT_SCENARIO_CAMPAIGNS, Mock

from campaign_mock.pytest_plugin import MockSession

NOT_FOUND = {"error": {"code": "campaign_not_found", "message": "No campaign with this id exists in your workspace."}}


def _stats(mock: Mock, campaign_id: str, session: str | None = None, prefix: bool = False) -> int:
    """The status of a stats call for the campaign, as seen from `session`."""
    return mock.leadterra("GET", f"/v1/campaigns/{campaign_id}/stats", session=session, prefix=prefix).status_code


def test_vendor_request_with_session_header_sees_only_that_session(
    shared: Mock, mock_session: MockSession, other_session: str
) -> None:
    cid = shared.create_campaign(session=mock_session.name)["id"]

    assert _stats(shared, cid, session=mock_session.name) == 200
    assert _stats(shared, cid, session=mock_session.name, prefix=True) == 200  # the same session, by prefix
    elsewhere = shared.leadterra("GET", f"/v1/campaigns/{cid}/stats", session=other_session)
    assert (elsewhere.status_code, elsewhere.json()) == (404, NOT_FOUND)
    assert _stats(shared, cid, session=other_session, prefix=True) == 404


def test_vendor_request_through_session_prefix_sees_only_that_session(
    shared: Mock, mock_session: MockSession, other_session: str
) -> None:
    cid = shared.create_campaign(session=other_session, prefix=True)["id"]

    assert _stats(shared, cid, session=other_session, prefix=True) == 200
    assert _stats(shared, cid, session=other_session) == 200  # the same session, by header
    assert _stats(shared, cid, session=mock_session.name, prefix=True) == 404
    assert cid in shared.campaign_ids(other_session)
    assert cid not in shared.campaign_ids(mock_session.name)


def test_vendor_request_prefix_wins_over_header(shared: Mock, mock_session: MockSession, other_session: str) -> None:
    header = {"X-Mock-Session": other_session}

    cid = shared.create_campaign(session=mock_session.name, prefix=True, headers=header)["id"]

    assert cid in shared.campaign_ids(mock_session.name)
    assert cid not in shared.campaign_ids(other_session)


def test_vendor_request_without_session_uses_default(private: Mock) -> None:
    cid = private.create_campaign()["id"]

    assert _stats(private, cid) == 200
    assert _stats(private, cid, session="default") == 200
    assert _stats(private, cid, session="default", prefix=True) == 200
    assert _stats(private, cid, session="elsewhere") == 404
    assert private.campaign_ids() == [*DEFAULT_SCENARIO_CAMPAIGNS, cid]  # `state` without a session: default
    assert private.campaign_ids("default") == [*DEFAULT_SCENARIO_CAMPAIGNS, cid]


def test_new_session_starts_from_the_loaded_scenario(shared: Mock, mock_session: MockSession) -> None:
    shared.create_campaign(session=mock_session.name)

    assert shared.campaign_ids(f"{mock_session.name}-fresh") == DEFAULT_SCENARIO_CAMPAIGNS
    shared.admin("POST", "reset", session=f"{mock_session.name}-fresh")


def test_load_scenario_for_one_session_leaves_the_others(
    shared: Mock, mock_session: MockSession, other_session: str
) -> None:
    yaml = "vendors:\n  leadterra:\n    api_keys: [sk_test_private]\n    campaigns: [{id: camp_own, name: Own}]\n"
    loaded = shared.admin("POST", "scenarios", session=mock_session.name, json={"yaml": yaml})
    assert loaded.status_code == 200

    assert shared.campaign_ids(mock_session.name) == ["camp_own"]
    assert shared.campaign_ids(other_session) == DEFAULT_SCENARIO_CAMPAIGNS
    assert shared.leadterra("GET", "/v1/sender-pools", session=mock_session.name).status_code == 401
    assert shared.leadterra("GET", "/v1/sender-pools", session=other_session).status_code == 200


def test_admin_through_session_prefix_acts_on_that_session(
    shared: Mock, mock_session: MockSession, other_session: str
) -> None:
    mine = shared.create_campaign(session=mock_session.name)["id"]
    theirs = shared.create_campaign(session=other_session)["id"]
    base = f"{shared.url}/__session/{mock_session.name}/__admin"

    state = shared.http.get(f"{base}/state")
    reset = shared.http.post(f"{base}/reset")

    assert state.json()["session"] == mock_session.name
    assert mine in [c["id"] for c in state.json()["vendors"]["leadterra"]["campaigns"]]
    assert (reset.status_code, reset.json()) == (200, {"status": "ok", "sessions": [mock_session.name]})
    assert mine not in shared.campaign_ids(mock_session.name)
    assert theirs in shared.campaign_ids(other_session)


def test_list_sessions_names_the_sessions_in_use(private: Mock) -> None:
    private.create_campaign(session="alpha")
    private.admin("POST", "clock", session="beta", json={"frozen": True})

    response = private.admin("GET", "sessions")

    assert (response.status_code, sorted(response.json()["sessions"], key=lambda s: s["name"])) == (
        200,
        [
            {"name": "alpha", "scenario": "default", "ownClock": False},
            {"name": "beta", "scenario": "default", "ownClock": True},
        ],
    )
