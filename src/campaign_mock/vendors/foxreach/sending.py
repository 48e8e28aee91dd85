"""How FoxReach campaigns send over time, on the session's mock clock.

An active campaign sends each of its leads the sequence steps in order: step 1 as soon as it may (the first
step's delay counts from nothing, so it is not waited for), step N+1 `delayDays` days and `delayHours` hours after
step N went out. A send goes out only

- inside the campaign's sending window (its days and hours, in its time zone: `window.py`);
- while the campaign has sent fewer than its `dailyLimit` on its own calendar day;
- from an assigned, active mailbox that has sent fewer than its own `dailyLimit` on the UTC day (the one with
  the fewest sends today goes first, ties in `accountIds` order);
- evenly paced: one send every `window length / dailyLimit` seconds (at least one second apart), counted from
  the campaign's previous send or from when it was last started, resumed or changed, so a campaign that was
  just started sends its first email one interval later.

Leads that bounced or unsubscribed get nothing more; a lead who replied in the campaign gets no step marked
`sendOnlyIfNoReply` (the default). When every lead of an active campaign with leads has finished (all steps
sent, or stopped), the campaign is `completed` at that moment. A paused campaign sends nothing; mail it already
sent is still opened, replied to and bounced (what recipients do does not wait for the sender).

Each send is recorded as an `email_sent` entry of the lead's activity (its id is the email log id `cel_…`,
`fromEmail` the mailbox), updates `lastContactedAt`, the campaign's and the mailbox's `sentToday`, the campaign's
totals and its `dailyStats` (dated in the campaign's time zone). What then happens to the email comes from
`outcomes.py`; a reply lands in the inbox as a thread (the sent email, then the reply), marks the lead `replied`,
and a bounce marks it `bounced`.

Everything due up to the clock happens in `advance`, in time order (ties: bounces, opens, replies, then sends;
then by campaign id), from one heap of due events, however far the clock jumped: one jump gives the same records,
ids and events as many small ones. The plan of each campaign is worked out again from the records whenever a rule
changes them (and when the state is loaded, taken as it is at the clock's reading: nothing before it is
replayed), so an exported state carries everything needed to go on.
"""

from __future__ import annotations

import heapq
import time
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ...engine.vendor import StateContext
from . import events
from .compose import body_of, subject_of
from .outcomes import BOUNCE_TYPE, REPLY_TEXT, Fate, Rates, fate
from .records import Activity, Campaign, DailyStat, EmailAccount, InboxReply, Lead, SequenceStep
from .window import MAILBOX_ZONE, DayCount, SendingWindow, day_of, next_midnight

if TYPE_CHECKING:
    from .state import FoxReachState

_BOUNCE, _OPEN, _REPLY, _SEND = 0, 1, 2, 3  # what happens first within one second
_STOPPED = frozenset({"bounced", "unsubscribed"})
_PREVIEW = 120


def epoch(naive_text: str) -> int:
    return int(datetime.fromisoformat(naive_text).replace(tzinfo=UTC).timestamp())


def naive_at(stamp: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamp))


def step_delay(step: SequenceStep) -> int:
    return step["delayDays"] * 86400 + step["delayHours"] * 3600


@dataclass(eq=False)
class Plan:
    """One campaign's sending, worked out from its records."""

    campaign: Campaign
    window: SendingWindow
    gap: int  # seconds between two sends
    today: DayCount  # the campaign's sentToday
    anchor: int  # the next send is not before anchor + gap
    due: list[tuple[int, int, str, int]] = field(default_factory=list)  # heap: (due, position, lead id, step index)
    pending: dict[str, int] = field(default_factory=dict)  # unfinished lead -> index of its next step
    replied: set[str] = field(default_factory=set)  # leads who replied in this campaign
    stats: dict[str, DailyStat] = field(default_factory=dict)  # dailyStats by date
    positions: dict[str, int] = field(default_factory=dict)  # lead id -> place in leadIds (ties in the queue)
    mailboxes: list[tuple[EmailAccount, DayCount]] = field(default_factory=list)  # assigned, active, limit > 0
    turn: int = 0  # the mailbox whose turn it is (the one after the last sender)
    tick: int = -1  # the order number of the campaign's one live send event
    # Caches: the window opening `at` falls in, and the calendar day (with its dailyStats entry) it falls on.
    open_from: int = 0
    open_until: int = 0
    day_from: int = 0
    day_until: int = 0
    day: DailyStat | None = None


@dataclass(eq=False, slots=True)
class Sent:
    """An email whose fate is still to come: what its outcome events need."""

    lead: Lead
    activity: Activity
    fate: Fate


Event = tuple[int, int, str, str, int, int, Any]  # (at, kind, campaign id, lead id, step, order, payload)


class Sender:
    """Every campaign's plan, and the heap of due events that moves them on."""

    def __init__(self, state: FoxReachState) -> None:
        # Weakly: the state owns this object, and a reference back would make a cycle, which keeps a reset or
        # removed session's records in memory until the next full garbage collection (minutes, under load).
        self.state: FoxReachState = weakref.proxy(state)
        self.cursor = 0  # everything up to this second is done
        self.plans: dict[str, Plan] = {}
        self.events: list[Event] = []
        self.mailboxes: dict[str, DayCount] = {}
        self.replied_emails: set[str] = set()  # email log ids that have a reply in the inbox
        self.stale: dict[str, bool] = {}  # campaign id -> may it complete at once (False: loaded as it is)
        self.reload = True  # work everything out again from the records (load, clock moved back)
        self.next_roll = 0  # the earliest moment a daily counter turns over
        self.rates = Rates.of(state.simulation)
        self._leads: dict[str, Lead] | None = None
        self._order = 0

    # -- what the rules tell it ---------------------------------------------------------------------
    def load(self, now: datetime) -> None:
        """The records were just built at `now`: take them as they are."""
        self.cursor = int(now.timestamp())
        self.reload = True

    def changed(self, campaign_id: str) -> None:
        """A rule changed something the campaign's sending depends on (at the current cursor)."""
        self.stale.setdefault(campaign_id, True)

    def leads_changed(self) -> None:
        self._leads = None

    # -- moving on ----------------------------------------------------------------------------------
    def advance(self, ctx: StateContext) -> None:
        now = int(ctx.stamp)
        if now < self.cursor:  # the clock moved back: go on from the new reading
            self.cursor, self.reload = now, True
        if self.reload:
            self._reload(ctx)
        elif self.stale:
            self._rebuild(ctx)
        queue = self.events
        while queue and queue[0][0] <= now:
            at, kind, campaign_id, _, _, order, payload = heapq.heappop(queue)
            plan = self.plans.get(campaign_id)
            if plan is None:
                continue
            if kind == _SEND:
                if order == plan.tick:
                    self._send_due(plan, at, ctx)
            else:
                self._befall(plan, kind, at, payload, ctx)
        if now >= self.next_roll:
            self._roll(now)
        self.cursor = now

    def _push(self, at: int, kind: int, campaign_id: str, lead_id: str, step: int, payload: Any) -> int:
        self._order += 1
        heapq.heappush(self.events, (at, kind, campaign_id, lead_id, step, self._order, payload))
        return self._order

    def _roll(self, now: int) -> None:
        """Daily counters whose day is over go back to 0 (a send on the new day would do that too)."""
        for plan in self.plans.values():
            if plan.today.roll(now):
                plan.campaign["sentToday"] = 0
        accounts = {a["id"]: a for a in self.state.email_accounts}
        for account_id, counter in self.mailboxes.items():
            if counter.roll(now) and account_id in accounts:
                accounts[account_id]["sentToday"] = 0
        ends = [p.today.ends for p in self.plans.values()] + [c.ends for c in self.mailboxes.values()]
        self.next_roll = min(ends, default=now + 86400)

    # -- plans ----------------------------------------------------------------------------------------
    def _reload(self, ctx: StateContext) -> None:
        self.reload = False
        self.events.clear()
        self.plans.clear()
        self.stale.clear()
        self.mailboxes = {
            a["id"]: DayCount.starting(MAILBOX_ZONE, self.cursor, a["sentToday"]) for a in self.state.email_accounts
        }
        self.replied_emails = {
            m["id"] for r in self.state.inbox for m in r.get("messages") or [] if m["direction"] == "sent"
        }
        self._leads = None
        for campaign in self.state.campaigns:
            self._foresee(self._plan(campaign, may_complete=False, ctx=ctx), ctx)
        self.next_roll = 0

    def _rebuild(self, ctx: StateContext) -> None:
        stale, self.stale = self.stale, {}
        campaigns = {c["id"]: c for c in self.state.campaigns}
        for campaign_id, may_complete in sorted(stale.items()):
            campaign = campaigns.get(campaign_id)
            if campaign is None:
                self.plans.pop(campaign_id, None)
            else:
                self._plan(campaign, may_complete, ctx)
        self.next_roll = 0

    def _lead_index(self) -> dict[str, Lead]:
        if self._leads is None:
            self._leads = {lead["id"]: lead for lead in self.state.leads}
        return self._leads

    def _plan(self, campaign: Campaign, may_complete: bool, ctx: StateContext) -> Plan:
        window = SendingWindow.of(campaign)
        limit = campaign["dailyLimit"]
        gap = max(1, window.seconds // limit) if limit > 0 else 1
        campaign_id = campaign["id"]
        plan = Plan(
            campaign,
            window,
            gap,
            DayCount.starting(window.zone, self.cursor, campaign["sentToday"]),
            epoch(campaign["updatedAt"]),
            stats={s["date"]: s for s in campaign["dailyStats"]},
        )
        self.plans[campaign_id] = plan
        accounts = {a["id"]: a for a in self.state.email_accounts}
        for account_id in campaign["accountIds"]:
            account = accounts.get(account_id)
            if account is not None and account["isActive"] and account["dailyLimit"] > 0:
                plan.mailboxes.append((account, self._mailbox(account)))
        plan.replied = {
            r["leadId"] for r in self.state.inbox if r["campaignId"] == campaign_id and r["leadId"] is not None
        }
        steps = campaign["sequences"]
        leads = self._lead_index()
        latest, last_sender = -1, None  # the campaign's last email: the mailbox after its sender has the turn
        for position, lead_id in enumerate(campaign["leadIds"]):
            plan.positions[lead_id] = position
            lead = leads.get(lead_id)
            if lead is None:
                continue
            sent, last = 0, 0
            for activity in lead["activities"]:
                if activity["campaignId"] == campaign_id and activity["type"] == "email_sent":
                    at = epoch(activity["timestamp"])
                    if at >= latest:
                        latest, last_sender = at, activity.get("fromEmail")
                    plan.anchor = max(plan.anchor, at)
                    if (activity["sequenceStep"] or 0) > sent:
                        sent, last = activity["sequenceStep"] or 0, at
            if sent >= len(steps) or lead["status"] in _STOPPED:
                continue
            if not (lead_id in plan.replied and steps[sent]["sendOnlyIfNoReply"]):
                due = last + step_delay(steps[sent]) if sent else 0
                plan.pending[lead_id] = sent
                heapq.heappush(plan.due, (due, position, lead_id, sent))
        senders = [account["email"] for account, _ in plan.mailboxes]
        if last_sender in senders:
            plan.turn = (senders.index(last_sender) + 1) % len(senders)
        if campaign["status"] == "active":
            if plan.pending:
                self._next_send(plan, self.cursor)
            elif may_complete and campaign["leadIds"]:
                self._complete(plan, self.cursor, ctx)
        return plan

    def _foresee(self, plan: Plan, ctx: StateContext) -> None:
        """Outcomes of the campaign's mail that are still to come (after the cursor)."""
        campaign_id = plan.campaign["id"]
        leads = self._lead_index()
        for lead_id in plan.campaign["leadIds"]:
            lead = leads.get(lead_id)
            if lead is None:
                continue
            for activity in lead["activities"]:
                if activity["campaignId"] == campaign_id and activity["type"] == "email_sent":
                    step = activity["sequenceStep"] or 0
                    sent_at = epoch(activity["timestamp"])
                    outcome = fate(ctx.chance, self.rates, campaign_id, lead_id, step, sent_at)
                    self._expect(plan, Sent(lead, activity, outcome))

    def _expect(self, plan: Plan, sent: Sent) -> None:
        campaign_id, lead_id, step = plan.campaign["id"], sent.lead["id"], sent.activity["sequenceStep"] or 0
        for kind, at in ((_BOUNCE, sent.fate.bounce_at), (_OPEN, sent.fate.open_at), (_REPLY, sent.fate.reply_at)):
            if at is not None and at > self.cursor:
                self._push(at, kind, campaign_id, lead_id, step, sent)

    # -- sending --------------------------------------------------------------------------------------
    def _next_send(self, plan: Plan, after: int) -> None:
        """Queue the campaign's next send at the first moment from `after` it may go out (none: it waits for a
        rule to change something)."""
        slot = self._slot(plan, after)
        if slot is not None:
            plan.tick = self._push(slot[0], _SEND, plan.campaign["id"], "", 0, None)

    def _mailbox(self, account: EmailAccount) -> DayCount:
        counter = self.mailboxes.get(account["id"])
        if counter is None:
            counter = self.mailboxes[account["id"]] = DayCount.starting(MAILBOX_ZONE, self.cursor, account["sentToday"])
        return counter

    def _slot(self, plan: Plan, after: int) -> tuple[int, int] | None:
        """The first moment from `after` the campaign may send its next email, and the mailbox it goes from (its
        place in `plan.mailboxes`)."""
        if not plan.due or not plan.mailboxes or plan.campaign["dailyLimit"] <= 0:
            return None
        limit = plan.campaign["dailyLimit"]
        at = max(after, plan.anchor + plan.gap, plan.due[0][0])
        for _ in range(32):  # each turn moves to a later day boundary; a week of them covers every case
            if not plan.open_from <= at < plan.open_until:
                opening = plan.window.opening(at)
                if opening is None:
                    return None
                at, plan.open_until = opening
                plan.open_from = at
            if plan.today.at(at) >= limit:
                at = next_midnight(at, plan.window.zone)
                continue
            mailboxes, count = plan.mailboxes, len(plan.mailboxes)
            for offset in range(count):  # mailboxes take turns, skipping those that used up their day
                turn = (plan.turn + offset) % count
                account, counter = mailboxes[turn]
                if counter.at(at) < account["dailyLimit"]:
                    return at, turn
            at = min(counter.ends for _, counter in mailboxes)
        return None

    def _send_due(self, plan: Plan, at: int, ctx: StateContext) -> None:
        campaign = plan.campaign
        if campaign["status"] != "active":
            return
        self._drop_finished(plan, at, ctx)
        slot = self._slot(plan, at)
        if slot is None:
            return
        if slot[0] > at:
            plan.tick = self._push(slot[0], _SEND, campaign["id"], "", 0, None)
            return
        _, _, lead_id, index = heapq.heappop(plan.due)
        plan.turn = (slot[1] + 1) % len(plan.mailboxes)
        self._send(plan, self._lead_index()[lead_id], index, plan.mailboxes[slot[1]][0], at, ctx)
        if campaign["status"] == "active" and plan.due:
            self._next_send(plan, at + plan.gap)

    def _drop_finished(self, plan: Plan, at: int, ctx: StateContext) -> None:
        """Take off the queue the leads that get nothing more (stale entries, stopped or replied leads)."""
        steps, leads = plan.campaign["sequences"], self._lead_index()
        while plan.due:
            _, _, lead_id, index = plan.due[0]
            if plan.pending.get(lead_id) != index:
                heapq.heappop(plan.due)
                continue
            lead = leads.get(lead_id)
            stopped = lead is None or lead["status"] in _STOPPED
            if not stopped and not (lead_id in plan.replied and steps[index]["sendOnlyIfNoReply"]):
                return
            heapq.heappop(plan.due)
            self._finish(plan, lead_id, at, ctx)

    def _send(self, plan: Plan, lead: Lead, index: int, account: EmailAccount, at: int, ctx: StateContext) -> None:
        campaign = plan.campaign
        campaign_id, steps = campaign["id"], campaign["sequences"]
        step = steps[index]
        stamp = naive_at(at)
        activity: Activity = {
            "id": ctx.ids.new("cel_"),
            "type": "email_sent",
            "subject": subject_of(steps, index, lead, ctx.chance, campaign_id),
            "bodyPreview": body_of(step, lead, ctx.chance, campaign_id)[:_PREVIEW],
            "status": "sent",
            "campaignId": campaign_id,
            "campaignName": None,
            "sequenceStep": index + 1,
            "emailType": "campaign",
            "openedAt": None,
            "clickedAt": None,
            "category": None,
            "timestamp": stamp,
            "fromEmail": account["email"],
        }
        lead["activities"].append(activity)
        lead["lastContactedAt"] = stamp
        outcome = fate(ctx.chance, self.rates, campaign_id, lead["id"], index + 1, at)
        campaign["totalSent"] += 1
        campaign["sentToday"] = plan.today.add(at)
        account["sentToday"] = self._mailbox(account).add(at)
        day = self._day(plan, at)
        day["sent"] += 1
        if outcome.bounce_at is None:
            campaign["totalDelivered"] += 1
            day["delivered"] += 1
        plan.anchor = at
        data = events.email_data(activity, lead["id"], lead["email"])
        events.emit(ctx.emit, self.state.webhooks, "email.sent", _utc(at), data)
        self._expect(plan, Sent(lead, activity, outcome))
        if index + 1 < len(steps):
            plan.pending[lead["id"]] = index + 1
            due = at + step_delay(steps[index + 1])
            heapq.heappush(plan.due, (due, plan.positions[lead["id"]], lead["id"], index + 1))
        else:
            self._finish(plan, lead["id"], at, ctx)

    def _finish(self, plan: Plan, lead_id: str, at: int, ctx: StateContext) -> None:
        finished = plan.pending.pop(lead_id, None) is not None
        if finished and not plan.pending and plan.campaign["status"] == "active":
            self._complete(plan, at, ctx)

    def _complete(self, plan: Plan, at: int, ctx: StateContext) -> None:
        campaign = plan.campaign
        campaign["status"] = "completed"
        campaign["completedAt"] = campaign["updatedAt"] = naive_at(at)
        plan.due.clear()
        plan.tick = -1
        events.emit(ctx.emit, self.state.webhooks, "campaign.completed", _utc(at), events.campaign_data(campaign))

    def _day(self, plan: Plan, at: int) -> DailyStat:
        """The campaign's dailyStats entry for the day of `at` (made when the day has its first figure)."""
        if plan.day is not None and plan.day_from <= at < plan.day_until:
            return plan.day
        date, plan.day_from, plan.day_until = day_of(at, plan.window.zone)
        day = plan.stats.get(date)
        if day is None:
            day = plan.stats[date] = {"date": date, "sent": 0, "delivered": 0, "bounced": 0, "replied": 0, "opened": 0}
            plan.campaign["dailyStats"].append(day)
        plan.day = day
        return day

    # -- what recipients do ---------------------------------------------------------------------------
    def _befall(self, plan: Plan, kind: int, at: int, sent: Sent, ctx: StateContext) -> None:
        lead, activity = sent.lead, sent.activity
        if self._lead_index().get(lead["id"]) is not lead:
            return  # the lead was deleted
        if kind == _BOUNCE:
            self._bounce(plan, lead, activity, at, ctx)
        elif kind == _OPEN:
            self._open(plan, lead, activity, at, ctx)
        else:
            self._reply(plan, lead, activity, sent.fate, at, ctx)

    def _bounce(self, plan: Plan, lead: Lead, activity: Activity, at: int, ctx: StateContext) -> None:
        if activity["status"] == "bounced":
            return
        activity["status"] = "bounced"
        plan.campaign["totalBounced"] += 1
        self._day(plan, at)["bounced"] += 1
        if lead["status"] not in _STOPPED:
            lead["status"] = "bounced"
            lead["updatedAt"] = naive_at(at)
        data = {**events.email_data(activity, lead["id"], lead["email"]), "bounceType": BOUNCE_TYPE}
        events.emit(ctx.emit, self.state.webhooks, "email.bounced", _utc(at), data)
        self._finish(plan, lead["id"], at, ctx)

    def _open(self, plan: Plan, lead: Lead, activity: Activity, at: int, ctx: StateContext) -> None:
        if activity["openedAt"] is not None:
            return
        activity["openedAt"] = naive_at(at)
        plan.campaign["totalOpened"] += 1
        self._day(plan, at)["opened"] += 1
        data = events.email_data(activity, lead["id"], lead["email"])
        events.emit(ctx.emit, self.state.webhooks, "email.opened", _utc(at), data)

    def _reply(self, plan: Plan, lead: Lead, activity: Activity, outcome: Fate, at: int, ctx: StateContext) -> None:
        if activity["id"] in self.replied_emails:
            return
        self.replied_emails.add(activity["id"])
        campaign, stamp = plan.campaign, naive_at(at)
        mailbox = activity.get("fromEmail")
        account = next((a for a in self.state.email_accounts if a["email"] == mailbox), None)
        text = REPLY_TEXT[outcome.category]
        subject = activity["subject"] if activity["subject"].startswith("Re: ") else f"Re: {activity['subject']}"
        reply: InboxReply = {
            "id": ctx.ids.new("rpl_"),
            "fromEmail": lead["email"],
            "toEmail": mailbox,
            "subject": subject,
            "bodyPreview": text[:_PREVIEW],
            "body": f"<p>{text}</p>",
            "bodyPlain": text,
            "category": outcome.category,
            "isRead": False,
            "isStarred": False,
            "receivedAt": stamp,
            "leadId": lead["id"],
            "campaignId": campaign["id"],
            "accountId": account["id"] if account else None,
            "messages": [
                {
                    "id": activity["id"],
                    "direction": "sent",
                    "fromEmail": mailbox or "",
                    "toEmail": lead["email"],
                    "subject": activity["subject"],
                    "body": activity["bodyPreview"],
                    "category": None,
                    "timestamp": activity["timestamp"],
                },
                {
                    "id": "",  # set below: the reply itself
                    "direction": "received",
                    "fromEmail": lead["email"],
                    "toEmail": mailbox,
                    "subject": subject,
                    "body": text,
                    "category": outcome.category,
                    "timestamp": stamp,
                },
            ],
        }
        reply["messages"][1]["id"] = reply["id"]
        self.state.inbox.append(reply)
        campaign["totalReplied"] += 1
        self._day(plan, at)["replied"] += 1
        if lead["status"] == "active":
            lead["status"] = "replied"
            lead["updatedAt"] = stamp
        plan.replied.add(lead["id"])
        index = plan.pending.get(lead["id"])
        if index is not None and campaign["sequences"][index]["sendOnlyIfNoReply"]:
            self._finish(plan, lead["id"], at, ctx)
        events.emit(ctx.emit, self.state.webhooks, "reply.received", _utc(at), events.reply_data(reply))


def _utc(stamp: int) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)
