"""Business-time arithmetic for SLA clocks (pure stdlib: no Django, no ORM).

A :class:`Calendar` is a weekly schedule of wall-clock intervals in an IANA
time zone, minus holidays.  Everything is computed on *spans*: real (UTC)
half-open ranges ``[from, to)`` of working time, generated one local day at
a time, so adding 400 business hours walks ~70 days, never minute by minute.

Rules (they are what the tests pin down):

* Every datetime going in must be timezone-aware (``ValueError("naive
  datetime")`` otherwise); every datetime coming out is in ``timezone.utc``.
* An interval belongs to the local day it STARTS on.  ``end <= start`` means
  it ends on the next day (``end == start`` is a 24-hour wall-clock shift).
  A holiday drops the intervals starting that day only, so an overnight shift
  that starts the evening before a holiday still counts in full.
* Wall time -> instant: ambiguous wall times (autumn fall-back) resolve to
  their FIRST occurrence (``fold=0``), for starts and ends alike; wall times
  that do not exist (spring-forward gap) move forward to the first instant
  that exists, i.e. the transition itself.  Hence in Europe/Warsaw a 00:00-06:00
  interval lasts 5 real hours on 2026-03-29 and 7 on 2026-10-25, and an
  interval lying entirely inside the gap (02:15-02:45 that day) is empty.
* Overlapping or touching spans are merged, so nothing is counted twice.
  (``add_business_time`` consumes them cut at local midnights, so a calendar
  with no closed time at all behaves exactly like 24x7.)
* ``add_business_time`` lands exactly on a span's end when the duration runs
  out there (Friday 09:00 + 8h = Friday 17:00, not Monday 09:00); only a
  zero duration snaps forward to the next working instant.
* Pauses are subtracted as a union (they may overlap).  ``(since, None)`` is a
  pause until further notice: if time is still owed when it begins,
  ``add_business_time`` raises :class:`ClockPaused`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "Interval", "Calendar", "NoWorkingTime", "ClockPaused", "working_spans",
    "add_business_time", "business_time_between", "next_working_instant",
]

UTC = timezone.utc
# Stands in for "no end" (open pauses, a 24x7 calendar).  Only ever compared
# with or subtracted from, never added to, so it cannot overflow.
_FOREVER = datetime.max.replace(tzinfo=UTC)
# "Everything is holidays for > 3 years ahead" -> give up instead of looping.
_MAX_IDLE_DAYS = 3 * 366
_DAY = timedelta(days=1)

Span = tuple[datetime, datetime]


class NoWorkingTime(ValueError):
    """The calendar never has working time (no intervals, or only holidays)."""


class ClockPaused(Exception):
    """Time is still owed when an open-ended pause begins: no deadline exists."""


@dataclass(frozen=True)
class Interval:
    """One weekly working interval in the calendar's local (wall-clock) time."""

    weekday: int  # 0=Monday .. 6=Sunday: the day the interval STARTS
    start: time
    end: time  # end <= start: ends next day at `end` (end == start: 24h)

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, got {self.weekday}")


@dataclass(frozen=True)
class Calendar:
    """Weekly schedule + holidays in `tz`; `always_open` means 24x7 and
    ignores everything else."""

    tz: str
    intervals: tuple[Interval, ...] = ()
    holidays: frozenset[date] = frozenset()
    always_open: bool = False

    @classmethod
    def twenty_four_seven(cls) -> "Calendar":
        return cls(tz="UTC", always_open=True)


# --------------------------------------------------------------------------
# wall time -> UTC


def _aware_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("naive datetime")
    return dt.astimezone(UTC)


@lru_cache(maxsize=4096)  # the same few dates/times recur across SLA queries
def _local_to_utc(tz_name: str, day: date, wall: time) -> datetime:
    """First instant whose local wall clock reads `wall` on `day`, or, when
    that wall time falls in a spring-forward gap, the end of the gap."""
    tz = ZoneInfo(tz_name)
    naive = datetime.combine(day, wall.replace(tzinfo=None, fold=0))
    utc = naive.replace(tzinfo=tz).astimezone(UTC)  # fold=0: first occurrence
    if utc.astimezone(tz).replace(tzinfo=None) == naive:
        return utc
    # In the gap fold=0 applies the pre-gap offset, which lands *after* the
    # transition, and fold=1 the post-gap offset, which lands *before* it.
    # zoneinfo does not expose transitions, so bisect (whole seconds) for the
    # first instant carrying the post-gap offset.
    after = utc.astimezone(tz).utcoffset()
    lo = math.floor(naive.replace(tzinfo=tz, fold=1).timestamp())  # before the transition
    hi = math.ceil(utc.timestamp())  # after it
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


# --------------------------------------------------------------------------
# span generation


def _day_spans(cal: Calendar, by_weekday: list[list[Interval]], day: date) -> list[Span]:
    """Real spans of the intervals starting on local `day`, sorted."""
    if day in cal.holidays:
        return []
    spans = []
    for iv in by_weekday[day.weekday()]:
        end_day = day + _DAY if iv.end <= iv.start else day
        s = _local_to_utc(cal.tz, day, iv.start)
        e = _local_to_utc(cal.tz, end_day, iv.end)
        if s < e:  # empty when both ends fall in the same DST gap
            spans.append((s, e))
    spans.sort()
    return spans


def _merged_spans(cal: Calendar, start: datetime, until: datetime | None) -> Iterator[Span]:
    """Merged working spans that end after `start`, in order, stopping at
    `until` (unclipped).  Unbounded (`until` None) and idle for more than
    three years -> NoWorkingTime rather than an endless loop."""
    if cal.always_open:
        yield start, _FOREVER
        return
    by_weekday: list[list[Interval]] = [[] for _ in range(7)]
    for iv in cal.intervals:
        by_weekday[iv.weekday].append(iv)
    tz = ZoneInfo(cal.tz)
    # Start a day early: yesterday's overnight shift may still be running.
    day = start.astimezone(tz).date() - _DAY
    day_start = _local_to_utc(cal.tz, day, time())
    current: list[datetime] | None = None  # span being merged, [from, to]
    idle = 0
    while until is None or day_start < until:
        spans = _day_spans(cal, by_weekday, day)
        for s, e in spans:
            if current is not None and s <= current[1]:
                current[1] = max(current[1], e)
                continue
            if current is not None and current[1] > start:
                yield current[0], current[1]
            current = [s, e]
        day += _DAY
        # Wall -> UTC is monotonic, so nothing later starts before the next
        # local midnight: a span ending earlier can no longer grow.
        day_start = _local_to_utc(cal.tz, day, time())
        if current is not None and current[1] < day_start:
            if current[1] > start:
                yield current[0], current[1]
            current = None
        elif current is not None and until is None:
            # Unbounded (adding time): a span still running at local midnight is
            # handed out up to midnight, so a calendar with no closed time (24-hour
            # intervals every day) is consumed day by day, exactly like 24x7,
            # instead of merging forever. Sums are unchanged by the cut.
            if day_start > start:
                yield current[0], day_start
            current = [day_start, current[1]] if current[1] > day_start else None
        idle = 0 if spans else idle + 1
        if until is None and idle > _MAX_IDLE_DAYS:
            raise NoWorkingTime("no working time within three years")
    if current is not None and current[1] > start:
        yield current[0], current[1]


def _clipped(cal: Calendar, start: datetime, until: datetime | None) -> Iterator[Span]:
    """Merged spans cut to [start, until); never empty (until <= start: none)."""
    for s, e in _merged_spans(cal, start, until):
        s = max(s, start)
        if until is not None:
            if s >= until:
                return
            e = min(e, until)
        yield s, e


def _pause_union(pauses: Iterable[tuple[datetime, datetime | None]]) -> list[Span]:
    """Sorted, merged pause spans; an open pause ends at _FOREVER."""
    spans = []
    for since, till in pauses:
        s = _aware_utc(since)
        e = _FOREVER if till is None else _aware_utc(till)
        if s < e:  # a pause that ends before it starts pauses nothing
            spans.append((s, e))
    spans.sort()
    merged: list[list[datetime]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def _unpaused(spans: Iterable[Span], paused: list[Span]) -> Iterator[Span]:
    """`spans` minus `paused` (both sorted and disjoint)."""
    i = 0
    for s, e in spans:
        while i < len(paused) and paused[i][1] <= s:
            i += 1  # pauses over before this span are over for later ones too
        j = i
        while s < e:
            if j < len(paused) and paused[j][0] < e:
                if paused[j][0] > s:
                    yield s, paused[j][0]
                s = max(s, paused[j][1])
                j += 1
            else:
                yield s, e
                break


# --------------------------------------------------------------------------
# public API


def working_spans(cal: Calendar, start: datetime, end: datetime) -> Iterator[Span]:
    """Yield the aware-UTC working spans intersecting [start, end), clipped to
    it, in order, merged where adjacent/overlapping.  A calendar without
    intervals simply yields nothing."""
    start, end = _aware_utc(start), _aware_utc(end)
    if end <= start or not (cal.always_open or cal.intervals):
        return iter(())
    return _clipped(cal, start, end)


def add_business_time(
    cal: Calendar,
    start: datetime,
    duration: timedelta,
    pauses: Sequence[tuple[datetime, datetime | None]] = (),
) -> datetime:
    """The instant at which `duration` of business time has elapsed after
    `start`, not counting time inside `pauses`.

    A zero duration gives the first working, unpaused instant >= start.
    Raises NoWorkingTime if the calendar never works, ClockPaused if time is
    still owed when an open pause ``(since, None)`` begins, ValueError for a
    negative duration or a naive datetime.
    """
    start = _aware_utc(start)
    if duration < timedelta(0):
        raise ValueError("negative duration")
    if not (cal.always_open or cal.intervals):
        raise NoWorkingTime("calendar has no working intervals")
    paused = _pause_union(pauses)
    # Past the start of an open pause no time is ever counted: stop there.
    stop = paused[-1][0] if paused and paused[-1][1] == _FOREVER else None
    remaining = duration
    for s, e in _unpaused(_clipped(cal, start, stop), paused):
        if e - s >= remaining:
            return s + remaining
        remaining -= e - s
    raise ClockPaused(f"clock paused since {stop.isoformat()} with {remaining} still owed")


def business_time_between(
    cal: Calendar,
    start: datetime,
    end: datetime,
    pauses: Sequence[tuple[datetime, datetime | None]] = (),
) -> timedelta:
    """Business time within [start, end) minus the union of paused spans.
    Zero if end <= start (and for a calendar with no intervals)."""
    paused = _pause_union(pauses)
    total = timedelta(0)
    for s, e in _unpaused(working_spans(cal, start, end), paused):
        total += e - s
    return total


def next_working_instant(cal: Calendar, at: datetime) -> datetime:
    """The first working instant >= `at` (`at` itself, in UTC, if working)."""
    return add_business_time(cal, at, timedelta(0))
