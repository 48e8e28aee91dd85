"""When FoxReach may send: a campaign's sending window and the days that daily limits count.

A campaign sends on its `sendingDays` (ISO weekdays, 1 = Monday) from `sendingStartHour` up to (not including)
`sendingEndHour`, on the wall clock of its `timezone` (an IANA name; one the mock does not know counts as UTC, so a
campaign never stops because of a typo). Its `dailyLimit` and `sentToday` count the campaign's own calendar day.

A mailbox's `dailyLimit` and `sentToday` count a UTC day: FoxReach documents no time zone for an email account,
and the account has no field that could hold one, so its day turns over at midnight UTC.

Times are whole epoch seconds, the resolution of FoxReach's timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .records import Campaign

_HOUR = 3600


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


MAILBOX_ZONE = ZoneInfo("UTC")


def local_date(stamp: int, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(stamp, zone).date()


def next_midnight(stamp: int, zone: ZoneInfo) -> int:
    """The first moment of the day after the one `stamp` falls on, in `zone`."""
    day = local_date(stamp, zone) + timedelta(days=1)
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())


@dataclass(frozen=True)
class SendingWindow:
    zone: ZoneInfo
    days: frozenset[int]  # ISO weekdays
    start_hour: int
    end_hour: int

    @classmethod
    def of(cls, campaign: Campaign) -> SendingWindow:
        return cls(
            zone_of(campaign["timezone"]),
            frozenset(campaign["sendingDays"]),
            campaign["sendingStartHour"],
            campaign["sendingEndHour"],
        )

    @property
    def seconds(self) -> int:
        """How long the window is open on a sending day."""
        return max(0, self.end_hour - self.start_hour) * _HOUR

    def opening(self, stamp: int) -> tuple[int, int] | None:
        """The first moment at or after `stamp` inside the window, and when that day's window closes (None: the
        window never opens)."""
        if not self.days or self.start_hour >= self.end_hour:
            return None
        local = datetime.fromtimestamp(stamp, self.zone)
        for ahead in range(8):
            day = local.date() + timedelta(days=ahead)
            if day.isoweekday() not in self.days:
                continue
            opens = datetime(day.year, day.month, day.day, self.start_hour, tzinfo=self.zone)
            closes = datetime(day.year, day.month, day.day, self.end_hour, tzinfo=self.zone)
            # Wall-clock hours, so a DST change moves the window with the local clock.
            start, end = int(opens.timestamp()), int(closes.timestamp())
            if stamp < end:
                return max(stamp, start), end
        return None


@dataclass
class DayCount:
    """A daily counter (`sentToday`): how many on the day that ends at `ends`, in `zone`."""

    zone: ZoneInfo
    count: int
    ends: int

    @classmethod
    def starting(cls, zone: ZoneInfo, stamp: int, count: int) -> DayCount:
        return cls(zone, count, next_midnight(stamp, zone))

    def at(self, stamp: int) -> int:
        """The count on the day of `stamp` (0 on a later day)."""
        return self.count if stamp < self.ends else 0

    def add(self, stamp: int) -> int:
        if stamp >= self.ends:
            self.count, self.ends = 0, next_midnight(stamp, self.zone)
        self.count += 1
        return self.count

    def roll(self, stamp: int) -> bool:
        """Turn the day over if `stamp` is past it; True when the count went back to 0."""
        if stamp < self.ends:
            return False
        self.count, self.ends = 0, next_midnight(stamp, self.zone)
        return True


def day_of(stamp: int, zone: ZoneInfo) -> tuple[str, int, int]:
    """The local date of `stamp` (YYYY-MM-DD) and the moments that day starts and ends, in `zone`."""
    day = local_date(stamp, zone)
    start = int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())
    return day.isoformat(), start, next_midnight(stamp, zone)
