"""Each served spec, given to a code generator that knows nothing of the mock (openapi-python-client), gives a client
through which the vendor's quickstart (for the admin API: clock, faults, a state round trip) runs against a live mock.

The generator must take every part of the spec (it runs with `--fail-on-warning`, and its output names no schema or
response it could not parse), and every answer must parse into the generated models: a spec the generator reads
otherwise than the server answers fails here. Each client takes the spec's own `servers` URL and the vendor's demo
key, and raises on any status the spec does not document. The four generations run side by side, once per module.

VoiceGenie documents two spellings of one redial status (`no-answer`, `no_answer`), and the admin API takes a
fault's method in either case (`POST`, `post`); a generator that names enum members by value can only tell those
apart as literals, so their configs set the documented `literal_enums: true`.
Every generated operation module must import, but for operations whose body may come in several media types (JSON or
a multipart upload): openapi-python-client 0.29 annotates those with a name it does not import (its issue #1451), so
the VoiceGenie quickstart here is the README's, which uploads nothing.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from campaign_mock.server import MockServer

SERVED = {
    "leadterra": "/leadterra/openapi.json",
    "foxreach": "/foxreach/openapi.json",
    "voicegenie": "/voicegenie/openapi.json",
    "sonarly": "/sonarly/openapi.json",
    "admin": "/__admin/openapi.json",
}
# How each vendor's demo key travels (INTERFACE section 4): (key, header, prefix before the key).
CREDENTIALS = {
    "leadterra": ("sk_test_leadterra", "Authorization", "Bearer"),
    "foxreach": ("otr_test_foxreach", "X-API-Key", ""),
    "voicegenie": ("vg_test_voicegenie", "x-api-key", ""),
    "sonarly": ("sk_test_sonarly", "Authorization", "Bearer"),
}
LITERAL_ENUMS = {"voicegenie", "admin"}
PARSE_FAILURES = ("Cannot parse", "Unable to parse", "Unable to process")
SONARLY_GROUP = "665f00000000000000000001"
PAUSED_VOICEGENIE_CAMPAIGN = "550e8400-e29b-41d4-a716-446655440000"  # the seed page's example, in `default`


@dataclass(frozen=True)
class Generated:
    """One generated client package, importable under `package`, and what the generator printed."""

    vendor: str
    directory: Path
    returncode: int
    output: str
    spec: dict[str, Any]

    @property
    def package(self) -> str:
        return self.directory.name

    @property
    def base_url(self) -> str:
        return str(self.spec["servers"][0]["url"])

    def operation(self, tag: str, name: str) -> ModuleType:
        return importlib.import_module(f"{self.package}.api.{tag}.{name}")

    @property
    def models(self) -> ModuleType:
        return importlib.import_module(f"{self.package}.models")

    def client(self, session: str) -> Any:
        """A client in `session`, with the vendor's demo key (the admin API of a loopback mock needs none)."""
        package = importlib.import_module(self.package)
        common: dict[str, Any] = {
            "base_url": self.base_url,
            "headers": {"X-Mock-Session": session},
            "httpx_args": {"trust_env": False},
            "raise_on_unexpected_status": True,
        }
        if self.vendor not in CREDENTIALS:
            return package.Client(**common)
        key, header, prefix = CREDENTIALS[self.vendor]
        return package.AuthenticatedClient(token=key, prefix=prefix, auth_header_name=header, **common)


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture(scope="module")
def generated(mock: MockServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Generated]]:
    """Every served spec's client, generated in parallel from the spec the mock serves, on `sys.path` for the module."""
    root = tmp_path_factory.mktemp("generated")
    running: dict[str, tuple[subprocess.Popen[str], dict[str, Any]]] = {}
    with httpx.Client(base_url=mock.url, timeout=30, trust_env=False) as http:
        for vendor, spec_url in SERVED.items():
            served = http.get(spec_url)
            assert served.status_code == 200, served.text
            spec_path = root / f"{vendor}.json"
            spec_path.write_bytes(served.content)
            config_path = root / f"{vendor}.config.json"
            config_path.write_text(json.dumps({"post_hooks": [], "literal_enums": vendor in LITERAL_ENUMS}))
            command = [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(spec_path)]
            command += ["--output-path", str(root / f"{vendor}_generated_client"), "--meta", "none"]
            command += ["--config", str(config_path), "--fail-on-warning"]
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            running[vendor] = (process, served.json())
    clients = {}
    for vendor, (process, spec) in running.items():
        output, _ = process.communicate(timeout=300)
        directory = root / f"{vendor}_generated_client"
        clients[vendor] = Generated(vendor, directory, process.returncode, output, spec)
    sys.path.insert(0, str(root))
    yield clients
    sys.path.remove(str(root))
    for name in [m for m in sys.modules if m.split(".")[0].endswith("_generated_client")]:
        del sys.modules[name]


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [operation for item in spec["paths"].values() for operation in item.values() if isinstance(operation, dict)]


@pytest.mark.parametrize("vendor", SERVED)
def test_the_served_spec_generates_a_whole_client(generated: dict[str, Generated], vendor: str) -> None:
    client = generated[vendor]
    assert client.returncode == 0, client.output
    assert not [line for line in client.output.splitlines() if line.startswith(PARSE_FAILURES)], client.output
    documented = operations(client.spec)
    several_media_types = [
        op["operationId"] for op in documented if len(op.get("requestBody", {}).get("content", {})) > 1
    ]
    modules = sorted(client.directory.glob("api/*/*.py"))
    assert {module.stem for module in modules} >= {op["operationId"] for op in documented}
    for module in modules:
        if module.stem not in ("__init__", *several_media_types):
            importlib.import_module(f"{client.package}.api.{module.parent.name}.{module.stem}")


def test_leadterra_quickstart(generated: dict[str, Generated]) -> None:
    lt = generated["leadterra"]
    models = lt.models
    with lt.client("generated-leadterra") as client:
        pools = lt.operation("default", "list_sender_pools").sync_detailed(client=client)
        assert pools.status_code == 200
        assert pools.parsed and all(isinstance(pool, models.SenderPool) for pool in pools.parsed)
        assert [pool.to_dict() for pool in pools.parsed] == json.loads(pools.content)

        step = models.SequenceStep(subject="Hi {{firstName}}", body_html="<p>Hi</p>", delay_days=0)
        body = models.CreateCampaignRequest(name="VP Sales Q3", sequence_steps=[step])
        created = lt.operation("default", "create_campaign").sync_detailed(client=client, body=body)
        assert created.status_code == 201
        campaign = created.parsed
        assert isinstance(campaign, models.CampaignCreatedFlat)
        assert (campaign.name, campaign.status, [s.subject for s in campaign.sequence_steps]) == (
            "VP Sales Q3",
            "draft",
            ["Hi {{firstName}}"],
        )

        # ana@ already exists in the workspace (updated and enrolled); optout@ is on the suppression list.
        leads = [
            models.LeadInput(email="nia@initrode.example", first_name="Nia"),
            models.LeadInput(email="ana@acme.example"),
            models.LeadInput(email="optout@acme.example"),
        ]
        enrol = lt.operation("default", "bulk_enroll_leads")
        enrolled = enrol.sync_detailed(campaign.id, client=client, body=models.BulkEnrollRequest(leads=leads))
        assert enrolled.status_code == 200
        assert isinstance(enrolled.parsed, models.BulkEnrollResult)
        assert enrolled.parsed.to_dict() == {"enrolled": 1, "updated": 1, "skipped": 1, "total": 2}

        started = lt.operation("default", "start_campaign").sync_detailed(campaign.id, client=client)
        assert started.status_code == 200
        assert isinstance(started.parsed, models.CampaignStartedFlat)
        assert (started.parsed.id, started.parsed.status) == (campaign.id, "running")
        assert started.parsed.started_at.tzinfo is not None


def test_foxreach_quickstart(generated: dict[str, Generated]) -> None:
    fr = generated["foxreach"]
    models = fr.models
    with fr.client("generated-foxreach") as client:
        created = fr.operation("campaigns", "create_campaign").sync_detailed(
            client=client, body=models.CampaignCreate(name="Q1 Outreach")
        )
        assert created.status_code == 201
        assert isinstance(created.parsed, models.CampaignResponse)
        campaign = created.parsed.data
        assert (campaign.name, campaign.status, campaign.started_at) == ("Q1 Outreach", "draft", None)

        step = models.SequenceCreate(subject="Hi", body="Hello {{firstName}}")
        sequence = fr.operation("sequences", "create_sequence").sync_detailed(campaign.id, client=client, body=step)
        assert sequence.status_code == 201
        assert isinstance(sequence.parsed, models.SequenceStepResponse)
        assert (sequence.parsed.data.subject, sequence.parsed.data.body) == ("Hi", "Hello {{firstName}}")

        lead = fr.operation("leads", "create_lead").sync_detailed(
            client=client, body=models.LeadCreate(email="gina@acme.example", first_name="Gina")
        )
        assert lead.status_code == 201
        assert isinstance(lead.parsed, models.LeadResponse)
        lead_id = lead.parsed.data.id
        added = fr.operation("campaigns", "add_campaign_leads").sync_detailed(
            campaign.id, client=client, body=models.CampaignLeadsAdd(lead_ids=[lead_id])
        )
        assert added.status_code == 200
        assert isinstance(added.parsed, models.LinksAddedResponse)

        accounts = fr.operation("email_accounts", "list_email_accounts").sync_detailed(client=client)
        assert accounts.status_code == 200
        assert isinstance(accounts.parsed, models.EmailAccountListResponse)
        account_id = next(a.id for a in accounts.parsed.data if a.is_active)
        assigned = fr.operation("campaigns", "add_campaign_accounts").sync_detailed(
            campaign.id, client=client, body=models.CampaignAccountsAdd(account_ids=[account_id])
        )
        assert assigned.status_code == 200
        assert isinstance(assigned.parsed, models.LinksAddedResponse)

        started = fr.operation("campaigns", "start_campaign").sync_detailed(campaign.id, client=client)
        assert started.status_code == 200
        assert isinstance(started.parsed, models.CampaignResponse)
        assert (started.parsed.data.id, started.parsed.data.status) == (campaign.id, "active")
        assert started.parsed.data.started_at is not None

        again = fr.operation("campaigns", "start_campaign").sync_detailed(campaign.id, client=client)
        assert again.status_code == 400
        assert isinstance(again.parsed, models.ErrorDetail)
        assert again.parsed.detail == "Campaign is already active"


def test_voicegenie_quickstart(generated: dict[str, Generated], mock: MockServer) -> None:
    vg = generated["voicegenie"]
    models = vg.models
    session = "generated-voicegenie"
    stats = vg.operation("campaigns", "get_campaign_stats")
    with vg.client(session) as client:
        before = stats.sync_detailed(PAUSED_VOICEGENIE_CAMPAIGN, client=client)
        assert before.status_code == 200
        assert isinstance(before.parsed, models.CampaignStatsResponse)
        assert before.parsed.data.calls_pending > 0

        started = vg.operation("campaigns", "start_campaign").sync_detailed(PAUSED_VOICEGENIE_CAMPAIGN, client=client)
        assert started.status_code == 200
        assert isinstance(started.parsed, models.StartCampaignResponse)
        assert (started.parsed.data.campaign_id, started.parsed.data.status) == (PAUSED_VOICEGENIE_CAMPAIGN, "running")

        advance = f"{mock.url}/__admin/clock/advance"
        hour = httpx.post(advance, params={"session": session}, json={"seconds": 3600}, trust_env=False)
        assert hour.status_code == 200, hour.text

        after = stats.sync_detailed(PAUSED_VOICEGENIE_CAMPAIGN, client=client)
        assert after.status_code == 200
        assert isinstance(after.parsed, models.CampaignStatsResponse)
        data = after.parsed.data
        assert (data.calls_pending, data.calls_in_progress) == (0, 0)
        assert data.calls_completed + data.calls_failed == data.total_contacts
        assert sum(data.call_status_breakdown.to_dict().values()) == data.total_contacts


def test_sonarly_quickstart(generated: dict[str, Generated]) -> None:
    so = generated["sonarly"]
    models = so.models
    with so.client("generated-sonarly") as client:
        listed = so.operation("campaigns", "list_campaigns").sync_detailed(SONARLY_GROUP, client=client)
        assert listed.status_code == 200
        assert isinstance(listed.parsed, models.CampaignListSuccessResponse)
        assert listed.parsed.to_dict() == json.loads(listed.content)
        draft = next(c for c in listed.parsed.data.items if c.status == "draft")

        start = so.operation("campaigns", "start_campaign")
        started = start.sync_detailed(SONARLY_GROUP, draft.id, client=client)
        assert started.status_code == 200
        assert isinstance(started.parsed, models.StartedCampaignSuccessResponse)
        result = started.parsed.data
        assert (result.campaign.id, result.campaign.status, result.triggered) == (draft.id, "active", True)
        assert result.instances_created == draft.selected_lead_count

        again = start.sync_detailed(SONARLY_GROUP, draft.id, client=client)
        assert again.status_code == 409
        assert isinstance(again.parsed, models.ErrorResponse)
        assert again.parsed.error.code == "CAMPAIGN_ALREADY_STARTED"


def test_admin_clock_faults_and_state_round_trip(generated: dict[str, Generated]) -> None:
    admin = generated["admin"]
    models = admin.models
    session = "generated-admin"
    instant = datetime(2025, 1, 15, 11, 0, tzinfo=UTC)
    with admin.client(session) as client:
        clock = admin.operation("default", "set_clock").sync_detailed(
            client=client, session=session, body=models.SetClockBody(now=instant, frozen=True)
        )
        assert clock.status_code == 200
        assert (clock.parsed.now, clock.parsed.frozen, clock.parsed.own_clock) == (instant, True, True)

        fault = models.Fault(vendor="leadterra", method="post", path="/v1/campaigns/{id}/start", status=503, times=1)
        added = admin.operation("default", "add_faults").sync_detailed(client=client, session=session, body=fault)
        assert added.status_code == 201
        assert [(f.method, f.path, f.status) for f in added.parsed.faults] == [
            ("POST", "/v1/campaigns/{id}/start", 503)
        ]

        exported = admin.operation("default", "export_state").sync_detailed(client=client, session=session)
        assert exported.status_code == 200
        assert isinstance(exported.parsed, models.State)
        assert (exported.parsed.session, exported.parsed.clock.now) == (session, instant)

        imported = admin.operation("default", "import_state").sync_detailed(
            client=client, session=session, body=exported.parsed
        )
        assert imported.status_code == 200
        assert isinstance(imported.parsed, models.State)
        assert imported.parsed.to_dict() == exported.parsed.to_dict()
