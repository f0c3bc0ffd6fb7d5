"""The cumulative index gives exactly what the day walk of businesstime gives."""

from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla import business_index, businesstime
from sla.businesstime import Calendar, Interval, NoWorkingTime

UTC = timezone.utc
ZONES = ["UTC", "Europe/Warsaw", "Europe/Moscow", "America/New_York"]


@st.composite
def calendars(draw):
    if draw(st.integers(0, 9)) == 0:
        return Calendar.twenty_four_seven()
    intervals = tuple(
        Interval(weekday=draw(st.integers(0, 6)), start=time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30]))),
                 end=time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30, 45]))))
        for _ in range(draw(st.integers(1, 6)))
    )
    holidays = frozenset(draw(st.lists(st.dates(date(2025, 1, 1), date(2027, 12, 31)), max_size=30)))
    return Calendar(tz=draw(st.sampled_from(ZONES)), intervals=intervals, holidays=holidays)


instants = st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))


@settings(max_examples=120, deadline=None)
@given(calendars(), instants, instants)
def test_between_equals_the_day_walk(cal, a, b):
    assert business_index.business_time_between(cal, a, b) == businesstime.business_time_between(cal, a, b)


@settings(max_examples=120, deadline=None)
@given(calendars(), instants, st.integers(0, 400 * 60).map(lambda m: timedelta(minutes=m)) | st.just(timedelta(0)))
def test_add_equals_the_day_walk(cal, start, duration):
    try:
        expected = businesstime.add_business_time(cal, start, duration)
    except NoWorkingTime:
        with pytest.raises(NoWorkingTime):
            business_index.add_business_time(cal, start, duration)
        return
    assert business_index.add_business_time(cal, start, duration) == expected


@settings(max_examples=80, deadline=None)
@given(calendars(), instants, instants, st.lists(st.tuples(instants, instants | st.none()), max_size=3))
def test_between_with_pauses_equals_the_day_walk(cal, a, b, pauses):
    assert business_index.business_time_between(cal, a, b, pauses) == businesstime.business_time_between(cal, a, b, pauses)


def office():
    return Calendar(tz="Europe/Moscow", intervals=tuple(Interval(d, time(9), time(18)) for d in range(5)))


def test_overdue_by_months_is_answered_without_walking_the_days(monkeypatch):
    cal = office()
    due, now = datetime(2026, 1, 12, 9, tzinfo=UTC), datetime(2026, 10, 12, 9, tzinfo=UTC)
    expected = businesstime.business_time_between(cal, due, now)
    business_index.business_time_between(cal, due, now)  # builds the index once
    monkeypatch.setattr(businesstime, "_day_spans", lambda *a: pytest.fail("walked the days"))
    assert business_index.business_time_between(cal, due, now) == expected


def test_index_grows_for_instants_outside_its_years():
    cal = office()
    a, b = datetime(2026, 3, 2, 6, tzinfo=UTC), datetime(2041, 3, 2, 6, tzinfo=UTC)
    assert business_index.business_time_between(cal, a, b) == businesstime.business_time_between(cal, a, b)
    late = datetime(2044, 5, 1, tzinfo=UTC)
    assert business_index.add_business_time(cal, late, timedelta(hours=100)) == businesstime.add_business_time(
        cal, late, timedelta(hours=100))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        business_index.business_time_between(office(), datetime(2026, 1, 1), datetime(2026, 1, 2))
