"""Every documented Leadterra error code, reached over HTTP, with its status, code and message exactly."""

from __future__ import annotations

from leadterra_client import STEP, Leadterra, error

from campaign_mock.vendors.registry import registered_catalog

AUTH_FAILED = error(
    "authentication_failed", "The Authorization header is missing, malformed, or the API key is invalid."
)
WORKSPACE_NOT_FOUND = error("workspace_not_found", "No workspace exists for this API key.")
CAMPAIGN_NOT_FOUND = error("campaign_not_found", "No campaign with this id exists in your workspace.")
NO_LEADS = error("no_leads_enrolled", "The campaign has no enrolled leads and cannot be started.")
NO_STEPS = error("no_sequence_steps", "The campaign has no sequence steps defined.")
VALIDATION_FAILED = "One or more entries failed validation."

ORPHANED = """
extends: default
vendors:
  leadterra:
    orphan_api_keys: [sk_live_orphaned]
"""

Operation = tuple[str, str, object]
Answers = dict[str, tuple[int, object]]

# Every documented operation, with a body that would otherwise be accepted.
OPERATIONS: list[Operation] = [
    ("GET", "/v1/sender-pools", None),
    ("GET", "/v1/sender-accounts", None),
    ("POST", "/v1/campaigns", {"name": "X"}),
    ("POST", "/v1/campaigns/camp_123/leads/bulk", {"leads": [{"email": "a@x.example"}]}),
    ("POST", "/v1/campaigns/camp_123/start", None),
    ("POST", "/v1/campaigns/camp_123/pause", None),
    ("GET", "/v1/campaigns/camp_123/stats", None),
    ("GET", "/v1/replies", None),
    ("POST", "/v1/suppression-list", {"emails": ["a@x.example"]}),
    ("POST", "/v1/webhooks", {"url": "https://h.example/x", "events": ["message.sent"]}),
]
CAMPAIGN_OPERATIONS: list[Operation] = [
    ("POST", "/v1/campaigns/camp_unknown/leads/bulk", {"leads": [{"email": "a@x.example"}]}),
    ("POST", "/v1/campaigns/camp_unknown/start", None),
    ("POST", "/v1/campaigns/camp_unknown/pause", None),
    ("GET", "/v1/campaigns/camp_unknown/stats", None),
]


# -- authentication ------------------------------------------------------------------------------------
def _answers(leadterra: Leadterra, operations: list[Operation], headers: dict[str, str] | None = None) -> Answers:
    """Each operation's status and body, keyed by `METHOD path`, so one assert shows every mismatch."""
    answers = {}
    for method, path, body in operations:
        response = leadterra.request(method, path, json=body, headers=headers)
        answers[f"{method} {path}"] = (response.status_code, response.json())
    return answers


def test_operations_list_covers_every_documented_operation() -> None:
    catalog = registered_catalog()
    router = catalog.routers["leadterra"]

    listed = {(method, router.template_for(path)) for method, path, _ in OPERATIONS}

    assert listed == {(op.method, op.path) for op in catalog.specs["leadterra"].operations}


def test_every_operation_without_authorization_answers_authentication_failed(leadterra: Leadterra) -> None:
    answers = _answers(leadterra, OPERATIONS, headers={})

    assert answers == {f"{method} {path}": (401, AUTH_FAILED) for method, path, _ in OPERATIONS}


def test_list_sender_pools_with_wrong_scheme_answers_authentication_failed(leadterra: Leadterra) -> None:
    schemes = ["Basic c2tfdGVzdF9sZWFkdGVycmE6", "Token sk_test_leadterra", "sk_test_leadterra", "Bearer"]

    answers = {a: leadterra.get("/v1/sender-pools", headers={"Authorization": a}) for a in schemes}

    assert {a: (r.status_code, r.json()) for a, r in answers.items()} == {a: (401, AUTH_FAILED) for a in schemes}


def test_list_sender_pools_with_unknown_key_answers_authentication_failed(leadterra: Leadterra) -> None:
    response = leadterra.get("/v1/sender-pools", headers={"Authorization": "Bearer sk_live_unknown"})

    assert (response.status_code, response.json()) == (401, AUTH_FAILED)


def test_list_sender_pools_accepts_the_scheme_in_any_case(leadterra: Leadterra) -> None:
    response = leadterra.get("/v1/sender-pools", headers={"Authorization": "bearer sk_test_leadterra"})

    assert response.status_code == 200


def test_list_sender_pools_with_key_the_session_scenario_lacks_answers_authentication_failed(
    leadterra: Leadterra,
) -> None:
    leadterra.load("vendors: {leadterra: {api_keys: [sk_test_other]}}")

    response = leadterra.get("/v1/sender-pools", headers={"Authorization": "Bearer sk_test_leadterra"})

    assert (response.status_code, response.json()) == (401, AUTH_FAILED)


def test_every_operation_with_orphaned_key_answers_workspace_not_found(leadterra: Leadterra) -> None:
    leadterra.load(ORPHANED)

    answers = _answers(leadterra, OPERATIONS, headers={"Authorization": "Bearer sk_live_orphaned"})

    assert answers == {f"{method} {path}": (404, WORKSPACE_NOT_FOUND) for method, path, _ in OPERATIONS}


# -- invalid_request -----------------------------------------------------------------------------------
def _invalid(message: str) -> dict[str, object]:
    return error("invalid_request", message)


def test_create_campaign_with_bad_json_answers_invalid_request(leadterra: Leadterra) -> None:
    response = leadterra.post(
        "/v1/campaigns", content=b'{"name": "Q3",', headers={**leadterra.auth, "Content-Type": "application/json"}
    )

    assert (response.status_code, response.json()) == (
        400,
        _invalid(
            "Invalid request body: (top level): the body is not valid JSON "
            "(Expecting property name enclosed in double quotes at position 14)"
        ),
    )


def test_create_campaign_without_body_answers_invalid_request(leadterra: Leadterra) -> None:
    response = leadterra.post("/v1/campaigns")

    assert (response.status_code, response.json()) == (
        400,
        _invalid("Invalid request body: (top level): a JSON request body is required"),
    )


def test_create_campaign_without_name_answers_invalid_request(leadterra: Leadterra) -> None:
    response = leadterra.post("/v1/campaigns", json={"sequenceSteps": [STEP]})

    assert (response.status_code, response.json()) == (
        400,
        _invalid("Invalid request body: (top level): 'name' is a required property"),
    )


def test_create_campaign_with_wrong_type_answers_invalid_request(leadterra: Leadterra) -> None:
    response = leadterra.post("/v1/campaigns", json={"name": 42})

    assert (response.status_code, response.json()) == (
        400,
        _invalid("Invalid request body: name: 42 is not of type 'string'"),
    )


def test_create_campaign_with_step_missing_body_answers_invalid_request(leadterra: Leadterra) -> None:
    response = leadterra.post("/v1/campaigns", json={"name": "Q3", "sequenceSteps": [{"subject": "Hi"}]})

    assert (response.status_code, response.json()) == (
        400,
        _invalid("Invalid request body: sequenceSteps[0]: 'bodyHtml' is a required property"),
    )


def test_list_sender_pools_with_unexpected_query_parameter_answers_invalid_request(leadterra: Leadterra) -> None:
    response = leadterra.get("/v1/sender-pools", params={"limit": "10"})

    assert (response.status_code, response.json()) == (
        400,
        _invalid("Invalid request query: limit: unexpected query parameter 'limit'"),
    )


def test_get_campaign_stats_with_unexpected_query_parameter_answers_invalid_request(leadterra: Leadterra) -> None:
    response = leadterra.get("/v1/campaigns/camp_123/stats", params={"from": "2025-01-01"})

    assert (response.status_code, response.json()) == (
        400,
        _invalid("Invalid request query: from: unexpected query parameter 'from'"),
    )


def test_create_webhook_with_http_url_answers_invalid_request(leadterra: Leadterra) -> None:
    body = {"url": "http://hooks.example.com/leadterra", "events": ["message.sent"]}

    response = leadterra.post("/v1/webhooks", json=body)

    # Plain HTTP is refused (only a loopback host is let through, see the spec's x-mock-extension).
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_request")
    message = response.json()["error"]["message"]
    assert message.startswith("Invalid request body: url: 'http://hooks.example.com/leadterra' does not match '^")
    assert leadterra.state()["webhooks"] == []


def test_create_webhook_with_unknown_event_answers_invalid_request(leadterra: Leadterra) -> None:
    body = {"url": "https://hooks.example.com/leadterra", "events": ["campaign.finished"]}

    response = leadterra.post("/v1/webhooks", json=body)

    assert (response.status_code, response.json()) == (
        400,
        _invalid(
            "Invalid request body: events[0]: 'campaign.finished' is not one of "
            "['campaign.started', 'message.sent', 'message.bounced', 'reply.received']"
        ),
    )


def test_add_to_suppression_list_with_empty_list_answers_invalid_request(leadterra: Leadterra) -> None:
    response = leadterra.post("/v1/suppression-list", json={"emails": []})

    assert (response.status_code, response.json()) == (
        400,
        _invalid("Invalid request body: emails: [] should be non-empty"),
    )


def test_add_to_suppression_list_without_emails_answers_invalid_request(leadterra: Leadterra) -> None:
    response = leadterra.post("/v1/suppression-list", json={"addresses": ["a@x.example"]})

    assert (response.status_code, response.json()) == (
        400,
        _invalid("Invalid request body: (top level): 'emails' is a required property"),
    )


def test_add_to_suppression_list_with_over_1000_emails_answers_invalid_request(leadterra: Leadterra) -> None:
    emails = [f"lead{i}@x.example" for i in range(1001)]
    before = leadterra.state()["suppressionList"]

    response = leadterra.post("/v1/suppression-list", json={"emails": emails})

    assert (response.status_code, response.json()) == (
        400,
        _invalid(f"Invalid request body: emails: {emails!r:.60}... fails maxItems: 1000"),
    )
    assert leadterra.state()["suppressionList"] == before


def test_add_to_suppression_list_accepts_exactly_1000_emails(leadterra: Leadterra) -> None:
    emails = [f"lead{i}@x.example" for i in range(1000)]

    response = leadterra.post("/v1/suppression-list", json={"emails": emails})

    assert (response.status_code, response.json()) == (200, {"suppressed": 1000})


def test_bulk_enroll_leads_with_empty_leads_answers_invalid_request(leadterra: Leadterra) -> None:
    response = leadterra.post("/v1/campaigns/camp_123/leads/bulk", json={"leads": []})

    assert (response.status_code, response.json()) == (
        400,
        _invalid("Invalid request body: leads: [] should be non-empty"),
    )


def test_bulk_enroll_leads_with_lead_missing_email_answers_invalid_request(leadterra: Leadterra) -> None:
    response = leadterra.post("/v1/campaigns/camp_123/leads/bulk", json={"leads": [{"firstName": "Ana"}]})

    assert (response.status_code, response.json()) == (
        400,
        _invalid("Invalid request body: leads[0]: 'email' is a required property"),
    )


def test_list_replies_with_unexpected_query_parameter_answers_invalid_request(leadterra: Leadterra) -> None:
    response = leadterra.get("/v1/replies", params={"page": "2"})

    assert (response.status_code, response.json()) == (
        400,
        _invalid("Invalid request query: page: unexpected query parameter 'page'"),
    )


# -- campaign_not_found --------------------------------------------------------------------------------
def test_every_campaign_operation_with_unknown_id_answers_campaign_not_found(leadterra: Leadterra) -> None:
    answers = _answers(leadterra, CAMPAIGN_OPERATIONS)

    assert answers == {f"{method} {path}": (404, CAMPAIGN_NOT_FOUND) for method, path, _ in CAMPAIGN_OPERATIONS}


def test_list_replies_with_unknown_campaign_answers_campaign_not_found(leadterra: Leadterra) -> None:
    response = leadterra.get("/v1/replies", params={"campaignId": "camp_unknown"})

    assert (response.status_code, response.json()) == (404, CAMPAIGN_NOT_FOUND)


def test_get_campaign_stats_of_another_session_campaign_answers_campaign_not_found(leadterra: Leadterra) -> None:
    cid = leadterra.create_campaign()
    other = f"{leadterra.session.name}-other"

    url = f"{leadterra.session.server.url}/leadterra/v1/campaigns/{cid}/stats"

    elsewhere = leadterra.http.get(url, headers={**leadterra.auth, "X-Mock-Session": other})

    assert (elsewhere.status_code, elsewhere.json()) == (404, CAMPAIGN_NOT_FOUND)
    leadterra.admin("POST", "reset", params={"session": other})


# -- start prerequisites -------------------------------------------------------------------------------
def test_start_campaign_without_leads_answers_no_leads_enrolled(leadterra: Leadterra) -> None:
    cid = leadterra.create_campaign()

    response = leadterra.post(f"/v1/campaigns/{cid}/start")

    assert (response.status_code, response.json()) == (400, NO_LEADS)
    assert leadterra.stats(cid)["queued"] == 0
    assert next(c for c in leadterra.state()["campaigns"] if c["id"] == cid)["status"] == "draft"


def test_start_campaign_without_steps_answers_no_sequence_steps(leadterra: Leadterra) -> None:
    cid = leadterra.create_campaign(steps=[])
    leadterra.enrol(cid, "a@x.example")

    response = leadterra.post(f"/v1/campaigns/{cid}/start")

    assert (response.status_code, response.json()) == (400, NO_STEPS)
    campaign = next(c for c in leadterra.state()["campaigns"] if c["id"] == cid)
    assert (campaign["status"], campaign["startedAt"], campaign["stats"]["queued"]) == ("draft", None, 0)


def test_create_campaign_without_steps_is_accepted(leadterra: Leadterra) -> None:
    response = leadterra.post("/v1/campaigns", json={"name": "Steps later"})

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["sequenceSteps"]) == ("draft", [])


# -- validation_failed (422) ---------------------------------------------------------------------------
def test_bulk_enroll_leads_with_bad_email_answers_validation_failed(leadterra: Leadterra) -> None:
    before = leadterra.state()
    leads = [{"email": "ok@x.example"}, {"email": "not-an-email"}, {"email": "two@@x.example"}]

    response = leadterra.post("/v1/campaigns/camp_123/leads/bulk", json={"leads": leads})

    assert (response.status_code, response.json()) == (
        422,
        {
            "error": {
                "code": "validation_failed",
                "message": VALIDATION_FAILED,
                "errors": [
                    {"index": 1, "email": "not-an-email", "message": "not a valid email address"},
                    {"index": 2, "email": "two@@x.example", "message": "not a valid email address"},
                ],
            }
        },
    )
    # Nothing was stored: not even the good lead.
    assert leadterra.state() == before
    assert leadterra.stats("camp_123")["totalEnrolled"] == 2


def test_bulk_enroll_leads_with_bad_email_in_running_campaign_queues_nothing(leadterra: Leadterra) -> None:
    before = leadterra.stats("camp_running")

    response = leadterra.post(
        "/v1/campaigns/camp_running/leads/bulk", json={"leads": [{"email": "new@x.example"}, {"email": "bad"}]}
    )

    assert response.status_code == 422
    assert response.json()["error"]["errors"] == [{"index": 1, "email": "bad", "message": "not a valid email address"}]
    assert leadterra.stats("camp_running") == before


def test_add_to_suppression_list_with_bad_entry_answers_validation_failed(leadterra: Leadterra) -> None:
    before = leadterra.state()

    response = leadterra.post("/v1/suppression-list", json={"emails": ["fine@x.example", "nope"]})

    assert (response.status_code, response.json()) == (
        422,
        {
            "error": {
                "code": "validation_failed",
                "message": VALIDATION_FAILED,
                "errors": [{"index": 1, "email": "nope", "message": "not a valid email address"}],
            }
        },
    )
    assert leadterra.state() == before
    # fine@x.example was not suppressed either: it can still be enrolled.
    cid = leadterra.create_campaign()
    assert leadterra.enrol(cid, "fine@x.example")["enrolled"] == 1


# -- routing -------------------------------------------------------------------------------------------
def test_undocumented_path_answers_invalid_request_404(leadterra: Leadterra) -> None:
    response = leadterra.get("/v1/campaigns/camp_123")

    assert (response.status_code, response.json()) == (404, _invalid("No endpoint matches /v1/campaigns/camp_123."))


def test_wrong_method_answers_405_with_allow(leadterra: Leadterra) -> None:
    response = leadterra.get("/v1/campaigns")

    assert (response.status_code, response.json()) == (405, _invalid("GET is not supported here; use POST."))
    assert response.headers["Allow"] == "POST"
