"""Where Leadterra's own pages disagree: each contradiction as a named switch, the reference's side the default."""

from __future__ import annotations

from ...engine.variants import Variant

_DOCS = "https://docs.leadterra.co"
_START_REF = f"{_DOCS}/api-reference/campaigns-start"
_GUIDE = f"{_DOCS}/guides/create-campaign"

START_WITHOUT_LEADS = Variant(
    "leadterra.start_without_leads",
    "Starting a draft campaign that has no enrolled leads.",
    {"error": (_START_REF,), "queue_nothing": (_GUIDE,)},
    "error",
)
START_RESPONSE = Variant(
    "leadterra.start_response",
    "The body of POST /v1/campaigns/{id}/start: flat, or wrapped in `campaign` with lead and queue counts.",
    {"flat": (_START_REF,), "wrapped": (_GUIDE,)},
    "flat",
)
SENDER_POOLS_SHAPE = Variant(
    "leadterra.sender_pools_shape",
    "The body of GET /v1/sender-pools: a bare array, `{pools: [...]}` or `{senderPools: [...]}`.",
    {
        "array": (f"{_DOCS}/api-reference/sender-pools",),
        "pools": (_GUIDE,),
        "senderPools": (f"{_DOCS}/quickstart",),
    },
    "array",
)
CREATE_CAMPAIGN_RESPONSE = Variant(
    "leadterra.create_campaign_response",
    "The body of POST /v1/campaigns: flat, or wrapped in `campaign` with a stepCount.",
    {"flat": (f"{_DOCS}/api-reference/campaigns-create",), "wrapped": (_GUIDE, f"{_DOCS}/quickstart")},
    "flat",
)

VARIANTS = (START_WITHOUT_LEADS, START_RESPONSE, SENDER_POOLS_SHAPE, CREATE_CAMPAIGN_RESPONSE)
