"""Sonarly: LinkedIn outreach. Bearer keys with per-key permissions and account groups, the envelope
`{success, data, error, traceId}` on every answer, draft -> active -> completed as workflow instances finish."""

from __future__ import annotations

from ...engine.scenario_files import SCENARIO_DIR
from ...engine.specs import SPEC_DIR
from ...engine.vendor import AuthRequest, Vendor, handlers_of, presented_key
from . import errors, handlers
from .errors import SonarlyErrors
from .handlers import Principal
from .seeds import check_references
from .state import SonarlyState
from .variants import VARIANTS

NAME = "sonarly"


def authenticate(request: AuthRequest[SonarlyState]) -> Principal:
    """`Authorization: Bearer <key>`: a missing or malformed header, an unknown key and a revoked key answer 401.
    Permissions and account groups are checked per operation (`handlers._operation`), once it is known."""
    key = presented_key(request.headers, "authorization", "Bearer")
    record = request.state.key_record(key) if key else None
    if record is None:
        details = "unknown or revoked API key" if key else "no Bearer key in the Authorization header"
        raise errors.error(401, errors.UNAUTHORIZED, errors.INVALID_API_KEY, details)
    return Principal(key, frozenset(record["permissions"]), tuple(record["accountGroups"]))


VENDOR = Vendor(
    name=NAME,
    spec_file=SPEC_DIR / f"{NAME}.yaml",
    scenario_dir=SCENARIO_DIR / NAME,
    state_type=SonarlyState,
    handlers=handlers_of(handlers),
    authenticate=authenticate,
    errors=SonarlyErrors(),
    variants=VARIANTS,
    check_references=check_references,
)
