"""A vendor that sends webhooks, defined by the delivery tests alone: `HOOKS` is its descriptor, `HOOK_KEY` the
key its part of the default scenario accepts, `POLICY` how it signs and retries."""

from __future__ import annotations

from pathlib import Path

from campaign_mock.engine.errors import ApiError
from campaign_mock.engine.events import WebhookPolicy
from campaign_mock.engine.vendor import AuthRequest, Vendor, handlers_of, presented_key

from . import handlers
from .state import HookState, ProblemErrors

HERE = Path(__file__).resolve().parent
HOOK_KEY = "hk_test"
KEY_HEADER = "x-hook-key"
POLICY = WebhookPolicy("X-Hook-Signature", (60, 300), timeout_seconds=5.0, signature_prefix="sha256=")


def authenticate(request: AuthRequest[HookState]) -> str:
    key = presented_key(request.headers, KEY_HEADER)
    if key and key in request.state.api_keys:
        return key
    raise ApiError(401, "unauthorized", "unknown key")


HOOKS = Vendor(
    name="hookvendor",
    spec_file=HERE / "hookvendor.yaml",
    scenario_dir=HERE / "scenarios",
    state_type=HookState,
    handlers=handlers_of(handlers),
    authenticate=authenticate,
    errors=ProblemErrors(),
    webhooks=POLICY,
)
