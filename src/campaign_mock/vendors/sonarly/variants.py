"""Where Sonarly's own pages disagree, or leave a choice open: each as a named switch, the reference's side the
default."""

from __future__ import annotations

from ...engine.variants import Variant

_DOCS = "https://app.sonarly.io/docs/api"
_DELETE_PAGE = f"{_DOCS}/campaigns/campaigns-delete"

DELETE_STARTED = Variant(
    "sonarly.delete_started",
    "Deleting a started (active) campaign: the delete page allows deletion only 'in a deletable state' and "
    "lists 409, without naming the states. 409 CAMPAIGN_NOT_DELETABLE, or deleted like a draft (its workflow "
    "instances cancelled).",
    {"conflict": (_DELETE_PAGE,), "deleted": (_DELETE_PAGE,)},
    "conflict",
)
ACCOUNTS_LIST_SHAPE = Variant(
    "sonarly.accounts_list_shape",
    "The data of GET /v1/accounts: {items} as the API reference shows it, or {items, nextCursor: null, "
    "hasMore: false} as the getting-started page shows it.",
    {
        "items": (f"{_DOCS}/accounts/accounts-list", f"{_DOCS}/accounts"),
        "paginated": (f"{_DOCS}/getting-started",),
    },
    "items",
)

VARIANTS = (DELETE_STARTED, ACCOUNTS_LIST_SHAPE)
