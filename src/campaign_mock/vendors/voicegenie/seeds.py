"""Checks on VoiceGenie records given by a scenario (or a state import), before any are used: duplicate ids and
names, references to records that do not exist, malformed phone numbers, and calls without the times their
status needs."""

from __future__ import annotations

from typing import Any

from .records import OUTCOMES, QUEUED, RUNNING, valid_phone

Problems = list[tuple[tuple[str | int, ...], str]]


def check_references(section: dict[str, Any]) -> Problems:
    problems: Problems = []
    for kind, key in (("campaigns", "id"), ("campaigns", "_id"), ("contacts", "id"), ("scripts", "script_id")):
        _unique(problems, section.get(kind, []), kind, key)
    _unique(problems, section.get("calls", []), "calls", "id")
    _unique(problems, section.get("users", []), "users", "email")
    _unique(problems, section.get("users", []), "users", "_id")
    contacts = {c["id"] for c in section.get("contacts", [])}
    scripts = {s["script_id"] for s in section.get("scripts", [])}
    campaigns = {c["id"]: c for c in section.get("campaigns", [])}
    for i, contact in enumerate(section.get("contacts", [])):
        if not valid_phone(contact["phone_number"]):
            problems.append(
                (("contacts", i, "phone_number"), f"{contact['phone_number']!r} is not an E.164 number (+ optional)")
            )
    for i, campaign in enumerate(section.get("campaigns", [])):
        script = campaign.get("script_id")
        if script is not None and script not in scripts:
            problems.append((("campaigns", i, "script_id"), f"no script {script!r}"))
        listed: set[str] = set()
        for j, ref in enumerate(campaign.get("contact_ids", [])):
            if ref not in contacts:
                problems.append((("campaigns", i, "contact_ids", j), f"no contact {ref!r}"))
            elif ref in listed:
                problems.append((("campaigns", i, "contact_ids", j), f"contact {ref!r} is listed twice"))
            listed.add(ref)
        for j, ref in enumerate(campaign.get("excluded_contact_ids", [])):
            if ref not in listed:
                problems.append((("campaigns", i, "excluded_contact_ids", j), f"{ref!r} is not in contact_ids"))
        if campaign.get("isDeleted") and campaign.get("campaign_status") == RUNNING:
            problems.append((("campaigns", i, "isDeleted"), "a running campaign cannot be deleted: pause it first"))
    for i, call in enumerate(section.get("calls", [])):
        owner = campaigns.get(call["campaign_id"])
        if owner is None:
            problems.append((("calls", i, "campaign_id"), f"no campaign {call['campaign_id']!r}"))
        elif owner.get("isDeleted"):
            problems.append((("calls", i, "campaign_id"), f"campaign {call['campaign_id']!r} is deleted"))
        contact = call.get("contact_id")
        if contact is not None and contact not in contacts:
            problems.append((("calls", i, "contact_id"), f"no contact {contact!r}"))
        status = call["status"]
        needed: tuple[str, ...] = ("scheduled_at",) if status == QUEUED else ("started_at",)
        if status in OUTCOMES:
            needed = ("started_at", "ended_at")
        for field in needed:
            if not call.get(field):
                problems.append((("calls", i), f"a {status} call needs {field}"))
    return problems


def _unique(problems: Problems, records: list[dict[str, Any]], kind: str, key: str) -> None:
    seen: set[Any] = set()
    for i, record in enumerate(records):
        value = record.get(key)
        if value is None:
            continue
        if value in seen:
            problems.append(((kind, i, key), f"duplicate {key} {value!r}"))
        seen.add(value)
