"""FoxReach: cold-email campaigns. `X-API-Key` keys, one workspace per key, draft -> active <-> paused."""

from __future__ import annotations

from collections.abc import Mapping

from ...engine.events import WebhookPolicy
from ...engine.scenario_files import SCENARIO_DIR
from ...engine.specs import SPEC_DIR
from ...engine.vendor import AuthRequest, RateLimit, Vendor, handlers_of, presented_key
from . import errors, handlers
from .errors import FoxReachErrors
from .seeds import check_references
from .state import FoxReachState
from .variants import AUTH_FAILURE_STATUS, RATE_LIMIT_WINDOW, VARIANTS

NAME = "foxreach"


def api_key(headers: Mapping[str, str]) -> str:
    """The key presented in `X-API-Key` (empty when missing); it is also what the rate limit counts by."""
    return presented_key(headers, "x-api-key")


def authenticate(request: AuthRequest[FoxReachState]) -> str:
    """A missing or unknown key answers 403 as documented, or 401 under the SDK's reading of it."""
    key = api_key(request.headers)
    if key and key in request.state.api_keys:
        return key
    status = 401 if request.variants[AUTH_FAILURE_STATUS.name] == "401" else 403
    raise errors.error(status, errors.INVALID_API_KEY if key else errors.MISSING_API_KEY)


VENDOR = Vendor(
    name=NAME,
    spec_file=SPEC_DIR / f"{NAME}.yaml",
    scenario_dir=SCENARIO_DIR / NAME,
    state_type=FoxReachState,
    handlers=handlers_of(handlers),
    authenticate=authenticate,
    errors=FoxReachErrors(),
    rate_limit=RateLimit(key=api_key, policy=errors.RATE_LIMIT, window_variant=RATE_LIMIT_WINDOW),
    variants=VARIANTS,
    check_references=check_references,
    # The signature header's name is not documented (inferred); retries after 1, 5 and 30 minutes, 5 s to answer.
    webhooks=WebhookPolicy("X-FoxReach-Signature", (60, 300, 1800), 5.0),
)
