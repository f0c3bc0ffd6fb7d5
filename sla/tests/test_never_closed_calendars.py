"""Rule 12: a calendar with no closed time behaves exactly like 24x7 (pure, no database)."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla.businesstime import Calendar, Interval, add_business_time, business_time_between, working_spans

UTC = timezone.utc
WARSAW = ZoneInfo("Europe/Warsaw")
H = timedelta(hours=1)
TWENTY_FOUR_SEVEN = Calendar.twenty_four_seven()


def every_day(wall, tz="Europe/Warsaw"):
    """A 24-hour interval (end == start) starting at ``wall`` on every day of the week."""
    return Calendar(tz, tuple(Interval(d, wall, wall) for d in range(7)))


def test_midnight_to_midnight_every_day_does_not_crash_and_equals_24x7():
    start = datetime(2026, 3, 2, 10, tzinfo=WARSAW)
    for wall in (time(0), time(9)):
        cal = every_day(wall)
        assert add_business_time(cal, start, 8 * H) == start + 8 * H
        assert add_business_time(cal, start, 400 * H) == add_business_time(TWENTY_FOUR_SEVEN, start, 400 * H)


def test_dst_days_have_23_and_25_business_hours():
    cal = every_day(time(0))
    spring = business_time_between(cal, datetime(2026, 3, 29, tzinfo=WARSAW), datetime(2026, 3, 30, tzinfo=WARSAW))
    autumn = business_time_between(cal, datetime(2026, 10, 25, tzinfo=WARSAW), datetime(2026, 10, 26, tzinfo=WARSAW))
    assert (spring, autumn) == (23 * H, 25 * H)
    assert add_business_time(cal, datetime(2026, 3, 29, tzinfo=WARSAW), 23 * H) == datetime(2026, 3, 30, tzinfo=WARSAW)


def test_bounded_spans_of_a_never_closed_calendar_stay_merged():
    cal = every_day(time(0))
    spans = list(working_spans(cal, datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 12, tzinfo=UTC)))
    assert spans == [(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 12, tzinfo=UTC))]


# Generated calendars: weekly interval sets that cover the whole week (no closed time)
# in different shapes, or arbitrary ones with closed time; both must terminate and agree
# with their own between().
TIMEZONES = ["Europe/Warsaw", "America/New_York", "Europe/Moscow", "UTC"]
ANCHORS = [date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 8), date(2026, 11, 1), date(2026, 6, 30)]
walls = st.builds(time, st.integers(0, 23), st.sampled_from([0, 30]))


@st.composite
def never_closed(draw):
    """Full coverage built three ways: 24-hour shifts from one wall time, two shifts
    that meet (a–b, b–a), or 24-hour shifts plus arbitrary overlapping extras."""
    tz = draw(st.sampled_from(TIMEZONES))
    a, b = draw(walls), draw(walls)
    shape = draw(st.sampled_from(["24h", "two_shifts", "extras"]))
    if shape == "two_shifts" and a != b:
        intervals = [Interval(d, a, b) for d in range(7)] + [Interval(d, b, a) for d in range(7)]
    else:
        intervals = [Interval(d, a, a) for d in range(7)]
        if shape == "extras":
            intervals += draw(st.lists(st.builds(Interval, st.integers(0, 6), walls, walls), max_size=4))
    return Calendar(tz, tuple(draw(st.permutations(intervals))))


@st.composite
def any_calendar(draw):
    if draw(st.booleans()):
        return draw(never_closed())
    tz = draw(st.sampled_from(TIMEZONES))
    return Calendar(tz, tuple(draw(st.lists(st.builds(Interval, st.integers(0, 6), walls, walls), min_size=1, max_size=6))))


starts = st.builds(
    lambda anchor, minutes: datetime.combine(anchor, time(), UTC) + timedelta(minutes=minutes),
    st.sampled_from(ANCHORS), st.integers(-2 * 24 * 60, 2 * 24 * 60),
)
durations = st.integers(0, 30 * 24 * 60).map(lambda m: timedelta(minutes=m))
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(never_closed(), starts, durations)
def test_property_a_never_closed_calendar_is_24x7(cal, start, duration):
    assert add_business_time(cal, start, duration) == add_business_time(TWENTY_FOUR_SEVEN, start, duration)
    assert business_time_between(cal, start, start + duration) == duration


@PROPERTY
@given(any_calendar(), starts, durations)
def test_property_any_calendar_terminates_and_round_trips(cal, start, duration):
    deadline = add_business_time(cal, start, duration)
    assert business_time_between(cal, start, deadline) == duration
