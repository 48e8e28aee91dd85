"""Checks on FoxReach records given by a scenario (or a state import), before any are used: references to
records that do not exist, duplicates, and stored counters or positions that disagree with what they count."""

from __future__ import annotations

from .records import Record
from .state import sending_window

Problems = list[tuple[tuple[str | int, ...], str]]


def check_references(section: Record) -> Problems:
    """Records that point at records the scenario does not define, duplicates, and counters that disagree."""
    problems: Problems = []
    weights = (section.get("simulation") or {}).get("reply_categories")
    if weights is not None and not any(w > 0 for w in weights.values()):
        problems.append((("simulation", "reply_categories"), "give at least one category a weight above 0"))
    leads = {lead["id"] for lead in section.get("leads", [])}
    accounts = {a["id"] for a in section.get("emailAccounts", [])}
    campaigns = {c["id"]: c["name"] for c in section.get("campaigns", [])}
    for kind in ("campaigns", "leads", "emailAccounts", "templates", "webhooks", "inbox"):
        seen: set[str] = set()
        for i, record in enumerate(section.get(kind, [])):
            if record["id"] in seen:
                problems.append(((kind, i, "id"), f"duplicate id {record['id']!r}"))
            seen.add(record["id"])
    emails: set[str] = set()
    for i, lead in enumerate(section.get("leads", [])):
        if lead["email"].lower() in emails:
            problems.append((("leads", i, "email"), f"another lead already has the email {lead['email']!r}"))
        emails.add(lead["email"].lower())
    step_ids: set[str] = set()
    for i, campaign in enumerate(section.get("campaigns", [])):
        for key, known, what in (("leadIds", leads, "lead"), ("accountIds", accounts, "email account")):
            listed: set[str] = set()
            for j, ref in enumerate(campaign.get(key, [])):
                if ref not in known:
                    problems.append((("campaigns", i, key, j), f"no {what} {ref!r}"))
                elif ref in listed:
                    problems.append((("campaigns", i, key, j), f"{what} {ref!r} is listed twice"))
                listed.add(ref)
        if "totalLeads" in campaign and campaign["totalLeads"] != len(campaign.get("leadIds", [])):
            problems.append(
                (
                    ("campaigns", i, "totalLeads"),
                    f"totalLeads is {campaign['totalLeads']} but leadIds lists "
                    f"{len(campaign.get('leadIds', []))} (leave totalLeads out: it follows leadIds)",
                )
            )
        start, end = sending_window(campaign)
        if start >= end:
            problems.append(
                (("campaigns", i, "sendingStartHour"), f"sendingStartHour {start} is not before sendingEndHour {end}")
            )
        for j, step in enumerate(campaign.get("sequences", [])):
            if step["id"] in step_ids:
                problems.append((("campaigns", i, "sequences", j, "id"), f"duplicate id {step['id']!r}"))
            step_ids.add(step["id"])
            if "campaignId" in step and step["campaignId"] != campaign["id"]:
                problems.append(
                    (
                        ("campaigns", i, "sequences", j, "campaignId"),
                        f"campaignId {step['campaignId']!r} is not the enclosing campaign {campaign['id']!r} "
                        "(leave campaignId out: a step belongs to the campaign it is listed in)",
                    )
                )
            if "stepNumber" in step and step["stepNumber"] != j + 1:
                problems.append(
                    (
                        ("campaigns", i, "sequences", j, "stepNumber"),
                        f"stepNumber {step['stepNumber']} does not match the step's position ({j + 1})",
                    )
                )
    for i, lead in enumerate(section.get("leads", [])):
        activity_ids: set[str] = set()
        for j, activity in enumerate(lead.get("activities", [])):
            where = ("leads", i, "activities", j)
            if activity["id"] in activity_ids:
                problems.append(((*where, "id"), f"duplicate id {activity['id']!r}"))
            activity_ids.add(activity["id"])
            campaign_id, name = activity.get("campaignId"), activity.get("campaignName")
            if campaign_id is None:
                continue
            if campaign_id not in campaigns:
                problems.append(((*where, "campaignId"), f"no campaign {campaign_id!r}"))
            elif name is not None and name != campaigns[campaign_id]:
                problems.append(
                    (
                        (*where, "campaignName"),
                        f"campaignName {name!r} is not the name of campaign {campaign_id!r} "
                        f"({campaigns[campaign_id]!r}; leave campaignName out: it follows campaignId)",
                    )
                )
    for i, reply in enumerate(section.get("inbox", [])):
        for key, known, what in (
            ("leadId", leads, "lead"),
            ("campaignId", set(campaigns), "campaign"),
            ("accountId", accounts, "email account"),
        ):
            ref = reply.get(key)
            if ref is not None and ref not in known:
                problems.append((("inbox", i, key), f"no {what} {ref!r}"))
        if reply.get("accountId") is None and reply.get("toEmail") is None:
            problems.append(
                (("inbox", i), "the reply names no mailbox to answer from: give accountId or toEmail (or both)")
            )
    return problems
