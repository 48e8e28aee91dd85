"""A small vendor defined by the engine tests alone: the engine runs it exactly as it runs a shipped one.

`FAKE` is the descriptor; `FAKE_KEY` is the key its part of the default scenario accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from campaign_mock.engine.errors import ApiError
from campaign_mock.engine.rate_limit import RateLimitPolicy
from campaign_mock.engine.vendor import AuthRequest, RateLimit, Vendor, handlers_of, presented_key

from . import handlers
from .errors import FakeErrors
from .state import FakeState, check_references
from .variants import GREETING

NAME = "fakevendor"
HERE = Path(__file__).resolve().parent
SPEC_FILE = HERE / f"{NAME}.yaml"
SCENARIO_DIR = HERE / "scenarios"
FAKE_KEY = "fk_test"
KEY_HEADER = "x-fake-key"
RATE_LIMIT = RateLimitPolicy(50, 60, "fixed")


def api_key(headers: Mapping[str, str]) -> str:
    return presented_key(headers, KEY_HEADER)


def authenticate(request: AuthRequest[FakeState]) -> str:
    key = api_key(request.headers)
    if key and key in request.state.api_keys:
        return key
    raise ApiError(401, "unauthorized", "unknown key" if key else "no key")


FAKE = Vendor(
    name=NAME,
    spec_file=SPEC_FILE,
    scenario_dir=SCENARIO_DIR,
    state_type=FakeState,
    handlers=handlers_of(handlers),
    authenticate=authenticate,
    errors=FakeErrors(),
    rate_limit=RateLimit(key=api_key, policy=RATE_LIMIT),
    variants=(GREETING,),
    check_references=check_references,
)
