"""Where FoxReach's own pages (and its SDK) disagree: each contradiction as a named switch."""

from __future__ import annotations

from ...engine.variants import Variant

_DOCS = "https://docs.foxreach.io"
_SDK = "https://pypi.org/project/foxreach/"

AUTH_FAILURE_STATUS = Variant(
    "foxreach.auth_failure_status",
    "Status of a missing or unknown API key: 403 per the docs (the SDK raises PermissionError), or 401, "
    "which the SDK maps to AuthenticationError and its README expects.",
    {"403": (f"{_DOCS}/errors", f"{_DOCS}/authentication"), "401": (_SDK,)},
    "403",
)
RATE_LIMIT_WINDOW = Variant(
    "foxreach.rate_limit_window",
    "How the 100 requests per minute are counted: a fixed 60-second window (every endpoint page) or a "
    "sliding window (the Rate Limiting page).",
    {
        "fixed": (
            f"{_DOCS}/api-reference/campaigns/start-campaign",
            f"{_DOCS}/api-reference/campaigns/pause-campaign",
        ),
        "sliding": (f"{_DOCS}/rate-limiting",),
    },
    "fixed",
)

VARIANTS = (AUTH_FAILURE_STATUS, RATE_LIMIT_WINDOW)
