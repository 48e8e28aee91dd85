"""Leadterra: email sequences. Bearer keys, one workspace per key, draft -> running <-> paused."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...engine.service import Vendor
from ...engine.variants import Variant, Variants
from . import errors
from .errors import LeadterraErrors
from .handlers import HANDLERS
from .state import LeadterraState, check_references

_DOCS = "https://docs.leadterra.co"
_START_REF = f"{_DOCS}/api-reference/campaigns-start"
_GUIDE = f"{_DOCS}/guides/create-campaign"


def authenticate(headers: Mapping[str, str], state: Any, variants: Variants) -> str:
    """`Authorization: Bearer <key>`; a key whose workspace is gone answers 404 workspace_not_found."""
    scheme, _, key = headers.get("authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() == "bearer" and key:
        if key in state.api_keys:
            return key
        if key in state.orphan_api_keys:
            raise errors.error(404, errors.WORKSPACE_NOT_FOUND)
    raise errors.error(401, errors.AUTHENTICATION_FAILED)


VARIANTS = (
    Variant(
        "leadterra.start_without_leads",
        "Starting a draft campaign that has no enrolled leads.",
        {"error": (_START_REF,), "queue_nothing": (_GUIDE,)},
        "error",
    ),
    Variant(
        "leadterra.start_response",
        "The body of POST /v1/campaigns/{id}/start: flat, or wrapped in `campaign` with lead and queue counts.",
        {"flat": (_START_REF,), "wrapped": (_GUIDE,)},
        "flat",
    ),
    Variant(
        "leadterra.sender_pools_shape",
        "The body of GET /v1/sender-pools: a bare array, `{pools: [...]}` or `{senderPools: [...]}`.",
        {
            "array": (f"{_DOCS}/api-reference/sender-pools",),
            "pools": (_GUIDE,),
            "senderPools": (f"{_DOCS}/quickstart",),
        },
        "array",
    ),
    Variant(
        "leadterra.create_campaign_response",
        "The body of POST /v1/campaigns: flat, or wrapped in `campaign` with a stepCount.",
        {"flat": (f"{_DOCS}/api-reference/campaigns-create",), "wrapped": (_GUIDE, f"{_DOCS}/quickstart")},
        "flat",
    ),
)

VENDOR = Vendor(
    name="leadterra",
    handlers=HANDLERS,
    state_type=LeadterraState,
    authenticate=authenticate,
    errors=LeadterraErrors(),
    variants=VARIANTS,
    check_references=check_references,
    strict_query=True,  # the reference answers unexpected parameters with 400 invalid_request
)
