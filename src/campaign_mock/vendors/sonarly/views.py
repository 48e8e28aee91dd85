"""Sonarly's read models: the objects the API returns, built from the stored records without changing them, and
cursor pagination.

A cursor is base64url (unpadded) JSON of `{"createdAt", "id"}` of the last item of a page: lists are ordered
newest first by (createdAt, id), and the next page holds the items after that one in this order, so walking the
pages gives every item exactly once even when several share a createdAt. Sonarly's own example cursor carries
`createdAt` only; it is read as "the items created before that instant".
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from ...engine.clock import parse_instant
from . import errors
from .state import Record, stamp

PROSPECT_FIELDS = ("firstName", "lastName", "headline", "about", "photoUrl", "linkedinUrl", "publicIdentifier")
CAMPAIGN_FIELDS = (
    "id",
    "name",
    "description",
    "status",
    "selectedLeadCount",
    "includeConversationHistory",
    "autoCancelOnMessageReceived",
    "outreachLanguage",
    "createdAt",
    "updatedAt",
    "startedAt",
    "rateLimitedUntil",
)
SLOT_FIELDS = ("id", "channel", "label", "position", "channelPosition", "templateId")
DEFAULT_LIMIT = 20  # the spec's `limit` default (components.parameters.Limit)

CursorKey = tuple[str, str]


def account_view(group: Record) -> Record:
    return {"id": group["id"], "name": group["name"], "createdAt": group["createdAt"]}


def prospect_counts(group: Record) -> Counter[str]:
    """How many prospects each audience of the group has (one pass over the prospects)."""
    return Counter(audience for p in group["prospects"] for audience in p["audienceIds"])


def audience_view(audience: Record, counts: Counter[str]) -> Record:
    return {
        "id": audience["id"],
        "name": audience["name"],
        "type": audience["type"],
        "description": audience["description"],
        "folderId": audience["folderId"],
        "prospectCount": counts[audience["id"]],
        "createdAt": audience["createdAt"],
    }


def navigation(group: Record, ready: list[Record]) -> Record:
    """Folders (pinned first, then by position) with their ready audiences, and the ready audiences in none."""
    counts = prospect_counts(group)
    folders = sorted(group["folders"], key=lambda f: (not f["isPinned"], f["position"], f["id"]))
    known = {f["id"] for f in folders}
    audiences = newest_first(ready)
    return {
        "folders": [
            {
                "id": f["id"],
                "name": f["name"],
                "audienceType": f["audienceType"],
                "isPinned": f["isPinned"],
                "position": f["position"],
                "createdAt": f["createdAt"],
                "updatedAt": f["updatedAt"],
                "audiences": [audience_view(a, counts) for a in audiences if a["folderId"] == f["id"]],
            }
            for f in folders
        ],
        "ungroupedAudiences": [audience_view(a, counts) for a in audiences if a["folderId"] not in known],
    }


def prospect_view(prospect: Record) -> Record:
    view: Record = {"id": prospect["id"]}
    for key in PROSPECT_FIELDS:
        view[key] = prospect.get(key)
    names = [prospect[k] for k in ("firstName", "lastName") if prospect.get(k)]
    view["name"] = prospect.get("name", " ".join(names) or None)
    company = prospect.get("company")
    view["company"] = dict(company) if company is not None else None
    return view


def signals_view(prospect: Record, min_score: int | None) -> Record:
    """pending: no results yet (whatever the scenario says the evaluation will find). evaluated: the groups, each
    cut to the items scoring at least `min_score` (an item without a numeric score does not reach any minimum),
    a group left empty omitted."""
    signals = prospect["signals"]
    results: list[Record] = []
    if signals["status"] == "evaluated":
        for group in signals["results"]:
            items = [i for i in group["items"] if min_score is None or _score_reaches(i.get("score"), min_score)]
            if items or min_score is None:
                results.append({**group, "items": [dict(i) for i in items]})
    return {"prospectId": prospect["id"], "status": signals["status"], "results": results}


def _score_reaches(score: Any, minimum: int) -> bool:
    if isinstance(score, bool):
        return False
    if isinstance(score, int | float):
        return score >= minimum
    try:
        return float(score) >= minimum
    except (TypeError, ValueError):
        return False


def campaign_view(campaign: Record) -> Record:
    return {key: campaign[key] for key in CAMPAIGN_FIELDS}


def slot_view(slot: Record) -> Record:
    return {key: slot[key] for key in SLOT_FIELDS}


def newest_first(records: Iterable[Record]) -> list[Record]:
    return sorted(records, key=_order_key, reverse=True)


def _order_key(record: Record) -> CursorKey:
    return (record["createdAt"], record["id"])


# -- cursor pagination ------------------------------------------------------------------------------------
def page(records: Iterable[Record], cursor: str | None, limit: int, view: Callable[[Record], Record]) -> Record:
    """One page of `records`, newest first, after `cursor` (none: from the start)."""
    ordered = newest_first(records)
    if cursor is not None:
        after = decode_cursor(cursor)
        ordered = [r for r in ordered if _order_key(r) < after]
    chosen, more = ordered[:limit], len(ordered) > limit
    return {
        "items": [view(r) for r in chosen],
        "nextCursor": encode_cursor(_order_key(chosen[-1])) if more else None,
        "hasMore": more,
    }


def encode_cursor(key: CursorKey) -> str:
    text = json.dumps({"createdAt": key[0], "id": key[1]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> CursorKey:
    """The (createdAt, id) a cursor names; 400 VALIDATION_ERROR for anything else. Without an id, the cursor
    stands before every item of its instant (an empty id sorts first)."""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        data = json.loads(raw.decode("utf-8"))
        created = stamp(parse_instant(data["createdAt"]))
        record_id = data.get("id", "")
        if not isinstance(record_id, str):
            raise TypeError("id")
    except (binascii.Error, ValueError, UnicodeDecodeError, TypeError, KeyError, AttributeError):
        raise errors.validation(400, "query.cursor: not a cursor this API issued") from None
    return (created, record_id)
