"""FoxReach: cold-email campaigns. `X-API-Key` keys, one workspace per key, draft -> active <-> paused."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...engine.service import Vendor
from ...engine.variants import Variant, Variants
from . import errors
from .errors import FoxReachErrors
from .handlers import HANDLERS
from .state import FoxReachState, check_references

_DOCS = "https://docs.foxreach.io"
_SDK = "https://pypi.org/project/foxreach/"

AUTH_FAILURE_STATUS = "foxreach.auth_failure_status"
RATE_LIMIT_WINDOW = "foxreach.rate_limit_window"


def api_key(headers: Mapping[str, str]) -> str:
    """The key presented in `X-API-Key` (empty when missing); it is also what the rate limit counts by."""
    return headers.get("x-api-key", "").strip()


def authenticate(headers: Mapping[str, str], state: Any, variants: Variants) -> str:
    """A missing or unknown key answers 403 as documented, or 401 under the SDK's reading of it."""
    key = api_key(headers)
    if key and key in state.api_keys:
        return key
    status = 401 if variants[AUTH_FAILURE_STATUS] == "401" else 403
    raise errors.error(status, errors.INVALID_API_KEY if key else errors.MISSING_API_KEY)


VARIANTS = (
    Variant(
        AUTH_FAILURE_STATUS,
        "Status of a missing or unknown API key: 403 per the docs (the SDK raises PermissionError), or 401, "
        "which the SDK maps to AuthenticationError and its README expects.",
        {"403": (f"{_DOCS}/errors", f"{_DOCS}/authentication"), "401": (_SDK,)},
        "403",
    ),
    Variant(
        RATE_LIMIT_WINDOW,
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
    ),
)

VENDOR = Vendor(
    name="foxreach",
    handlers=HANDLERS,
    state_type=FoxReachState,
    authenticate=authenticate,
    errors=FoxReachErrors(),
    rate_limit_key=api_key,
    rate_limit=errors.RATE_LIMIT,
    rate_limit_window_variant=RATE_LIMIT_WINDOW,
    variants=VARIANTS,
    check_references=check_references,
)
