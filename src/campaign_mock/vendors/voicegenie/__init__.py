"""VoiceGenie: the voice dialer's "Dialer API". x-api-key (or a login cookie), draft -> running <-> paused ->
completed, calls placed and ended on the mock clock."""

from __future__ import annotations

from ...engine.scenario_files import SCENARIO_DIR
from ...engine.specs import SPEC_DIR
from ...engine.vendor import RateLimit, Vendor, handlers_of
from . import handlers
from .auth import authenticate, rate_limit_key
from .errors import VoiceGenieErrors
from .seeds import check_references
from .state import VoiceGenieState
from .variants import VARIANTS

NAME = "voicegenie"

VENDOR = Vendor(
    name=NAME,
    spec_file=SPEC_DIR / f"{NAME}.yaml",
    scenario_dir=SCENARIO_DIR / NAME,
    state_type=VoiceGenieState,
    handlers=handlers_of(handlers),
    authenticate=authenticate,
    errors=VoiceGenieErrors(),
    # No vendor-wide limit: the spec's x-rate-limit gives each limited endpoint its own, counted per key.
    rate_limit=RateLimit(key=rate_limit_key),
    variants=VARIANTS,
    strict_query=True,  # the pages answer unexpected parameters with 400 BAD_REQUEST
    check_references=check_references,
)
