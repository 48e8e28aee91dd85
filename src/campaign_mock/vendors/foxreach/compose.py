"""The text of a campaign email for one lead: template variables filled in, spin groups resolved.

`{{firstName}}`, `{{lastName}}`, `{{company}}`, `{{title}}`, `{{email}}`, `{{phone}}`, `{{website}}`,
`{{linkedinUrl}}` and the lead's `customFields` keys are replaced by the lead's values (an unknown or empty one by
nothing). A spin group `{a|b|c}` becomes one of its options, a seeded draw keyed by the email, so the same lead
always gets the same text. A step without a subject is a follow-up in the thread of the step before it:
`Re: <that subject>`.
"""

from __future__ import annotations

import functools
import re

from ...engine.chance import Chance
from .records import Lead, SequenceStep

# One pass finds both: a `{{variable}}`, or a spin group `{a|b}` (no braces inside either).
_TOKEN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}|\{([^{}]*\|[^{}]*)\}")
_LEAD_FIELDS = ("firstName", "lastName", "company", "title", "email", "phone", "website", "linkedinUrl")
Part = str | tuple[str, ...]  # literal text, ("var", name), or ("spin", option, option, ...)


@functools.lru_cache(maxsize=1024)
def _parts(text: str) -> tuple[Part, ...]:
    """A template split once into literal text, variables and spin groups (a step is sent to many leads)."""
    parts: list[Part] = []
    done = 0
    for match in _TOKEN.finditer(text):
        parts.append(text[done : match.start()])
        variable, spin = match.groups()
        parts.append(("var", variable) if variable is not None else ("spin", *spin.split("|")))
        done = match.end()
    parts.append(text[done:])
    return tuple(p for p in parts if p)


def render(text: str, lead: Lead, chance: Chance, *key: object) -> str:
    out: list[str] = []
    groups = 0
    for part in _parts(text):
        if isinstance(part, str):
            out.append(part)
        elif part[0] == "var":
            name = part[1]
            value = lead.get(name) if name in _LEAD_FIELDS else lead["customFields"].get(name)
            out.append("" if value is None else str(value))
        else:
            options = part[1:]
            out.append(options[chance.between(0, len(options) - 1, *key, "spin", groups)])
            groups += 1
    return "".join(out)


def subject_of(steps: list[SequenceStep], index: int, lead: Lead, chance: Chance, campaign_id: str) -> str:
    """The subject of step `index` (0-based) for `lead`; a step without one answers the last step that has one."""
    for earlier in range(index, -1, -1):
        subject = steps[earlier]["subject"]
        if subject:
            text = render(subject, lead, chance, "foxreach", campaign_id, lead["id"], earlier + 1, "subject")
            return text if earlier == index else f"Re: {text}"
    return ""


def body_of(step: SequenceStep, lead: Lead, chance: Chance, campaign_id: str) -> str:
    return render(step["body"], lead, chance, "foxreach", campaign_id, lead["id"], step["stepNumber"], "body")
