"""Business time in O(log n): cumulative business minutes per calendar, searched by bisection.

``sla.businesstime`` walks a calendar day by day, so "overdue by …" for a ticket three
months late walks three months. Here a calendar's merged working spans over a range of
years are computed once (by ``businesstime.working_spans`` itself, so the rules are the
same: holidays, overnight shifts, DST) and stored as sorted arrays of span starts, ends
and the business time worked before each span. Then

* business time between two instants = cumulative(b) - cumulative(a), two bisections;
* adding business time = one bisection on the cumulative ends.

Both give exactly what ``businesstime`` gives (tested property by property). The range
grows on demand, a year at a time, when an instant falls outside it; indexes are kept per
calendar (a frozen, hashable value) in a small LRU cache per process. Pure stdlib.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from . import businesstime
from .businesstime import Calendar, NoWorkingTime

__all__ = ["business_time_between", "add_business_time", "index_for"]

UTC = timezone.utc
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
# The range an index covers at first: from this many years before the instant asked about
# to this many after; it grows a year at a time beyond that, up to _MAX_YEARS in all.
_YEARS_BEFORE, _YEARS_AFTER, _MAX_YEARS = 2, 2, 60
_CACHE_SIZE = 128


def _us(dt: datetime) -> int:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("naive datetime")
    return (dt - _EPOCH) // _US


def _dt(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _year_start(year: int) -> int:
    return _us(datetime(year, 1, 1, tzinfo=UTC))


class BusinessIndex:
    """Working spans of one calendar within [lo, hi) (microseconds since the epoch, UTC)."""

    def __init__(self, cal: Calendar, first_year: int, last_year: int):
        self.first_year, self.last_year = first_year, last_year
        self.lo, self.hi = _year_start(first_year), _year_start(last_year + 1)
        starts, ends, before = [], [], []
        total = 0
        for s, e in businesstime.working_spans(cal, _dt(self.lo), _dt(self.hi)):
            s_us, e_us = _us(s), _us(e)
            starts.append(s_us)
            ends.append(e_us)
            before.append(total)
            total += e_us - s_us
        self.starts, self.ends, self.before = starts, ends, before
        self.after = [b + (e - s) for s, e, b in zip(starts, ends, before)]  # cumulative at each span's end
        self.total = total

    def covers(self, us: int) -> bool:
        return self.lo <= us <= self.hi

    def cumulative(self, us: int) -> int:
        """Business time worked from ``lo`` up to ``us`` (lo <= us <= hi)."""
        i = bisect_right(self.starts, us) - 1
        if i < 0:
            return 0
        return self.before[i] + min(us, self.ends[i]) - self.starts[i]

    def instant_after(self, start_us: int, duration_us: int) -> int | None:
        """The instant at which ``duration_us`` of business time has elapsed after ``start_us``
        (rules of ``businesstime.add_business_time``); None when it lies beyond ``hi``."""
        target = self.cumulative(start_us) + duration_us
        if duration_us == 0:
            i = bisect_right(self.after, target)  # the first span still running after start
            if i == len(self.starts):
                return None
            return max(start_us, self.starts[i])
        i = bisect_left(self.after, target)  # the first span whose end reaches the target
        if i == len(self.starts):
            return None
        return self.starts[i] + (target - self.before[i])


_cache: OrderedDict[Calendar, BusinessIndex] = OrderedDict()
_lock = threading.Lock()


def index_for(cal: Calendar, *instants_us: int) -> BusinessIndex | None:
    """The calendar's index covering every instant given (built or grown as needed); None
    when they span more than _MAX_YEARS (the caller then falls back to the day walk)."""
    years = [_dt(us).year for us in instants_us]
    with _lock:
        index = _cache.get(cal)
        if index is not None:
            _cache.move_to_end(cal)
            if all(index.covers(us) for us in instants_us):
                return index
            first, last = min(index.first_year, *years) - 1, max(index.last_year, *years) + 1
        else:
            first, last = min(years) - _YEARS_BEFORE, max(years) + _YEARS_AFTER
    if last - first > _MAX_YEARS:
        return None
    index = BusinessIndex(cal, first, last)
    with _lock:
        _cache[cal] = index
        _cache.move_to_end(cal)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return index


def _merged(pauses, start_us, end_us):
    """Pauses as merged [from, to) microsecond spans clipped to [start_us, end_us)."""
    spans = sorted(
        (max(_us(since), start_us), end_us if till is None else min(_us(till), end_us)) for since, till in pauses
    )
    merged: list[list[int]] = []
    for s, e in spans:
        if s >= e:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return merged


def business_time_between(
    cal: Calendar, start: datetime, end: datetime, pauses: Sequence[tuple[datetime, datetime | None]] = ()
) -> timedelta:
    """Same result as ``businesstime.business_time_between``, in O(log n + pauses)."""
    a, b = _us(start), _us(end)
    if b <= a or not (cal.always_open or cal.intervals):
        return timedelta(0)
    if cal.always_open:
        worked = b - a - sum(e - s for s, e in _merged(pauses, a, b))
        return timedelta(microseconds=worked)
    index = index_for(cal, a, b)
    if index is None:
        return businesstime.business_time_between(cal, start, end, pauses)
    worked = index.cumulative(b) - index.cumulative(a)
    for s, e in _merged(pauses, a, b):
        worked -= index.cumulative(e) - index.cumulative(s)
    return timedelta(microseconds=worked)


def add_business_time(
    cal: Calendar, start: datetime, duration: timedelta, pauses: Sequence[tuple[datetime, datetime | None]] = ()
) -> datetime:
    """Same result (and errors) as ``businesstime.add_business_time``. Without pauses it is
    one bisection; with pauses (rare: a clock recomputed after waiting) it is the day walk."""
    if pauses:
        return businesstime.add_business_time(cal, start, duration, pauses)
    a = _us(start)
    if duration < timedelta(0):
        raise ValueError("negative duration")
    if not (cal.always_open or cal.intervals):
        raise NoWorkingTime("calendar has no working intervals")
    if cal.always_open:
        return _dt(a + duration // _US)
    index = index_for(cal, a)
    while index is not None:
        found = index.instant_after(a, duration // _US)
        if found is not None:
            return _dt(found)
        # Beyond the range: grow it by the years the duration could still need.
        index = index_for(cal, a, index.hi + max(duration // _US, 366 * 86_400_000_000))
        if index is not None and index.total == 0:
            break
    return businesstime.add_business_time(cal, start, duration)

