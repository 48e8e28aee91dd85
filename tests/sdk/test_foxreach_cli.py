"""The official `foxreach-cli`, unmodified, against the mock: its click entry point run in-process with
`CliRunner`, pointed at the test's session through FOXREACH_BASE_URL / FOXREACH_API_KEY."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner, Result
from foxreach import FoxReach
from foxreach_cli import client_factory, commands
from foxreach_cli import config as cli_config
from foxreach_cli.main import cli
from foxreach_sdk_support import AUTH_401, KEY, NOW, base_url, journal

from campaign_mock.pytest_plugin import MockSession


@pytest.fixture(autouse=True)
def _no_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the CLI away from the real ~/.foxreach/config.json (its path is fixed at import time)."""
    monkeypatch.setattr(cli_config, "_CONFIG_DIR", tmp_path / ".foxreach")
    monkeypatch.setattr(cli_config, "_CONFIG_FILE", tmp_path / ".foxreach" / "config.json")


@pytest.fixture(autouse=True)
def _close_cli_clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Close the SDK clients the commands open. A console-script process exits and drops them; in-process,
    their pooled sockets would otherwise be collected later and raise ResourceWarning (an error here).
    Only the lookup is wrapped: every command still builds its client with the CLI's own `get_client`."""
    opened: list[FoxReach] = []

    def recording() -> FoxReach:
        client = client_factory.get_client()
        opened.append(client)
        return client

    for module in vars(commands).values():
        if isinstance(module, ModuleType) and hasattr(module, "get_client"):
            monkeypatch.setattr(module, "get_client", recording)
    yield
    for client in opened:
        client.close()


def foxreach(mock_session: MockSession, *args: str, key: str = KEY) -> Result:
    """Run `foxreach ARGS...` against the test's session."""
    env = {"FOXREACH_API_KEY": key, "FOXREACH_BASE_URL": base_url(mock_session)}
    return CliRunner().invoke(cli, list(args), env=env)


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


def as_json(result: Result) -> Any:
    return json.loads(ok(result))


def failed(result: Result) -> str:
    """The one-line error a failed command prints to stderr (after checking it exited 1)."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    return result.stderr.strip()


# -- the happy path -----------------------------------------------------------------------------------
def test_cli_campaigns_happy_path_create_sequence_leads_accounts_start_pause_resume(
    mock_session: MockSession,
) -> None:
    mock_session.set_clock(now=NOW, frozen=True)
    campaign = as_json(
        foxreach(mock_session, "campaigns", "create", "--name", "CLI launch", "--daily-limit", "25", "--json")
    )
    cid = campaign["id"]
    assert (campaign["status"], campaign["daily_limit"], campaign["timezone"]) == ("draft", 25, "UTC")
    step = as_json(
        foxreach(
            mock_session,
            "sequences",
            "create",
            "--campaign",
            cid,
            "--subject",
            "Hi",
            "--body",
            "Hello {{firstName}}",
            "--json",
        )
    )
    assert (step["step_number"], step["delay_days"]) == (1, 1)
    lead = as_json(
        foxreach(mock_session, "leads", "create", "--email", "cli@acme.example", "--first-name", "Cy", "--json")
    )
    assert "Added 2 leads" in ok(
        foxreach(mock_session, "campaigns", "add-leads", cid, "--lead-ids", f"{lead['id']},cld_ben01")
    )
    assert "Added 1 accounts" in ok(
        foxreach(mock_session, "campaigns", "add-accounts", cid, "--account-ids", "acc_jordan01")
    )
    assert ok(foxreach(mock_session, "campaigns", "start", cid)).strip() == f"Campaign started: CLI launch ({cid})"
    assert ok(foxreach(mock_session, "campaigns", "pause", cid)).strip() == f"Campaign paused: CLI launch ({cid})"
    assert ok(foxreach(mock_session, "campaigns", "resume", cid)).strip() == f"Campaign resumed: CLI launch ({cid})"
    final = as_json(foxreach(mock_session, "campaigns", "get", cid, "--json"))
    assert (final["status"], final["total_leads"], final["started_at"]) == ("active", 2, "2025-01-15T10:00:00")


# -- every command reaches its operation --------------------------------------------------------------
COMMANDS = [
    (["campaigns", "list", "--status", "active"], "list_campaigns", "Webinar"),
    (["campaigns", "get", "cmp_abc123"], "get_campaign", "Q1 Outreach"),
    (
        ["campaigns", "update", "cmp_abc123", "--name", "Renamed", "--end-hour", "18"],
        "update_campaign",
        "Campaign updated: cmp_abc123",
    ),
    (["campaigns", "delete", "cmp_abc123", "--yes"], "delete_campaign", "Campaign deleted: cmp_abc123"),
    (["campaigns", "remove-lead", "cmp_abc123", "cld_ana01"], "remove_campaign_lead", "Removed lead cld_ana01"),
    (
        ["campaigns", "remove-account", "cmp_abc123", "acc_jordan01"],
        "remove_campaign_account",
        "Removed account acc_jordan01",
    ),
    (["sequences", "list", "--campaign", "cmp_abc123"], "list_sequences", "seq_q1step1"),
    (
        ["sequences", "update", "--campaign", "cmp_abc123", "--sequence", "seq_q1step2", "--delay-days", "5"],
        "update_sequence",
        "seq_q1step2",
    ),
    (
        ["sequences", "delete", "--campaign", "cmp_abc123", "--sequence", "seq_q1step2", "--yes"],
        "delete_sequence",
        "seq_q1step2",
    ),
    (["leads", "list", "--search", "globex"], "list_leads", "ben@globex.example"),
    (["leads", "get", "cld_ana01"], "get_lead", "ana@northwind.example"),
    (["leads", "update", "cld_ana01", "--title", "COO"], "update_lead", "cld_ana01"),
    (["leads", "delete", "cld_ana01", "--yes"], "delete_lead", "cld_ana01"),
    (["leads", "activity", "cld_cleo01"], "get_lead_activity", "reply_received"),
    (["accounts", "list"], "list_email_accounts", "Page 1/1 (3 total)"),
    (["accounts", "get", "acc_priya01"], "get_email_account", "priya@mail.brightpath.example"),
    (["accounts", "delete", "acc_spare01", "--yes"], "delete_email_account", "acc_spare01"),
    (["templates", "list"], "list_templates", "tpl_intro01"),
    (["templates", "get", "tpl_intro01"], "get_template", "Short intro"),
    (["templates", "create", "--name", "Nudge", "--body", "Any news?", "--html"], "create_template", "tpl_"),
    (["templates", "update", "tpl_intro01", "--subject", "New subject"], "update_template", "tpl_intro01"),
    (["templates", "delete", "tpl_intro01", "--yes"], "delete_template", "tpl_intro01"),
    (["inbox", "list", "--unread"], "list_inbox_threads", "Page 1/1 (1 total)"),
    (["inbox", "get", "rpl_cleo01"], "get_inbox_reply", "cleo@initech.example"),
    (
        ["inbox", "update", "rpl_cleo01", "--read", "--starred", "--category", "interested"],
        "update_inbox_reply",
        "Thread updated: rpl_cleo01",
    ),
    (["inbox", "conversation", "rpl_cleo01"], "get_inbox_conversation", "received"),
    (["inbox", "reply", "rpl_cleo01", "--body", "Tuesday?"], "reply_to_inbox_thread", "Reply sent"),
    (["inbox", "stats"], "get_inbox_stats", "Interested"),
    (["analytics", "overview"], "get_analytics_overview", "170"),
    (["analytics", "campaign", "cmp_active001"], "get_campaign_analytics", "2025-01-13"),
    (["webhooks", "list"], "list_webhooks", "cwh_demo01"),
    (
        ["webhooks", "create", "--url", "https://crm.example/h", "--events", "email.sent,lead.created"],
        "create_webhook",
        "whsec_",
    ),
    (["webhooks", "update", "cwh_demo01", "--inactive"], "update_webhook", "cwh_demo01"),
    (["webhooks", "delete", "cwh_demo01", "--yes"], "delete_webhook", "cwh_demo01"),
    (["webhooks", "events"], "list_webhook_events", "reply.categorized"),
]


@pytest.mark.parametrize(("args", "operation_id", "shown"), COMMANDS, ids=[" ".join(c[0][:2]) for c in COMMANDS])
def test_cli_command_reaches_its_operation(
    mock_session: MockSession, args: list[str], operation_id: str, shown: str
) -> None:
    output = ok(foxreach(mock_session, *args))
    assert shown in output
    entries = mock_session.requests(vendor="foxreach")
    assert [(e["operationId"], e["response"]["status"] < 300) for e in entries] == [(operation_id, True)]


def test_cli_json_output_uses_snake_case_keys(mock_session: MockSession) -> None:
    stats = as_json(foxreach(mock_session, "inbox", "stats", "--json"))
    assert stats == {
        "total": 2,
        "unread": 1,
        "interested": 1,
        "not_interested": 0,
        "out_of_office": 1,
        "uncategorized": 0,
        "unknown": 0,
        "bounce": 0,
        "total_sent": 0,
    }
    lead = as_json(foxreach(mock_session, "leads", "get", "cld_ana01", "--json"))
    assert (lead["first_name"], lead["custom_fields"]) == ("Ana", {"plan": "enterprise"})


# -- errors -------------------------------------------------------------------------------------------
def test_cli_campaigns_start_twice_prints_the_documented_error(mock_session: MockSession) -> None:
    ok(foxreach(mock_session, "campaigns", "start", "cmp_abc123"))
    assert failed(foxreach(mock_session, "campaigns", "start", "cmp_abc123")) == "Error: Campaign is already active"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["campaigns", "start", "cmp_completed001"], "Cannot start a completed campaign"),
        (["campaigns", "pause", "cmp_paused001"], "Only active campaigns can be paused"),
        (["campaigns", "resume", "cmp_abc123"], "Campaign is not paused"),
        (["campaigns", "delete", "cmp_active001", "--yes"], "Only draft campaigns can be deleted"),
        (["campaigns", "update", "cmp_active001", "--name", "x"], "Cannot edit active campaign. Pause it first."),
        (["campaigns", "get", "cmp_missing"], "Campaign not found"),
        (["leads", "get", "cld_missing"], "Lead not found"),
        (["leads", "create", "--email", "ana@northwind.example"], "Lead with this email already exists"),
        (["leads", "create", "--email", "not-an-email"], "Validation error: email is not a valid email address"),
        (["sequences", "create", "--campaign", "cmp_active001", "--body", "x"], "Campaign is active — pause it first"),
        (["inbox", "get", "rpl_missing"], "Thread not found"),
        (["webhooks", "update", "cwh_missing", "--active"], "Webhook not found"),
    ],
)
def test_cli_refused_command_prints_the_documented_error(
    mock_session: MockSession, args: list[str], message: str
) -> None:
    assert failed(foxreach(mock_session, *args)) == f"Error: {message}"


def test_cli_campaigns_start_without_steps_prints_the_documented_error(mock_session: MockSession) -> None:
    cid = as_json(foxreach(mock_session, "campaigns", "create", "--name", "Bare", "--json"))["id"]
    assert failed(foxreach(mock_session, "campaigns", "start", cid)) == (
        "Error: Campaign must have at least one sequence step"
    )


def test_cli_campaigns_list_bad_key_prints_invalid_key(mock_session: MockSession) -> None:
    assert failed(foxreach(mock_session, "campaigns", "list", key="otr_not_issued")) == "Error: Invalid API key"
    assert journal(mock_session) == [("GET", "/api/v1/campaigns?page=1&pageSize=50", 403)]


def test_cli_campaigns_list_bad_key_under_401_variant(mock_session: MockSession) -> None:
    mock_session.load_scenario(yaml=AUTH_401)
    assert failed(foxreach(mock_session, "campaigns", "list", key="otr_not_issued")) == "Error: Invalid API key"
    assert journal(mock_session) == [("GET", "/api/v1/campaigns?page=1&pageSize=50", 401)]


def test_cli_campaigns_list_rate_limited_prints_error_after_retries(mock_session: MockSession) -> None:
    # The CLI always retries 3 times, sleeping Retry-After: a fault with Retry-After 0 keeps the test quick.
    fault = {
        "vendor": "foxreach",
        "method": "GET",
        "path": "/api/v1/campaigns",
        "status": 429,
        "headers": {"Retry-After": "0"},
    }
    assert mock_session.admin("POST", "faults", json=fault).status_code == 201
    assert failed(foxreach(mock_session, "campaigns", "list")) == "Error: Rate limited: Too Many Requests"
    assert [status for _, _, status in journal(mock_session)] == [429] * 4


def test_cli_campaigns_start_succeeds_once_rate_limit_clears(mock_session: MockSession) -> None:
    fault = {
        "vendor": "foxreach",
        "method": "POST",
        "path": "/api/v1/campaigns/{campaign_id}/start",
        "status": 429,
        "times": 2,
        "headers": {"Retry-After": "0"},
    }
    mock_session.admin("POST", "faults", json=fault)
    assert "Campaign started" in ok(foxreach(mock_session, "campaigns", "start", "cmp_abc123"))
    assert [status for _, _, status in journal(mock_session)] == [429, 429, 200]


# -- pagination ---------------------------------------------------------------------------------------
def test_cli_campaigns_list_pages(mock_session: MockSession) -> None:
    second = as_json(foxreach(mock_session, "campaigns", "list", "--page", "2", "--limit", "3", "--json"))
    assert [c["id"] for c in second["data"]] == ["cmp_completed001"]
    assert second["meta"] == {"page": 2, "page_size": 3, "total": 4, "total_pages": 2}
    assert "Page 1/2 (4 total)" in ok(foxreach(mock_session, "campaigns", "list", "--limit", "3"))


def test_cli_leads_list_past_the_last_page_is_empty(mock_session: MockSession) -> None:
    assert ok(foxreach(mock_session, "leads", "list", "--page", "5", "--limit", "2")).strip() == "No leads found."


# -- configuration ------------------------------------------------------------------------------------
def test_cli_config_file_points_commands_at_the_mock(mock_session: MockSession) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["config", "set-key", "--key", KEY], env={"FOXREACH_API_KEY": ""}).exit_code == 0
    assert runner.invoke(cli, ["config", "set-url", base_url(mock_session)]).exit_code == 0
    shown = runner.invoke(cli, ["config", "show"], env={"FOXREACH_API_KEY": "", "FOXREACH_BASE_URL": ""})
    assert base_url(mock_session) in shown.stdout
    listed = runner.invoke(cli, ["webhooks", "list", "--json"], env={"FOXREACH_API_KEY": "", "FOXREACH_BASE_URL": ""})
    assert [w["id"] for w in json.loads(listed.stdout)["data"]] == ["cwh_demo01"]
