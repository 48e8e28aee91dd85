"""Where VoiceGenie's own pages disagree: each contradiction as a named switch (INTERFACE section 6)."""

from __future__ import annotations

from ...engine.variants import Variant

_DOCS = "https://github.com/LuvTanwaniOri/docs/blob"

AUTH = Variant(
    "voicegenie.auth",
    "Which credential authenticates the endpoints: the x-api-key header (the seed, the authentication page and "
    "the early commits), or the token cookie set by POST /auth/login (the latest endpoint pages).",
    {
        "api_key": (
            f"{_DOCS}/8e56723/authentication.mdx",
            f"{_DOCS}/051922a/gitbook-output/api-reference/campaign/start-campaign.md",
            f"{_DOCS}/84e8836/api-reference/campaign/upload-campaign-data.mdx",
        ),
        "cookie": (
            f"{_DOCS}/23ff4ab/api-reference/campaign/start-campaign.mdx",
            f"{_DOCS}/23ff4ab/api-reference/campaign/get-all-campaigns.mdx",
            f"{_DOCS}/23ff4ab/api-reference/authentication/login.mdx",
        ),
    },
    "api_key",
)
START_FROM_DRAFT = Variant(
    "voicegenie.start_from_draft",
    "Whether a draft campaign can be started: yes (the pause and start pages), or 422 INVALID_CAMPAIGN_STATE "
    "(the seed names only paused or scheduled campaigns).",
    {
        "start": (
            f"{_DOCS}/23ff4ab/api-reference/campaign/pause-campaign.mdx",
            f"{_DOCS}/23ff4ab/api-reference/campaign/start-campaign.mdx",
        ),
        "invalid_state": (f"{_DOCS}/051922a/gitbook-output/api-reference/campaign/start-campaign.md",),
    },
    "start",
)

VARIANTS = (AUTH, START_FROM_DRAFT)
