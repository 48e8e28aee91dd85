"""Running campaigns over time: what is due next, in time order, however far the clock jumps.

Each enrolled lead of a started campaign gets step 1 when the campaign starts (or when it is enrolled later) and
step N+1 `delayDays` after step N was sent, until it replies, bounces, finishes the sequence or its address is
suppressed. A due step goes out at once if the campaign runs and its sender pool has volume left in the current
window; otherwise it is queued: held while the campaign is paused, or waiting (in the order steps became due) for
the pool's next window. What happens to a sent message (simulation.py) is scheduled at send time.

Everything pending sits in one heap ordered by (instant, kind, campaign, lead, step), packed into one integer so
that the heap compares numbers, not tuples. A catch-up pops what is due up to the clock's reading and nothing else,
so a week in one jump and a week in seven jumps do the same things in the same order, and the cost is the number of
things that happen, not the length of the interval. The heap is never exported: it is rebuilt from the records
(progress, sent messages, pools) when a state is imported.
"""

from __future__ import annotations

import heapq
import math
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from ...engine.events import EventSink, discard
from ...engine.ids import IdFactory
from . import events
from .events import Notifier
from .pools import PoolWindows, seconds, stamp
from .records import Campaign, LeadProgress, LeadReply, SentMessage
from .simulation import THREAD_SNIPPETS, Outcomes

if TYPE_CHECKING:
    from .state import LeadterraState

# What happens first when several things fall on the same instant: a pool's new window, then what became of messages
# already sent (a reply stops a step due at that very instant), then the steps that come due.
REFILL, BOUNCE, OPEN, REPLY, SEND = range(5)

# Field widths of a packed entry, lowest first: step, lead index, campaign (or pool) index, kind; the instant above.
_STEP, _LEAD, _CAMPAIGN, _KIND = 16, 28, 24, 3
_INSTANT_SHIFT = _STEP + _LEAD + _CAMPAIGN + _KIND


def _entry(at: int, kind: int, a: int, b: int, c: int) -> int:
    """(instant, kind, campaign or pool index, lead index, step) as one integer that sorts the same way (also for
    instants before 1970: the fields below the instant are added, never negative)."""
    return (((at << _KIND | kind) << _CAMPAIGN | a) << _LEAD | b) << _STEP | c


def _fields(entry: int) -> tuple[int, int, int, int, int]:
    c = entry & ((1 << _STEP) - 1)
    entry >>= _STEP
    b = entry & ((1 << _LEAD) - 1)
    entry >>= _LEAD
    a = entry & ((1 << _CAMPAIGN) - 1)
    entry >>= _CAMPAIGN
    return entry >> _KIND, entry & ((1 << _KIND) - 1), a, b, c


def delay_of(step: dict[str, object]) -> int:
    days = step.get("delayDays", 0)
    return int(days) * 24 * 3600 if isinstance(days, int) else 0


def new_progress(email: str, due: int) -> LeadProgress:
    return {"email": email, "status": "scheduled", "nextStep": 0, "dueAt": stamp(due), "messages": []}


class Sequencer:
    """The pending work of one workspace, and how each kind of it is done."""

    def __init__(self, state: LeadterraState, pools: PoolWindows, outcomes: Outcomes) -> None:
        # Weakly: the state owns this object, and a reference back would make a cycle, which keeps a reset or
        # removed session's records in memory until the next full garbage collection (minutes, under load).
        self.state: LeadterraState = weakref.proxy(state)
        self.campaigns = state.campaigns
        self.pools = pools
        self.outcomes = outcomes
        self._heap: list[int] = []
        # pool index -> steps waiting for its capacity, packed like the heap's entries (instant: when they came due)
        self._waiting: dict[int, list[int]] = {}
        self._refills: set[tuple[int, int]] = set()  # (pool index, instant) of the refills planned
        # Set for the duration of a run: where new ids and events go.
        self._ids = IdFactory()
        self._notifier = Notifier([], discard)
        # Plain functions, not bound methods: those would refer back to the sequencer (a cycle, as above).
        self._do: dict[int, Callable[[Sequencer, int, int, int, int], None]] = {
            REFILL: Sequencer._refill,
            BOUNCE: Sequencer._bounce,
            OPEN: Sequencer._open,
            REPLY: Sequencer._reply,
            SEND: Sequencer._due,
        }
        self._rebuild()

    # -- entry points ---------------------------------------------------------------------------------
    def run(self, until: float, ids: IdFactory, emit: EventSink) -> None:
        """Do, in time order, everything due up to `until`."""
        heap = self._heap
        beyond = (math.floor(until) + 1) << _INSTANT_SHIFT  # the first entry of the second after `until`
        if not heap or heap[0] >= beyond:
            return
        self._ids, self._notifier = ids, Notifier(self.state.webhooks, emit)
        do = self._do
        while heap and heap[0] < beyond:
            at, kind, a, b, c = _fields(heapq.heappop(heap))
            do[kind](self, at, a, b, c)

    def due_at(self) -> float:
        """The instant of the first thing on the heap (`run` does it once `until` reaches it); inf: nothing."""
        return self._heap[0] >> _INSTANT_SHIFT if self._heap else math.inf

    def schedule(self, cidx: int, lidx: int, due: int) -> None:
        """Put the lead's next step on the heap for `due` (what its progress says)."""
        heapq.heappush(self._heap, _entry(due, SEND, cidx, lidx, self.campaigns[cidx]["progress"][lidx]["nextStep"]))

    def resume(self, cidx: int, at: int) -> int:
        """The campaign runs again: its held steps go out now, in the order they came due, as capacity allows.
        Returns how many there were."""
        progress = self.campaigns[cidx]["progress"]
        held = sorted((seconds(p["dueAt"] or ""), lidx) for lidx, p in enumerate(progress) if p["status"] == "queued")
        for due, lidx in held:
            self._release(cidx, lidx, due, at)
        return len(held)

    # -- what is due ----------------------------------------------------------------------------------
    def _due(self, at: int, cidx: int, lidx: int, step: int) -> None:
        campaign = self.campaigns[cidx]
        progress = campaign["progress"][lidx]
        if progress["status"] != "scheduled" or progress["nextStep"] != step:
            return  # the lead replied, bounced or was dropped since this was planned
        progress["status"] = "queued"
        campaign["stats"]["queued"] += 1
        if campaign["status"] == "running":
            self._release(cidx, lidx, at, at)
        # Paused: held (queued) until the campaign is started again.

    def _release(self, cidx: int, lidx: int, due: int, at: int) -> None:
        """A queued step of a running campaign: sent now if the pool has volume left, else it waits for the pool."""
        campaign = self.campaigns[cidx]
        progress = campaign["progress"][lidx]
        if self.state.is_suppressed(progress["email"]):
            self._drop(campaign, progress)
            return
        pool_index = self.pools.index.get(campaign.get("senderPoolId", ""))
        if pool_index is not None:
            pool = self.pools.refresh(pool_index, at)
            waiting = self._waiting.setdefault(pool_index, [])
            if waiting or pool["remainingVolume"] <= 0:
                heapq.heappush(waiting, _entry(due, SEND, cidx, lidx, progress["nextStep"]))
                self._plan_refill(pool_index, at)
                return
            pool["remainingVolume"] -= 1
        self._send(cidx, lidx, at)

    def _refill(self, at: int, pool_index: int, _b: int, _c: int) -> None:
        """A pool's new window (or volume found for steps waiting): they go out in the order they came due."""
        self._refills.discard((pool_index, at))
        pool = self.pools.refresh(pool_index, at)
        waiting = self._waiting.get(pool_index, [])
        while waiting and pool["remainingVolume"] > 0:
            _, _, cidx, lidx, step = _fields(heapq.heappop(waiting))
            campaign = self.campaigns[cidx]
            progress = campaign["progress"][lidx]
            if progress["status"] != "queued" or progress["nextStep"] != step or campaign["status"] != "running":
                continue  # sent or dropped meanwhile, or held by a pause (a resume brings it back)
            if self.state.is_suppressed(progress["email"]):
                self._drop(campaign, progress)
                continue
            pool["remainingVolume"] -= 1
            self._send(cidx, lidx, at)
        if waiting:
            self._plan_refill(pool_index, at)

    def _plan_refill(self, pool_index: int, at: int) -> None:
        pool = self.pools.pools[pool_index]
        if pool["remainingVolume"] > 0:
            when = at
        elif pool["dailyCapacity"] > 0:
            when = self.pools.window_end(pool_index)
        else:
            return  # a pool without capacity never sends: its queue waits for good
        if (pool_index, when) not in self._refills:
            self._refills.add((pool_index, when))
            heapq.heappush(self._heap, _entry(when, REFILL, pool_index, 0, 0))

    def _drop(self, campaign: Campaign, progress: LeadProgress) -> None:
        """The address is suppressed: the step is not sent, and the lead gets no further step."""
        progress["status"], progress["dueAt"] = "suppressed", None
        campaign["stats"]["queued"] -= 1

    def _send(self, cidx: int, lidx: int, at: int) -> None:
        campaign = self.campaigns[cidx]
        progress = campaign["progress"][lidx]
        stats = campaign["stats"]
        step = progress["nextStep"]
        message: SentMessage = {"id": self._ids.new("msg_", "hex24"), "step": step, "sentAt": stamp(at)}
        progress["messages"].append(message)
        stats["sent"] += 1
        stats["queued"] -= 1
        if self._plan_outcomes(cidx, lidx, message, at):
            stats["delivered"] += 1
        steps = campaign["sequenceSteps"]
        if step + 1 < len(steps):
            due = at + delay_of(steps[step + 1])
            progress["status"], progress["nextStep"], progress["dueAt"] = "scheduled", step + 1, stamp(due)
            heapq.heappush(self._heap, _entry(due, SEND, cidx, lidx, step + 1))
        else:
            progress["status"], progress["nextStep"], progress["dueAt"] = "completed", len(steps), None
        if self._notifier.wants(events.MESSAGE_SENT):
            self._notifier.send(events.MESSAGE_SENT, at, events.message_sent(campaign, progress["email"], message))

    def _plan_outcomes(self, cidx: int, lidx: int, message: SentMessage, sent_at: int) -> bool:
        """Put what is still to happen to a sent message on the heap; whether it is delivered (does not bounce).
        Draws are pure, so a rebuilt state draws its messages' outcomes again and plans those not yet recorded."""
        campaign = self.campaigns[cidx]
        fate = self.outcomes.fate(campaign["id"], campaign["progress"][lidx]["email"], message["step"])
        planned = (
            (BOUNCE, fate.bounce.after if fate.bounce else None, "bouncedAt"),
            (OPEN, fate.opened_after, "openedAt"),
            (REPLY, fate.replied_after, "repliedAt"),
        )
        for kind, after, recorded in planned:
            if after is not None and recorded not in message:
                heapq.heappush(self._heap, _entry(sent_at + after, kind, cidx, lidx, message["step"]))
        return fate.bounce is None

    # -- what becomes of sent messages -----------------------------------------------------------------
    def _bounce(self, at: int, cidx: int, lidx: int, step: int) -> None:
        campaign = self.campaigns[cidx]
        progress = campaign["progress"][lidx]
        message = _message(progress, step)
        if message is None or "bouncedAt" in message:
            return
        message["bouncedAt"] = stamp(at)
        campaign["stats"]["bounced"] += 1
        self._stop(campaign, progress, "bounced")
        bounce = self.outcomes.fate(campaign["id"], progress["email"], step).bounce
        assert bounce is not None
        if bounce.hard:  # Leadterra suppresses hard-bounced addresses by itself
            self.state.suppress([progress["email"]])
        if self._notifier.wants(events.MESSAGE_BOUNCED):
            data = events.message_bounced(campaign, progress["email"], message, bounce.hard, bounce.reason)
            self._notifier.send(events.MESSAGE_BOUNCED, at, data)

    def _open(self, at: int, cidx: int, lidx: int, step: int) -> None:
        campaign = self.campaigns[cidx]
        message = _message(campaign["progress"][lidx], step)
        if message is None or "openedAt" in message:
            return
        message["openedAt"] = stamp(at)
        campaign["stats"]["opened"] += 1

    def _reply(self, at: int, cidx: int, lidx: int, step: int) -> None:
        campaign = self.campaigns[cidx]
        progress = campaign["progress"][lidx]
        message = _message(progress, step)
        if message is None or any("repliedAt" in m for m in progress["messages"]):
            return  # a lead replies once (a later step it got before its reply arrived draws no second one)
        message["repliedAt"] = stamp(at)
        classification = self.outcomes.classification(campaign["id"], progress["email"], step)
        reply: LeadReply = {
            "id": self._ids.new("rpl_", "ulid"),
            "email": progress["email"],
            "campaignId": campaign["id"],
            "classification": classification,
            "receivedAt": message["repliedAt"],
            "threadSnippet": THREAD_SNIPPETS[classification],
        }
        self.state.replies.append(reply)
        campaign["stats"]["replied"] += 1
        self._stop(campaign, progress, "replied")
        if self._notifier.wants(events.REPLY_RECEIVED):
            self._notifier.send(events.REPLY_RECEIVED, at, events.reply_received(campaign, message, reply))

    def _stop(self, campaign: Campaign, progress: LeadProgress, why: str) -> None:
        """The lead gets no further step (a step already due leaves the queue)."""
        if progress["status"] not in ("scheduled", "queued", "completed"):
            return
        if progress["status"] == "queued":
            campaign["stats"]["queued"] -= 1
        progress["status"] = "replied" if why == "replied" else "bounced"
        progress["dueAt"] = None

    # -- rebuilding from records -----------------------------------------------------------------------
    def _rebuild(self) -> None:
        """The heap and the pools' queues for records as they are (a fresh scenario, or an imported export)."""
        for cidx, campaign in enumerate(self.campaigns):
            running = campaign["status"] == "running"
            for lidx, progress in enumerate(campaign["progress"]):
                for message in progress["messages"]:
                    self._plan_outcomes(cidx, lidx, message, seconds(message["sentAt"]))
                if progress["status"] == "scheduled":
                    self.schedule(cidx, lidx, seconds(progress["dueAt"] or ""))
                elif progress["status"] == "queued" and running:
                    due = seconds(progress["dueAt"] or "")
                    pool_index = self.pools.index.get(campaign.get("senderPoolId", ""))
                    if pool_index is None:
                        heapq.heappush(self._heap, _entry(due, SEND, cidx, lidx, progress["nextStep"]))
                        progress["status"] = "scheduled"
                        campaign["stats"]["queued"] -= 1
                    else:
                        waiting = self._waiting.setdefault(pool_index, [])
                        heapq.heappush(waiting, _entry(due, SEND, cidx, lidx, progress["nextStep"]))
        for pool_index, waiting in self._waiting.items():
            if waiting:
                self._plan_refill(pool_index, max(_fields(entry)[0] for entry in waiting))


def _message(progress: LeadProgress, step: int) -> SentMessage | None:
    for message in reversed(progress["messages"]):
        if message["step"] == step:
            return message
    return None
