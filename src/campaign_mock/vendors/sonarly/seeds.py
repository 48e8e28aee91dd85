"""Checks on Sonarly records given by a scenario (or a state import), before any are used: what the schema cannot
say. References to records that do not exist (a key's account groups, a prospect's audiences, a campaign's
audience and leads), duplicate ids, counts that disagree with what they count, and workflow instances that do not
fit their campaign."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .workflows import DEFAULT_TEMPLATES, STEPS

Problems = list[tuple[tuple[str | int, ...], str]]
Record = dict[str, Any]

_NESTED = ("folders", "audiences", "prospects", "campaigns")


def check_references(section: Record) -> Problems:
    problems: Problems = []
    groups = section.get("accountGroups", [])
    group_ids = {g["id"] for g in groups}
    keys: set[str] = set()
    for i, key in enumerate(section.get("api_keys", [])):
        if key["key"] in keys:
            problems.append((("api_keys", i, "key"), f"duplicate key {key['key']!r}"))
        keys.add(key["key"])
        for j, group in enumerate(key["accountGroups"]):
            if group not in group_ids:
                problems.append((("api_keys", i, "accountGroups", j), f"no account group {group!r}"))
    problems += _duplicates(groups)
    for i, group in enumerate(groups):
        problems += [(("accountGroups", i, *where), message) for where, message in _check_group(group)]
    return problems


def _duplicates(groups: list[Record]) -> Problems:
    """Ids are ObjectIds: unique per kind across every account group."""
    problems: Problems = []
    seen: set[str] = set()
    for i, group in enumerate(groups):
        if group["id"] in seen:
            problems.append((("accountGroups", i, "id"), f"duplicate id {group['id']!r}"))
        seen.add(group["id"])
    for kind in _NESTED:
        seen = set()
        for i, group in enumerate(groups):
            for j, record in enumerate(group.get(kind, [])):
                if record["id"] in seen:
                    problems.append((("accountGroups", i, kind, j, "id"), f"duplicate id {record['id']!r}"))
                seen.add(record["id"])
    return problems


def _check_group(group: Record) -> Problems:
    problems: Problems = []
    audiences = {a["id"] for a in group.get("audiences", [])}
    members: Counter[str] = Counter()
    prospects_of: dict[str, set[str]] = {}
    for i, prospect in enumerate(group.get("prospects", [])):
        for j, audience in enumerate(prospect["audienceIds"]):
            if audience not in audiences:
                problems.append((("prospects", i, "audienceIds", j), f"no audience {audience!r} in this account group"))
            members[audience] += 1
            prospects_of.setdefault(audience, set()).add(prospect["id"])
    prospects = {p["id"] for p in group.get("prospects", [])}
    templates = group.get("templateIds")
    for i, campaign in enumerate(group.get("campaigns", [])):
        where: tuple[str | int, ...] = ("campaigns", i)
        audience = campaign.get("audienceId")
        if audience is not None and audience not in audiences:
            problems.append(((*where, "audienceId"), f"no audience {audience!r} in this account group"))
            audience = None
        lead_ids = campaign.get("leadIds")
        for j, lead in enumerate(lead_ids or []):
            if lead not in prospects:
                problems.append(((*where, "leadIds", j), f"no prospect {lead!r} in this account group"))
            elif audience is not None and lead not in prospects_of.get(audience, set()):
                problems.append(((*where, "leadIds", j), f"prospect {lead!r} is not in audience {audience!r}"))
        problems += _check_count(campaign, where, lead_ids, members[audience] if audience is not None else None)
        problems += _check_slots(campaign, where, templates)
        problems += _check_instances(campaign, where, prospects)
    return problems


def _check_count(campaign: Record, where: tuple[str | int, ...], lead_ids: Any, audience_size: int | None) -> Problems:
    if "selectedLeadCount" not in campaign:
        return []
    given = campaign["selectedLeadCount"]
    if lead_ids is not None:
        expected, counted = len(lead_ids), "leadIds lists"
    elif audience_size is not None:
        expected, counted = audience_size, "its audience has"
    else:
        return []
    if given == expected:
        return []
    return [
        (
            (*where, "selectedLeadCount"),
            f"selectedLeadCount is {given} but {counted} {expected} (leave selectedLeadCount out: it follows them)",
        )
    ]


def _check_slots(campaign: Record, where: tuple[str | int, ...], templates: list[str] | None) -> Problems:
    problems: Problems = []
    seen: set[str] = set()
    for j, slot in enumerate(campaign.get("contentSlots", [])):
        if slot["id"] in seen:
            problems.append(((*where, "contentSlots", j, "id"), f"duplicate id {slot['id']!r}"))
        seen.add(slot["id"])
        template = slot["templateId"]
        if templates is not None and template not in templates and template not in DEFAULT_TEMPLATES.values():
            message = f"templateId {template!r} is not one of the account group's templateIds"
            problems.append(((*where, "contentSlots", j, "templateId"), message))
    return problems


def _check_instances(campaign: Record, where: tuple[str | int, ...], prospects: set[str]) -> Problems:
    instances = campaign.get("instances", [])
    status = campaign.get("status", "draft")
    if instances and status == "draft":
        return [((*where, "instances"), "a draft has no workflow instances (they are created when it starts)")]
    problems: Problems = []
    steps = len(STEPS[campaign.get("starterTemplateId", "connect")])
    for j, instance in enumerate(instances):
        lead = instance.get("leadId")
        if lead is not None and lead not in prospects:
            problems.append(((*where, "instances", j, "leadId"), f"no prospect {lead!r} in this account group"))
        if instance.get("step", 1) > steps:
            message = f"step {instance['step']} is past the last step of the starter template ({steps})"
            problems.append(((*where, "instances", j, "step"), message))
        finished = instance.get("status", "running") == "finished"
        if finished != (instance.get("outcome") is not None):
            message = "a finished instance has an outcome, a running one none"
            problems.append(((*where, "instances", j, "outcome"), message))
    return problems
