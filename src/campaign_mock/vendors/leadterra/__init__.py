"""Leadterra: email sequences. Bearer keys, one workspace per key, draft -> running <-> paused."""

from __future__ import annotations

from ...engine.events import WebhookPolicy
from ...engine.scenario_files import SCENARIO_DIR
from ...engine.specs import SPEC_DIR
from ...engine.vendor import AuthRequest, Vendor, handlers_of, presented_key
from . import errors, handlers
from .errors import LeadterraErrors
from .state import LeadterraState, check_references
from .variants import VARIANTS

NAME = "leadterra"


def authenticate(request: AuthRequest[LeadterraState]) -> str:
    """`Authorization: Bearer <key>`; a key whose workspace is gone answers 404 workspace_not_found."""
    key = presented_key(request.headers, "authorization", "Bearer")
    if key and key in request.state.api_keys:
        return key
    if key and key in request.state.orphan_api_keys:
        raise errors.error(404, errors.WORKSPACE_NOT_FOUND)
    raise errors.error(401, errors.AUTHENTICATION_FAILED)


VENDOR = Vendor(
    name=NAME,
    spec_file=SPEC_DIR / f"{NAME}.yaml",
    scenario_dir=SCENARIO_DIR / NAME,
    state_type=LeadterraState,
    handlers=handlers_of(handlers),
    authenticate=authenticate,
    errors=LeadterraErrors(),
    variants=VARIANTS,
    check_references=check_references,
    strict_query=True,  # the reference answers unexpected parameters with 400 invalid_request
    # The webhooks guide: HMAC-SHA256 of the raw body in X-Leadterra-Signature, 2xx within 10 s, retries after about
    # 1 min, 5 min, 30 min, 2 h and 8 h.
    webhooks=WebhookPolicy("X-Leadterra-Signature", (60, 300, 1800, 7200, 28800), 10.0),
)
