"""Audiences, their prospects and signals: the ready ones only, cursor paging, the navigation, creation, and the
signal evaluation on the mock clock."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from sonarly_support import (
    AUDIENCE_EMPTY,
    AUDIENCE_FILLING,
    AUDIENCE_REVOPS,
    AUDIENCE_VP,
    B001,
    B002,
    B003,
    B005,
    FIRST_AUDIENCE,
    GROUP,
    MISSING,
    NOW_MS,
    failure,
    frozen_scenario,
    ok,
)

from campaign_mock.pytest_plugin import MockSession

EXAMPLE_CURSOR = "eyJjcmVhdGVkQXQiOiIyMDI2LTA0LTI4VDE1OjMwOjAwLjAwMFoifQ"  # Sonarly's: {"createdAt": 2026-04-28T15:30}
BAD_CURSOR = ("VALIDATION_ERROR", "Request validation failed", "query.cursor: not a cursor this API issued")


def many(count: int) -> str:
    """Scenario YAML: the demo group with `count` audiences (three per createdAt instant, so ties are paged by
    id) and, in the first one, `count` prospects likewise."""
    audiences = "\n".join(
        f"          - {{id: '{n:024x}', name: A{n}, createdAt: '2026-04-01T{n // 3:02d}:00:00Z'}}"
        for n in range(1, count + 1)
    )
    prospects = "\n".join(
        f"          - {{id: '{0x100 + n:024x}', audienceIds: ['{1:024x}'], "
        f"createdAt: '2026-04-02T{n // 3:02d}:00:00Z'}}"
        for n in range(1, count + 1)
    )
    return f"""
extends: default
vendors:
  sonarly:
    accountGroups:
      - id: {GROUP}
        name: Northwind Growth
        audiences:
{audiences}
        prospects:
{prospects}
"""


def walk(client: httpx.Client, path: str, limit: int) -> list[list[str]]:
    """Every page's item ids, following nextCursor to the end."""
    pages: list[list[str]] = []
    params: dict[str, str | int] = {"limit": limit}
    while True:
        data = ok(client.get(path, params=params))
        pages.append([item["id"] for item in data["items"]])
        assert data["hasMore"] is (data["nextCursor"] is not None)
        if not data["hasMore"]:
            return pages
        params = {"limit": limit, "cursor": data["nextCursor"]}


def cursor_of(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


# -- the audience list --------------------------------------------------------------------------------------
def test_list_audiences_leaves_out_the_filling_one_newest_first(group: httpx.Client) -> None:
    data = ok(group.get("/audiences"))

    assert [(a["id"], a["prospectCount"]) for a in data["items"]] == [
        (AUDIENCE_REVOPS, 2),
        (AUDIENCE_VP, 3),
        (AUDIENCE_EMPTY, 0),
    ]
    assert (data["nextCursor"], data["hasMore"]) == (None, False)
    assert data["items"][1] == {
        "id": AUDIENCE_VP,
        "name": "VP Sales - SaaS",
        "type": "linkedin_search",
        "description": "VPs of Sales at 50-500 person SaaS companies",
        "folderId": "665f0000000000000000f001",
        "prospectCount": 3,
        "createdAt": "2026-04-10T10:00:00.000Z",
    }


@pytest.mark.parametrize("limit", [1, 7, 20, 100])
def test_list_audiences_cursor_paging_walks_every_audience_exactly_once(
    mock_session: MockSession, group: httpx.Client, limit: int
) -> None:
    mock_session.load_scenario(yaml=many(45))
    pages = walk(group, "/audiences", limit)
    ids = [i for page in pages for i in page]

    expected = sorted((f"{n:024x}" for n in range(1, 46)), key=lambda i: (int(i, 16) // 3, i), reverse=True)
    assert ids == expected
    assert [len(p) for p in pages] == [min(limit, 45 - k) for k in range(0, 45, limit)]


def test_list_audiences_default_limit_is_20(mock_session: MockSession, group: httpx.Client) -> None:
    mock_session.load_scenario(yaml=many(25))
    data = ok(group.get("/audiences"))
    assert (len(data["items"]), data["hasMore"]) == (20, True)


def test_list_audiences_sonarly_example_cursor_reads_as_created_before(group: httpx.Client) -> None:
    data = ok(group.get("/audiences", params={"cursor": EXAMPLE_CURSOR}))
    assert [a["id"] for a in data["items"]] == [AUDIENCE_REVOPS, AUDIENCE_VP, AUDIENCE_EMPTY]
    data = ok(group.get("/audiences", params={"cursor": cursor_of({"createdAt": "2026-04-12T10:00:00.000Z"})}))
    assert [a["id"] for a in data["items"]] == [AUDIENCE_VP, AUDIENCE_EMPTY]


@pytest.mark.parametrize(
    "cursor",
    [
        "zzz%",
        "not base64!",
        cursor_of(["2026-04-12T10:00:00.000Z"]),
        cursor_of({"id": AUDIENCE_VP}),
        cursor_of({"createdAt": "yesterday"}),
        cursor_of({"createdAt": "2026-04-12T10:00:00Z", "id": 7}),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
    ids=["alphabet", "spaces", "list", "no-createdAt", "bad-instant", "id-not-text", "not-utf8"],
)
def test_list_audiences_unreadable_cursor_is_400(group: httpx.Client, cursor: str) -> None:
    assert failure(group.get("/audiences", params={"cursor": cursor}), 400) == BAD_CURSOR


def test_list_audiences_unreadable_cursor_is_checked_after_the_permission(readonly: httpx.Client) -> None:
    response = readonly.get(f"/v1/accounts/{GROUP}/audiences", params={"cursor": "zzz%"})
    assert failure(response, 403)[0] == "INSUFFICIENT_PERMISSIONS"


# -- the navigation -----------------------------------------------------------------------------------------
def test_get_audience_navigation_groups_ready_audiences_by_folder(group: httpx.Client) -> None:
    data = ok(group.get("/audiences/navigation"))

    assert [(f["id"], f["isPinned"], f["position"], [a["id"] for a in f["audiences"]]) for f in data["folders"]] == [
        ("665f0000000000000000f001", True, 0, [AUDIENCE_VP]),
        ("665f0000000000000000f002", False, 1, []),  # its audience is still filling
    ]
    assert [a["id"] for a in data["ungroupedAudiences"]] == [AUDIENCE_REVOPS, AUDIENCE_EMPTY]
    assert data["folders"][1] == {
        "id": "665f0000000000000000f002",
        "name": "Watchlists",
        "audienceType": "monitoring",
        "isPinned": False,
        "position": 1,
        "createdAt": "2026-04-01T09:05:00.000Z",
        "updatedAt": "2026-04-01T09:05:00.000Z",
        "audiences": [],
    }


def test_get_audience_navigation_pinned_folders_come_first(mock_session: MockSession, group: httpx.Client) -> None:
    mock_session.load_scenario(
        yaml=f"""
extends: default
vendors:
  sonarly:
    accountGroups:
      - id: {GROUP}
        name: Northwind Growth
        folders:
          - {{id: 665f0000000000000000f00a, name: A, audienceType: on_demand, position: 0}}
          - {{id: 665f0000000000000000f00b, name: B, audienceType: on_demand, position: 1, isPinned: true}}
          - {{id: 665f0000000000000000f00c, name: C, audienceType: on_demand, position: 2, isPinned: true}}
        audiences:
          - {{id: {AUDIENCE_VP}, name: In a folder that is gone, folderId: 665f0000000000000000f0ff}}
"""
    )
    data = ok(group.get("/audiences/navigation"))

    assert [f["name"] for f in data["folders"]] == ["B", "C", "A"]
    assert [a["id"] for a in data["ungroupedAudiences"]] == [AUDIENCE_VP]


# -- creating an audience -----------------------------------------------------------------------------------
def test_create_audience_answers_201_and_is_listed_first(frozen: str, group: httpx.Client) -> None:
    created = ok(group.post("/audiences", json={"name": "Webinar signups", "type": "monitoring"}), 201)

    assert created == {
        "id": FIRST_AUDIENCE,
        "name": "Webinar signups",
        "type": "monitoring",
        "description": None,
        "folderId": None,
        "prospectCount": 0,
        "createdAt": NOW_MS,
    }
    assert ok(group.get("/audiences", params={"limit": 1}))["items"] == [created]
    assert ok(group.get(f"/audiences/{FIRST_AUDIENCE}/prospects")) == {
        "items": [],
        "nextCursor": None,
        "hasMore": False,
    }


def test_create_audience_keeps_the_description(group: httpx.Client) -> None:
    body = {"name": "Webinar", "type": "on_demand", "description": "From the May webinar"}
    assert ok(group.post("/audiences", json=body), 201)["description"] == "From the May webinar"


def test_create_audience_type_outside_the_enum_is_400(group: httpx.Client) -> None:
    code, _, details = failure(group.post("/audiences", json={"name": "X", "type": "linkedin_search"}), 400)
    assert (code, details) == (
        "VALIDATION_ERROR",
        "body.type: 'linkedin_search' is not one of ['on_demand', 'monitoring']",
    )


def test_create_audience_without_linkedin_account_is_422(mock_session: MockSession, group: httpx.Client) -> None:
    mock_session.load_scenario(
        yaml=f"extends: default\nvendors:\n  sonarly:\n    accountGroups:\n"
        f"      - {{id: {GROUP}, name: Northwind Growth, linkedinConnected: false}}\n"
    )
    response = group.post("/audiences", json={"name": "X", "type": "on_demand"})
    assert failure(response, 422) == (
        "LINKEDIN_ACCOUNT_REQUIRED",
        "Audience cannot be created with the requested configuration",
        "the account group has no connected LinkedIn account",
    )
    assert ok(group.get("/audiences"))["items"] == []


# -- prospects ----------------------------------------------------------------------------------------------
def test_list_audience_prospects_newest_first(group: httpx.Client) -> None:
    data = ok(group.get(f"/audiences/{AUDIENCE_VP}/prospects"))

    assert [p["id"] for p in data["items"]] == [B003, B002, B001]
    assert data["items"][2] == {
        "id": B001,
        "firstName": "Ana",
        "lastName": "Silva",
        "name": "Ana Silva",
        "headline": "VP Sales at Brightloop",
        "about": None,
        "photoUrl": None,
        "linkedinUrl": "https://www.linkedin.com/in/ana-silva-demo",
        "publicIdentifier": "ana-silva-demo",
        "company": {"name": "Brightloop", "industry": "Software", "website": "https://brightloop.example"},
    }


@pytest.mark.parametrize("limit", [1, 4, 100])
def test_list_audience_prospects_cursor_paging_walks_every_prospect_exactly_once(
    mock_session: MockSession, group: httpx.Client, limit: int
) -> None:
    mock_session.load_scenario(yaml=many(31))
    ids = [i for page in walk(group, f"/audiences/{1:024x}/prospects", limit) for i in page]

    expected = [f"{0x100 + n:024x}" for n in range(1, 32)]
    assert sorted(ids) == sorted(expected)
    assert len(ids) == len(set(ids)) == 31


def test_list_audience_prospects_filling_audience_is_409(group: httpx.Client) -> None:
    assert failure(group.get(f"/audiences/{AUDIENCE_FILLING}/prospects"), 409) == (
        "AUDIENCE_NOT_READY",
        "The audience is still being populated by an active prospecting job",
        AUDIENCE_FILLING,
    )


def test_list_audience_prospects_unknown_audience_is_404(group: httpx.Client) -> None:
    assert failure(group.get(f"/audiences/{MISSING}/prospects"), 404) == (
        "NOT_FOUND",
        "Resource not found",
        f"audienceId {MISSING}",
    )


def test_list_audience_prospects_unreadable_cursor_is_400_before_the_404(group: httpx.Client) -> None:
    assert failure(group.get(f"/audiences/{MISSING}/prospects", params={"cursor": "zzz%"}), 400) == BAD_CURSOR


def test_filling_audience_becomes_ready_at_its_ready_at(mock_session: MockSession, group: httpx.Client) -> None:
    mock_session.load_scenario("sonarly/audience-not-ready")
    failure(group.get(f"/audiences/{AUDIENCE_FILLING}/prospects"), 409)
    mock_session.advance_clock(10799)
    failure(group.get(f"/audiences/{AUDIENCE_FILLING}/prospects"), 409)
    mock_session.advance_clock(1)

    assert [p["id"] for p in ok(group.get(f"/audiences/{AUDIENCE_FILLING}/prospects"))["items"]] == [B005]


# -- signals ------------------------------------------------------------------------------------------------
def test_get_prospect_signals_evaluated_with_results(group: httpx.Client) -> None:
    data = ok(group.get(f"/prospects/{B001}/signals"))

    assert data["status"] == "evaluated"
    assert [(g["type"], [i["score"] for i in g["items"]]) for g in data["results"]] == [
        ("posts", [82, 35]),
        ("jobs", [67]),
    ]


def test_get_prospect_signals_evaluated_with_nothing_found(group: httpx.Client) -> None:
    assert ok(group.get(f"/prospects/{B002}/signals")) == {"prospectId": B002, "status": "evaluated", "results": []}


def test_get_prospect_signals_pending_has_no_results(group: httpx.Client) -> None:
    assert ok(group.get(f"/prospects/{B003}/signals")) == {"prospectId": B003, "status": "pending", "results": []}


@pytest.mark.parametrize(
    ("min_score", "expected"),
    [(0, [("posts", [82, 35]), ("jobs", [67])]), (50, [("posts", [82]), ("jobs", [67])]), (70, [("posts", [82])])],
)
def test_get_prospect_signals_min_score_drops_items_and_empty_groups(
    group: httpx.Client, min_score: int, expected: list[tuple[str, list[int]]]
) -> None:
    data = ok(group.get(f"/prospects/{B001}/signals", params={"minScore": min_score}))
    assert [(g["type"], [i["score"] for i in g["items"]]) for g in data["results"]] == expected


def test_get_prospect_signals_min_score_above_everything_stays_evaluated(group: httpx.Client) -> None:
    assert ok(group.get(f"/prospects/{B001}/signals", params={"minScore": 100})) == {
        "prospectId": B001,
        "status": "evaluated",
        "results": [],
    }


def test_get_prospect_signals_unknown_prospect_is_404(group: httpx.Client) -> None:
    assert failure(group.get(f"/prospects/{MISSING}/signals"), 404) == (
        "NOT_FOUND",
        "Resource not found",
        f"prospectId {MISSING}",
    )


def test_get_prospect_signals_pending_becomes_evaluated_at_evaluates_at(
    mock_session: MockSession, group: httpx.Client
) -> None:
    mock_session.load_scenario(
        yaml=frozen_scenario(
            f"""vendors:
  sonarly:
    accountGroups:
      - id: {GROUP}
        name: Northwind Growth
        prospects:
          - id: {B003}
            audienceIds: []
            signals:
              status: pending
              evaluatesAt: "2026-05-04T09:30:00Z"
              results: [{{type: jobs, items: [{{score: 55, title: SDR}}]}}]
"""
        )
    )
    assert ok(group.get(f"/prospects/{B003}/signals"))["status"] == "pending"
    mock_session.advance_clock(1800)

    assert ok(group.get(f"/prospects/{B003}/signals")) == {
        "prospectId": B003,
        "status": "evaluated",
        "results": [{"type": "jobs", "items": [{"score": 55, "title": "SDR"}]}],
    }
