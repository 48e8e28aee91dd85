"""The dialer: how campaigns place calls on the mock clock, and how each call ends.

A running campaign dials on `LINES` lines at once (inferred: the pages give no concurrency): whenever a line is
free it calls the next due queued call (a redial, or a contact's own scheduled time), else the next contact never
called, in the campaign's contact order, inside its daily calling window and its fixed dates when it has them.
Each call's outcome and length are seeded draws keyed by the call's identity (campaign, contact, attempt), so
they do not depend on how far or how often the clock moved:

| outcome | weight | line held (seconds) |
|---|---|---|
| answered | 45 | 30-180 (connected after `RING_SECONDS`) |
| busy | 12 | 8 |
| no_answer | 20 | 30 |
| failed | 8 | 3 |
| voicemail | 15 | 20-45 (connected after `RING_SECONDS`) |

A call's `duration` is the time it held the line. A call that ends busy, no_answer or failed is redialled when
the campaign's redialConfig is enabled (at most `maxAttempts` redials, `retryIntervals[n]` seconds before the
n-th, 3600 when none is given). Pause stops new calls; calls in progress end normally. A running campaign with
nothing left to call, nothing queued and nothing in progress is completed at that moment; a scheduled campaign
starts by itself at its campaign_start_time; a campaign_end_time (or a fixed-date campaign's end date) completes
it. Calls placed without a contact (initiateCall, batch calls) run at once, outside the lines' count of what
may be dialled, but they do hold a line while they last.

Everything happens in `advance`, in time order across every campaign, however far the clock jumped: each
campaign keeps the time of its next event, and nothing is done until the clock reaches the earliest.
"""

from __future__ import annotations

import heapq
import math
import weakref
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...engine.chance import Chance
from ...engine.ids import IdFactory
from .records import (
    ACTIVE,
    ANSWERED,
    BUSY,
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    INITIATED,
    NO_ANSWER,
    OUTCOMES,
    QUEUED,
    REACHED,
    RECORDING_BASE,
    RUNNING,
    SCHEDULED,
    UNREACHED,
    VOICEMAIL,
    Record,
    digits,
    epoch,
    iso,
    whole,
)

if TYPE_CHECKING:
    from .state import VoiceGenieState

LINES = 5
RING_SECONDS = 6
EXPECTED_CALL_SECONDS = 60  # the weighted mean line time, for completion estimates
DEFAULT_RETRY_SECONDS = 3600
DEFAULT_MAX_REDIALS = 3
WEIGHTS = {ANSWERED: 45, BUSY: 12, NO_ANSWER: 20, FAILED: 8, VOICEMAIL: 15}
LENGTHS = {ANSWERED: (30, 180), BUSY: (8, 8), NO_ANSWER: (30, 30), FAILED: (3, 3), VOICEMAIL: (20, 45)}
_WEIGHTS = tuple(WEIGHTS[o] for o in OUTCOMES)
_NEVER = math.inf


def contact_key(call: Record) -> str:
    """Who a call is to: its contact, or (a call placed without a contact record) its number."""
    contact_id: str | None = call["contact_id"]
    return contact_id if contact_id else "tel:" + digits(call["phone_number"])


def plan(chance: Chance, campaign_id: str, key: str, attempt: int) -> tuple[str, int]:
    """How a call ends and how long it holds the line: a pure function of the seed and the call's identity."""
    outcome = chance.pick(OUTCOMES, _WEIGHTS, "voicegenie", "call", campaign_id, key, attempt)
    low, high = LENGTHS[outcome]
    return outcome, chance.between(low, high, "voicegenie", "length", campaign_id, key, attempt)


def redial_limits(campaign: Record) -> tuple[int, list[int]]:
    """(most redials per contact, seconds before each) of a campaign's redialConfig; no redials when disabled."""
    config = campaign["redialConfig"]
    if not config.get("enabled"):
        return 0, []
    most = config.get("maxAttempts", config.get("campaignWiseLimit", DEFAULT_MAX_REDIALS))
    return int(most), list(config.get("retryIntervals") or [])


def retry_interval(intervals: list[int], redial: int) -> int:
    """Seconds to wait before the `redial`-th redial (from 0); the last interval repeats."""
    if not intervals:
        return DEFAULT_RETRY_SECONDS
    return intervals[min(redial, len(intervals) - 1)]


@dataclass(frozen=True)
class Window:
    """A campaign's daily calling window, in its time zone; `start == end` means all day."""

    zone: ZoneInfo
    start: int  # minutes after midnight
    end: int

    def contains(self, local: datetime) -> bool:
        minute = local.hour * 60 + local.minute
        if self.start == self.end:
            return True
        if self.start < self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end

    def next_open(self, stamp: float) -> float:
        """The first whole minute at or after `stamp` inside the window."""
        local = datetime.fromtimestamp(stamp, self.zone)
        if self.contains(local):
            return stamp
        day = local.replace(hour=self.start // 60, minute=self.start % 60, second=0, microsecond=0)
        if day <= local:
            day = (day + timedelta(days=1)).replace(hour=self.start // 60, minute=self.start % 60)
        return day.astimezone(UTC).timestamp()


def window_of(campaign: Record) -> Window | None:
    start, end = campaign.get("campaignStartTime"), campaign.get("campaignEndTime")
    if not start or not end:
        return None
    try:
        zone = ZoneInfo(start["timeZone"])
    except (ZoneInfoNotFoundError, ValueError, OSError):
        zone = ZoneInfo("UTC")
    return Window(zone, start["hour"] * 60 + start["minute"], end["hour"] * 60 + end["minute"])


@dataclass(eq=False)
class Active:
    """A call on the line: its planned outcome and the times it connects (answered, voicemail) and ends."""

    call: Record
    outcome: str
    connect_at: float | None
    end_at: float
    order: int

    @property
    def next_change(self) -> float:
        return self.connect_at if self.connect_at is not None else self.end_at


@dataclass(eq=False)
class Run:
    """One campaign's dialer, rebuilt from its records whenever a rule changes them."""

    campaign: Record
    cursor: float  # how far this campaign has been simulated
    pending: deque[str] = field(default_factory=deque)  # contacts never called, in dialling order
    queued: list[tuple[float, int, Record]] = field(default_factory=list)  # heap of (due, order, call)
    active: list[Active] = field(default_factory=list)
    window: Window | None = None
    opens_at: float = -_NEVER  # fixed-date campaigns: first and last moment calls may be placed
    closes_at: float = _NEVER
    start_at: float | None = None  # a scheduled campaign's start
    end_at: float | None = None  # when a running campaign completes, whatever is left
    next_event: float = _NEVER

    def open_at(self, stamp: float) -> float:
        """The first moment at or after `stamp` when this campaign may place a call."""
        stamp = max(stamp, self.opens_at)
        if stamp >= self.closes_at:
            return _NEVER
        if self.window is not None:
            stamp = self.window.next_open(stamp)
        return stamp if stamp < self.closes_at else _NEVER

    def remaining(self) -> int:
        return len(self.pending) + len(self.queued) + len(self.active)


class Dialer:
    """Every campaign's run, and the loop that moves them on in time order."""

    def __init__(self, state: VoiceGenieState) -> None:
        # Weakly: the state owns this object, and a reference back would make a cycle, which keeps a reset or
        # removed session's records in memory until the next full garbage collection (minutes, under load).
        self.state: VoiceGenieState = weakref.proxy(state)
        self.runs: dict[str, Run] = {}
        self.next_event = _NEVER
        self.seen = -_NEVER  # the latest clock reading advanced to
        self._order = 0

    # -- building -----------------------------------------------------------------------------------
    def rebuild(self, campaign: Record, now: float, chance: Chance) -> Run | None:
        """Rebuild a campaign's run from its records (after a rule changed them), simulated from `now` on."""
        self.runs.pop(campaign["id"], None)
        if campaign["isDeleted"]:
            self._refresh()
            return None
        cursor = whole(now)  # every event before `now` is done already (or the clock was moved back)
        run = Run(campaign, cursor)
        state = self.state
        excluded = set(campaign["excluded_contact_ids"])
        called: set[str] = set()
        for call in state.calls_of(campaign["id"]):
            if call["contact_id"]:
                called.add(call["contact_id"])
            status = call["status"]
            if status == QUEUED:
                due = epoch(call["scheduled_at"]) if call["scheduled_at"] else cursor
                heapq.heappush(run.queued, (due, self._next_order(), call))
            elif status in ACTIVE:
                run.active.append(self._planned(call, campaign["id"], chance, cursor))
        run.pending.extend(
            c for c in campaign["contact_ids"] if c not in excluded and c not in called and c in state.contacts
        )
        run.window = window_of(campaign)
        if campaign.get("campaignType") == "fixed-date":
            if campaign.get("campaignStartDate"):
                run.opens_at = epoch(campaign["campaignStartDate"])
            if campaign.get("campaignEndDate"):
                run.closes_at = epoch(campaign["campaignEndDate"])
        if campaign["campaign_status"] == SCHEDULED and campaign["campaign_start_time"]:
            run.start_at = max(epoch(campaign["campaign_start_time"]), cursor)
        ends = [run.closes_at] if run.closes_at < _NEVER else []
        if campaign["campaign_end_time"]:
            ends.append(epoch(campaign["campaign_end_time"]))
        run.end_at = max(min(ends), cursor) if ends else None
        run.next_event = self._next_event(run)
        self.runs[campaign["id"]] = run
        self._refresh()
        return run

    def _planned(self, call: Record, campaign_id: str, chance: Chance, cursor: float) -> Active:
        outcome, length = plan(chance, campaign_id, contact_key(call), call["attempt"])
        started = epoch(call["started_at"]) if call["started_at"] else cursor
        connect = started + RING_SECONDS if outcome in REACHED and call["status"] == INITIATED else None
        end = max(started + length, cursor)  # a seeded call that should have ended already ends now
        return Active(call, outcome, None if connect is None else max(connect, cursor), end, self._next_order())

    def _next_order(self) -> int:
        self._order += 1
        return self._order

    def _refresh(self) -> None:
        self.next_event = min((run.next_event for run in self.runs.values()), default=_NEVER)

    # -- moving on ----------------------------------------------------------------------------------
    def advance(self, now: float, ids: IdFactory, chance: Chance) -> None:
        """Do everything due up to `now`, in time order across campaigns (ties in campaign order)."""
        if now < self.seen:
            # The clock was moved back: the campaigns go on from the new reading.
            for campaign in list(self.state.campaigns):
                self.rebuild(campaign, now, chance)
        self.seen = now
        if now < self.next_event:
            return
        runs = self.runs
        while runs:
            run = min(runs.values(), key=lambda r: r.next_event)
            if run.next_event > now:
                break
            self._step(run, run.next_event, ids, chance)
        self._refresh()

    def _step(self, run: Run, at: float, ids: IdFactory, chance: Chance) -> None:
        run.cursor = at
        campaign = run.campaign
        changed = False
        due = sorted((a for a in run.active if a.next_change <= at), key=lambda a: (a.next_change, a.order))
        for active in due:
            if active.connect_at is not None and active.connect_at <= at:
                active.call["status"] = IN_PROGRESS
                active.connect_at = None
                changed = True
            if active.end_at <= at:
                self._end(run, active, ids)
                changed = True
        if campaign["campaign_status"] == SCHEDULED and run.start_at is not None and run.start_at <= at:
            campaign["campaign_status"] = RUNNING
            campaign["started_at"] = campaign["updated_at"] = iso(run.start_at)
            run.start_at = None
            changed = True
        if campaign["campaign_status"] == RUNNING:
            if run.end_at is not None and run.end_at <= at:
                self._complete(run, at)
                changed = True
            elif run.open_at(at) == at:
                changed = self._dial_free_lines(run, at, ids, chance) or changed
            if campaign["campaign_status"] == RUNNING and not run.remaining():
                self._complete(run, at)
                changed = True
        run.next_event = self._next_event(run)
        if not changed and run.next_event <= at:
            run.next_event = _NEVER  # nothing can move: wait for a rule to rebuild the run

    def _next_event(self, run: Run) -> float:
        times = [a.next_change for a in run.active]
        status = run.campaign["campaign_status"]
        if status == SCHEDULED and run.start_at is not None:
            times.append(run.start_at)
        if status == RUNNING:
            if run.end_at is not None:
                times.append(run.end_at)
            if len(run.active) < LINES and (run.pending or run.queued):
                ready = run.cursor if run.pending else max(run.queued[0][0], run.cursor)
                times.append(run.open_at(ready))
            if not run.remaining():
                times.append(run.cursor)
        return max(min(times, default=_NEVER), run.cursor)

    def _dial_free_lines(self, run: Run, at: float, ids: IdFactory, chance: Chance) -> bool:
        placed = False
        while len(run.active) < LINES:
            if run.queued and run.queued[0][0] <= at:
                call = heapq.heappop(run.queued)[2]
            elif run.pending:
                contact = self.state.contacts[run.pending.popleft()]
                call = self.state.add_call(ids, run.campaign, contact=contact, status=QUEUED)
            else:
                break
            self.place(run, call, at, chance)
            placed = True
        return placed

    def place(self, run: Run, call: Record, at: float, chance: Chance) -> None:
        """Put a call on the line at `at` (whole seconds)."""
        call["status"] = INITIATED
        call["started_at"] = iso(at)
        call["scheduled_at"] = None
        outcome, length = plan(chance, run.campaign["id"], contact_key(call), call["attempt"])
        connect = at + RING_SECONDS if outcome in REACHED else None
        run.active.append(Active(call, outcome, connect, at + length, self._next_order()))

    def place_direct(self, campaign: Record, calls: Iterable[Record], now: float, chance: Chance) -> None:
        """Calls placed without a contact (initiateCall, batch calls): on the line at once, whatever the state."""
        run = self.runs[campaign["id"]]
        at = max(whole(now), run.cursor)
        for call in calls:
            self.place(run, call, at, chance)
        run.next_event = self._next_event(run)
        self._refresh()

    def _end(self, run: Run, active: Active, ids: IdFactory) -> None:
        call, campaign = active.call, run.campaign
        run.active.remove(active)
        call["status"] = active.outcome
        call["ended_at"] = iso(active.end_at)
        call["duration"] = max(0, round(active.end_at - epoch(call["started_at"])))
        if active.outcome in REACHED and self.state.records_calls(campaign):
            call["recording_url"] = f"{RECORDING_BASE}/{campaign['id']}/{call['id']}.mp3"
        most, intervals = redial_limits(campaign)
        redial = call["attempt"] - 1
        if active.outcome in UNREACHED and redial < most:
            due = active.end_at + retry_interval(intervals, redial)
            again = self.state.add_call(ids, campaign, like=call, status=QUEUED, scheduled_at=iso(due))
            heapq.heappush(run.queued, (due, self._next_order(), again))

    def _complete(self, run: Run, at: float) -> None:
        campaign = run.campaign
        campaign["campaign_status"] = COMPLETED
        campaign["completed_at"] = campaign["updated_at"] = iso(at)

    # -- reading ------------------------------------------------------------------------------------
    def estimated_completion(self, campaign: Record, now: float) -> float:
        """When the campaign should be done: its calls in progress, then rounds of `LINES` calls of the expected
        length for what is left (queued calls not before they are due)."""
        run = self.runs.get(campaign["id"])
        if run is None:
            return now
        start = max([now, *(a.end_at for a in run.active)])
        left = len(run.pending) + len(run.queued)
        estimate = start + math.ceil(left / LINES) * EXPECTED_CALL_SECONDS
        if run.queued:
            estimate = max(estimate, max(due for due, _, _ in run.queued) + EXPECTED_CALL_SECONDS)
        return estimate

    def active_calls(self, campaign: Record) -> int:
        run = self.runs.get(campaign["id"])
        return len(run.active) if run else 0

    def pending_contacts(self, campaign: Record) -> int:
        run = self.runs.get(campaign["id"])
        return len(run.pending) if run else 0
