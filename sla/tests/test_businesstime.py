"""Tests for sla.businesstime: pure functions, no database, no Django settings."""

import time as stopwatch
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sla import businesstime
from sla.businesstime import (
    Calendar,
    ClockPaused,
    Interval,
    NoWorkingTime,
    add_business_time,
    business_time_between,
    next_working_instant,
    working_spans,
)

UTC = timezone.utc
WARSAW = ZoneInfo("Europe/Warsaw")
MOSCOW = ZoneInfo("Europe/Moscow")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def waw(*args) -> datetime:
    """A Europe/Warsaw wall-clock instant (fold=0)."""
    return datetime(*args, tzinfo=WARSAW)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def weekly(tz: str, *ranges: tuple[int, int], days=range(5), holidays=()) -> Calendar:
    """Calendar with the same (start_hour, end_hour) ranges on each of `days`."""
    return Calendar(
        tz=tz,
        intervals=tuple(Interval(d, time(a), time(b)) for d in days for a, b in ranges),
        holidays=frozenset(holidays),
    )


OFFICE = weekly("Europe/Warsaw", (9, 17))  # Mon-Fri 09:00-17:00
SPLIT = weekly("Europe/Warsaw", (9, 13), (14, 18))  # with a lunch gap
NIGHTS = weekly("Europe/Warsaw", (22, 6), days=range(7))  # every night 22:00-06:00

# 2026 reference dates: Mon 2 Mar starts an ordinary week; Europe/Warsaw
# springs forward on Sun 29 Mar (02:00 -> 03:00) and falls back on Sun 25 Oct
# (03:00 -> 02:00).


# --------------------------------------------------------------------------
# weekends, opening hours, starts outside working time


def test_five_hours_from_friday_afternoon_lands_on_monday():
    # Fri 14:00-17:00 is 3h, the remaining 2h run Mon 09:00-11:00.
    assert add_business_time(OFFICE, waw(2026, 3, 6, 14), hours(5)) == waw(2026, 3, 9, 11)


def test_duration_fitting_in_the_day_lands_the_same_day():
    assert add_business_time(OFFICE, waw(2026, 3, 4, 10), hours(3)) == waw(2026, 3, 4, 13)


def test_deadline_exactly_at_closing_time_stays_at_closing_time():
    assert add_business_time(OFFICE, waw(2026, 3, 6, 9), hours(8)) == waw(2026, 3, 6, 17)


def test_result_is_in_utc():
    result = add_business_time(OFFICE, waw(2026, 3, 4, 10), hours(1))
    assert result.tzinfo is UTC
    assert result == utc(2026, 3, 4, 10)  # 11:00 CET


def test_start_may_be_given_in_any_timezone():
    start = waw(2026, 3, 4, 10).astimezone(NEW_YORK)
    assert add_business_time(OFFICE, start, hours(1)) == waw(2026, 3, 4, 11)


def test_start_before_opening_counts_from_opening():
    assert add_business_time(OFFICE, waw(2026, 3, 4, 6), hours(2)) == waw(2026, 3, 4, 11)


def test_start_after_closing_counts_from_next_morning():
    assert add_business_time(OFFICE, waw(2026, 3, 4, 20), hours(2)) == waw(2026, 3, 5, 11)


def test_start_on_saturday_counts_from_monday_morning():
    assert add_business_time(OFFICE, waw(2026, 3, 7, 12), hours(1)) == waw(2026, 3, 9, 10)


def test_start_in_lunch_gap_counts_from_afternoon_opening():
    assert add_business_time(SPLIT, waw(2026, 3, 4, 13, 30), hours(1)) == waw(2026, 3, 4, 15)


def test_several_intervals_a_day_skip_the_lunch_gap():
    # 10-13 is 3h, then 14-16 is 2h.
    assert add_business_time(SPLIT, waw(2026, 3, 4, 10), hours(5)) == waw(2026, 3, 4, 16)


def test_several_intervals_a_day_roll_over_to_next_morning():
    # 16-18 (2h) + next day 09-13 (4h) + 14-15 (1h).
    assert add_business_time(SPLIT, waw(2026, 3, 4, 16), hours(7)) == waw(2026, 3, 5, 15)


def test_forty_hours_is_one_working_week():
    assert add_business_time(OFFICE, waw(2026, 3, 2, 9), hours(40)) == waw(2026, 3, 6, 17)


def test_four_hundred_business_hours_is_ten_weeks_and_fast():
    start = waw(2026, 1, 5, 9)  # a Monday; ten weeks span the spring DST change
    businesstime._local_to_utc.cache_clear()
    t0 = stopwatch.perf_counter()
    result = add_business_time(OFFICE, start, hours(400))
    elapsed = stopwatch.perf_counter() - t0
    assert result == waw(2026, 3, 13, 17)
    assert business_time_between(OFFICE, start, result) == hours(400)
    assert elapsed < 0.05  # ~1 ms in practice: day-by-day spans, not minutes


def test_between_across_a_weekend_counts_only_working_hours():
    assert business_time_between(OFFICE, waw(2026, 3, 6, 15), waw(2026, 3, 9, 10)) == hours(3)


def test_between_is_zero_when_end_is_not_after_start():
    t = waw(2026, 3, 4, 10)
    assert business_time_between(OFFICE, t, t) == timedelta(0)
    assert business_time_between(OFFICE, t, t - H) == timedelta(0)


def test_between_over_lunch_gap_excludes_it():
    assert business_time_between(SPLIT, waw(2026, 3, 4, 12), waw(2026, 3, 4, 15)) == hours(2)


# --------------------------------------------------------------------------
# next working instant / zero duration


def test_zero_duration_inside_working_hours_returns_the_start():
    assert add_business_time(OFFICE, waw(2026, 3, 4, 10, 17), timedelta(0)) == waw(2026, 3, 4, 10, 17)


def test_zero_duration_outside_working_hours_returns_next_opening():
    assert add_business_time(OFFICE, waw(2026, 3, 6, 17), timedelta(0)) == waw(2026, 3, 9, 9)


def test_next_working_instant_at_closing_time_is_next_opening():
    # Intervals are half-open: 17:00 is no longer working time.
    assert next_working_instant(OFFICE, waw(2026, 3, 4, 17)) == waw(2026, 3, 5, 9)


def test_next_working_instant_in_lunch_gap_is_afternoon_opening():
    assert next_working_instant(SPLIT, waw(2026, 3, 4, 13)) == waw(2026, 3, 4, 14)


def test_next_working_instant_on_weekend_is_monday_opening():
    assert next_working_instant(OFFICE, waw(2026, 3, 8, 23, 59)) == waw(2026, 3, 9, 9)


def test_next_working_instant_inside_hours_is_itself_in_utc():
    result = next_working_instant(OFFICE, waw(2026, 3, 4, 12))
    assert result == waw(2026, 3, 4, 12) and result.tzinfo is UTC


# --------------------------------------------------------------------------
# holidays


def test_holiday_is_skipped():
    cal = weekly("Europe/Warsaw", (9, 17), holidays=[date(2026, 3, 5)])  # Thursday
    assert add_business_time(cal, waw(2026, 3, 4, 16), hours(2)) == waw(2026, 3, 6, 10)


def test_holiday_on_friday_pushes_into_monday():
    cal = weekly("Europe/Warsaw", (9, 17), holidays=[date(2026, 3, 6)])
    assert add_business_time(cal, waw(2026, 3, 5, 15), hours(4)) == waw(2026, 3, 9, 11)


def test_overnight_shift_starting_the_day_before_a_holiday_counts_in_full():
    cal = weekly("Europe/Warsaw", (22, 6), days=range(7), holidays=[date(2026, 3, 5)])
    # The Wed->Thu night runs into the holiday morning and still counts.
    assert business_time_between(cal, waw(2026, 3, 4, 12), waw(2026, 3, 5, 12)) == hours(8)
    assert add_business_time(cal, waw(2026, 3, 4, 22), hours(8)) == waw(2026, 3, 5, 6)


def test_overnight_shift_starting_on_a_holiday_does_not_count():
    cal = weekly("Europe/Warsaw", (22, 6), days=range(7), holidays=[date(2026, 3, 5)])
    # Thu->Fri night is dropped, so from Thu 06:00 the next work is Fri 22:00.
    assert business_time_between(cal, waw(2026, 3, 5, 6), waw(2026, 3, 6, 22)) == timedelta(0)
    assert add_business_time(cal, waw(2026, 3, 5, 5), hours(2)) == waw(2026, 3, 6, 23)


def test_holidays_for_more_than_three_years_raise_no_working_time():
    mondays = frozenset(date(2026, 3, 2) + timedelta(weeks=w) for w in range(52 * 4))
    cal = Calendar("Europe/Warsaw", (Interval(0, time(9), time(17)),), mondays)
    with pytest.raises(NoWorkingTime):
        add_business_time(cal, waw(2026, 3, 1, 12), hours(1))
    with pytest.raises(NoWorkingTime):
        next_working_instant(cal, waw(2026, 3, 1, 12))


def test_holidays_for_under_three_years_are_skipped_over():
    mondays = frozenset(date(2026, 3, 2) + timedelta(weeks=w) for w in range(52 * 2))
    cal = Calendar("Europe/Warsaw", (Interval(0, time(9), time(17)),), mondays)
    assert add_business_time(cal, waw(2026, 3, 1, 12), hours(1)) == waw(2028, 2, 28, 10)


# --------------------------------------------------------------------------
# overnight and 24h intervals, merging


def test_overnight_shift_crosses_midnight():
    assert add_business_time(NIGHTS, waw(2026, 3, 2, 22), hours(3)) == waw(2026, 3, 3, 1)


def test_start_after_midnight_inside_previous_evening_shift_counts_immediately():
    assert add_business_time(NIGHTS, waw(2026, 3, 3, 2), hours(3)) == waw(2026, 3, 3, 5)


def test_overnight_shift_from_friday_counts_on_saturday_morning():
    cal = weekly("Europe/Warsaw", (22, 6))  # only nights starting Mon-Fri
    assert business_time_between(cal, waw(2026, 3, 7, 0), waw(2026, 3, 9, 0)) == hours(6)
    # Sat 03:00 + 4h: 3h until Sat 06:00, then the next shift starts Mon 22:00.
    assert add_business_time(cal, waw(2026, 3, 7, 3), hours(4)) == waw(2026, 3, 9, 23)


def test_interval_with_end_equal_to_start_lasts_24_hours():
    cal = Calendar("Europe/Warsaw", (Interval(2, time(8), time(8)),))  # Wed 08:00 -> Thu 08:00
    assert business_time_between(cal, waw(2026, 3, 2), waw(2026, 3, 9)) == hours(24)
    assert add_business_time(cal, waw(2026, 3, 4, 8), hours(24)) == waw(2026, 3, 5, 8)


def test_adjacent_intervals_merge_into_one_span():
    cal = weekly("Europe/Warsaw", (9, 13), (13, 17))
    spans = list(working_spans(cal, waw(2026, 3, 4, 0), waw(2026, 3, 5, 0)))
    assert spans == [(waw(2026, 3, 4, 9), waw(2026, 3, 4, 17))]


def test_overnight_shift_merges_with_next_morning_shift():
    cal = weekly("Europe/Warsaw", (22, 6), (6, 14), days=range(7))
    spans = list(working_spans(cal, waw(2026, 3, 4, 12), waw(2026, 3, 5, 20)))
    assert spans == [(waw(2026, 3, 4, 12), waw(2026, 3, 4, 14)), (waw(2026, 3, 4, 22), waw(2026, 3, 5, 14))]


def test_overlapping_intervals_are_not_counted_twice():
    cal = weekly("Europe/Warsaw", (9, 17), (12, 20), (22, 10))
    # Wed 00:00 -> Thu 00:00: Tue-night shift until 10 overlaps 09-17 and
    # 12-20, so 00-20 is one span; then 22-24.
    assert business_time_between(cal, waw(2026, 3, 4), waw(2026, 3, 5)) == hours(20 + 2)


def test_working_spans_are_clipped_to_the_range_and_in_utc():
    spans = list(working_spans(OFFICE, waw(2026, 3, 6, 12), waw(2026, 3, 9, 10)))
    assert spans == [(utc(2026, 3, 6, 11), utc(2026, 3, 6, 16)), (utc(2026, 3, 9, 8), utc(2026, 3, 9, 9))]
    assert all(s.tzinfo is UTC and e.tzinfo is UTC for s, e in spans)


def test_working_spans_of_empty_range_are_empty():
    assert list(working_spans(OFFICE, waw(2026, 3, 4, 12), waw(2026, 3, 4, 12))) == []


# --------------------------------------------------------------------------
# DST: Europe/Warsaw 2026-03-29 02:00 -> 03:00 and 2026-10-25 03:00 -> 02:00


def test_spring_forward_night_interval_lasts_five_real_hours():
    cal = Calendar("Europe/Warsaw", (Interval(6, time(0), time(6)),))  # Sundays 00-06
    day = waw(2026, 3, 29)
    assert business_time_between(cal, day, day + hours(24)) == hours(5)
    assert list(working_spans(cal, day, day + hours(24))) == [(utc(2026, 3, 28, 23), utc(2026, 3, 29, 4))]


def test_fall_back_night_interval_lasts_seven_real_hours():
    cal = Calendar("Europe/Warsaw", (Interval(6, time(0), time(6)),))
    day = waw(2026, 10, 25)
    assert business_time_between(cal, day, day + hours(30)) == hours(7)
    assert add_business_time(cal, day, hours(7)) == utc(2026, 10, 25, 5)  # 06:00 CET


def test_office_hours_keep_wall_clock_times_across_spring_forward():
    assert next_working_instant(OFFICE, utc(2026, 3, 27, 0)) == utc(2026, 3, 27, 8)  # CET
    assert next_working_instant(OFFICE, utc(2026, 3, 28, 0)) == utc(2026, 3, 30, 7)  # CEST
    assert add_business_time(OFFICE, waw(2026, 3, 27, 16), hours(2)) == waw(2026, 3, 30, 10)


def test_office_hours_keep_wall_clock_times_across_fall_back():
    assert next_working_instant(OFFICE, utc(2026, 10, 24, 0)) == utc(2026, 10, 26, 8)  # CET
    assert business_time_between(OFFICE, waw(2026, 10, 19), waw(2026, 11, 2)) == hours(80)


def test_night_shift_over_fall_back_night_counts_the_repeated_hour():
    # Sat 22:00 CEST -> Sun 06:00 CET is 9 real hours, so 8h ends at 05:00 CET.
    assert add_business_time(NIGHTS, waw(2026, 10, 24, 22), hours(8)) == utc(2026, 10, 25, 4)
    assert business_time_between(NIGHTS, waw(2026, 10, 24, 12), waw(2026, 10, 25, 12)) == hours(9)


def test_night_shift_over_spring_forward_night_loses_an_hour():
    assert business_time_between(NIGHTS, waw(2026, 3, 28, 12), waw(2026, 3, 29, 12)) == hours(7)


def test_interval_start_inside_spring_gap_moves_to_end_of_gap():
    cal = Calendar("Europe/Warsaw", (Interval(6, time(2, 30), time(5)),))
    spans = list(working_spans(cal, waw(2026, 3, 29), waw(2026, 3, 30)))
    assert spans == [(utc(2026, 3, 29, 1), utc(2026, 3, 29, 3))]  # 03:00-05:00 CEST


def test_interval_end_inside_spring_gap_moves_to_end_of_gap():
    cal = Calendar("Europe/Warsaw", (Interval(6, time(1), time(2, 30)),))
    spans = list(working_spans(cal, waw(2026, 3, 29), waw(2026, 3, 30)))
    assert spans == [(utc(2026, 3, 29, 0), utc(2026, 3, 29, 1))]  # 01:00 CET - 03:00 CEST


def test_interval_entirely_inside_spring_gap_is_empty_that_day():
    cal = Calendar("Europe/Warsaw", (Interval(6, time(2, 15), time(2, 45)),))
    assert list(working_spans(cal, waw(2026, 3, 28), waw(2026, 3, 30))) == []
    # ...and the clock simply moves on to the next Sunday.
    assert next_working_instant(cal, waw(2026, 3, 28)) == waw(2026, 4, 5, 2, 15)


def test_ambiguous_fall_back_wall_time_means_its_first_occurrence():
    cal = Calendar("Europe/Warsaw", (Interval(6, time(0), time(2, 30)),))
    spans = list(working_spans(cal, waw(2026, 10, 25), waw(2026, 10, 26)))
    assert spans == [(utc(2026, 10, 24, 22), utc(2026, 10, 25, 0, 30))]  # ends 02:30 CEST


def test_24_hour_interval_lasts_23_and_25_real_hours_on_dst_days():
    cal = Calendar("Europe/Warsaw", (Interval(6, time(0), time(0)),))
    assert business_time_between(cal, waw(2026, 3, 28), waw(2026, 3, 31)) == hours(23)
    assert business_time_between(cal, waw(2026, 10, 24), waw(2026, 10, 27)) == hours(25)


def test_new_york_office_hours_follow_us_dst():
    cal = weekly("America/New_York", (9, 17))
    assert next_working_instant(cal, utc(2026, 3, 6, 0)) == utc(2026, 3, 6, 14)  # EST
    assert next_working_instant(cal, utc(2026, 3, 7, 0)) == utc(2026, 3, 9, 13)  # EDT


# --------------------------------------------------------------------------
# fixed offset: Europe/Moscow is UTC+3 all year


@pytest.mark.parametrize("day", [date(2026, 1, 14), date(2026, 3, 30), date(2026, 7, 15), date(2026, 10, 26)])
def test_moscow_office_hours_are_utc_plus_three_all_year(day):
    cal = weekly("Europe/Moscow", (9, 17))
    midnight = datetime.combine(day, time(), UTC)
    assert list(working_spans(cal, midnight, midnight + hours(24))) == [
        (midnight + hours(6), midnight + hours(14))
    ]


def test_moscow_nights_are_unaffected_by_european_dst_weekends():
    cal = weekly("Europe/Moscow", (0, 6), days=[6])
    for sunday in (date(2026, 3, 29), date(2026, 10, 25)):
        start = datetime.combine(sunday, time(), MOSCOW)
        assert business_time_between(cal, start, start + hours(24)) == hours(6)
        assert add_business_time(cal, start, hours(6)) == start + hours(6)


# --------------------------------------------------------------------------
# 24x7


def test_24x7_adds_plain_wall_time():
    cal = Calendar.twenty_four_seven()
    # Across the spring-forward night: real hours, not wall-clock hours
    # (hence UTC: Python adds timedeltas to zoned datetimes in wall time).
    start = waw(2026, 3, 28, 23).astimezone(UTC)
    assert add_business_time(cal, start, hours(5)) == start + hours(5)
    assert business_time_between(cal, start, start + hours(50)) == hours(50)


def test_24x7_ignores_timezone_intervals_and_holidays():
    cal = Calendar("Europe/Warsaw", (Interval(0, time(9), time(10)),), frozenset({date(2026, 3, 7)}), always_open=True)
    start = waw(2026, 3, 7, 3).astimezone(UTC)
    assert add_business_time(cal, start, hours(30)) == start + hours(30)
    assert list(working_spans(cal, start, start + H)) == [(start, start + H)]


def test_24x7_subtracts_pauses():
    cal = Calendar.twenty_four_seven()
    start = utc(2026, 3, 7)
    assert add_business_time(cal, start, hours(5), [(start + H, start + hours(3))]) == start + hours(7)


# --------------------------------------------------------------------------
# pauses


def test_pause_over_night_and_weekend_subtracts_only_working_time():
    pause = (waw(2026, 3, 6, 16), waw(2026, 3, 9, 10))  # Fri 16:00 -> Mon 10:00
    # Fri 9-16 = 7h, paused until Mon 10:00, then 1h more.
    assert add_business_time(OFFICE, waw(2026, 3, 6, 9), hours(8), [pause]) == waw(2026, 3, 9, 11)
    assert business_time_between(OFFICE, waw(2026, 3, 6, 9), waw(2026, 3, 9, 11), [pause]) == hours(8)


def test_overlapping_pauses_are_subtracted_once():
    pauses = [(waw(2026, 3, 4, 10), waw(2026, 3, 4, 12)), (waw(2026, 3, 4, 11), waw(2026, 3, 4, 13))]
    assert business_time_between(OFFICE, waw(2026, 3, 4, 9), waw(2026, 3, 4, 17), pauses) == hours(5)
    assert add_business_time(OFFICE, waw(2026, 3, 4, 9), hours(2), pauses) == waw(2026, 3, 4, 14)


def test_pause_entirely_outside_working_hours_changes_nothing():
    pause = (waw(2026, 3, 6, 18), waw(2026, 3, 9, 8))
    assert add_business_time(OFFICE, waw(2026, 3, 6, 14), hours(5), [pause]) == waw(2026, 3, 9, 11)


def test_pause_over_the_start_delays_the_clock():
    pause = (waw(2026, 3, 4, 8), waw(2026, 3, 4, 11))
    assert add_business_time(OFFICE, waw(2026, 3, 4, 10), hours(1), [pause]) == waw(2026, 3, 4, 12)
    assert next_working_instant(OFFICE, waw(2026, 3, 4, 10)) == waw(2026, 3, 4, 10)  # no pauses there
    assert add_business_time(OFFICE, waw(2026, 3, 4, 10), timedelta(0), [pause]) == waw(2026, 3, 4, 11)


def test_pause_ending_before_start_is_ignored():
    pause = (waw(2026, 3, 2, 9), waw(2026, 3, 3, 9))
    assert add_business_time(OFFICE, waw(2026, 3, 4, 10), hours(1), [pause]) == waw(2026, 3, 4, 11)


def test_pause_ending_before_it_starts_pauses_nothing():
    pause = (waw(2026, 3, 4, 12), waw(2026, 3, 4, 10))
    assert business_time_between(OFFICE, waw(2026, 3, 4, 9), waw(2026, 3, 4, 17), [pause]) == hours(8)


def test_open_pause_raises_clock_paused_while_time_is_owed():
    pause = (waw(2026, 3, 4, 12), None)
    with pytest.raises(ClockPaused):
        add_business_time(OFFICE, waw(2026, 3, 4, 10), hours(3), [pause])


def test_open_pause_after_the_deadline_does_not_matter():
    pauses = [(waw(2026, 3, 4, 12), None)]
    assert add_business_time(OFFICE, waw(2026, 3, 4, 10), hours(1), pauses) == waw(2026, 3, 4, 11)
    # Reaching the deadline exactly as the pause begins is not "still owed".
    assert add_business_time(OFFICE, waw(2026, 3, 4, 10), hours(2), pauses) == waw(2026, 3, 4, 12)


def test_open_pause_that_began_before_start_raises_even_for_zero_duration():
    with pytest.raises(ClockPaused):
        add_business_time(OFFICE, waw(2026, 3, 4, 10), timedelta(0), [(waw(2026, 3, 3, 12), None)])


def test_open_pause_beginning_exactly_at_start_raises_even_for_zero_duration():
    start = waw(2026, 3, 4, 10)  # inside working hours, yet paused from this instant
    for duration in (timedelta(0), MIN):
        with pytest.raises(ClockPaused):
            add_business_time(OFFICE, start, duration, [(start, None)])


def test_open_pause_merged_with_earlier_pause_raises_from_the_earlier_start():
    pauses = [(waw(2026, 3, 4, 13), None), (waw(2026, 3, 4, 11), waw(2026, 3, 4, 14))]
    with pytest.raises(ClockPaused):
        add_business_time(OFFICE, waw(2026, 3, 4, 10), H + MIN, pauses)


def test_between_with_open_pause_counts_until_the_pause_begins():
    pause = (waw(2026, 3, 4, 12), None)
    assert business_time_between(OFFICE, waw(2026, 3, 4, 9), waw(2026, 3, 10, 9), [pause]) == hours(3)


# --------------------------------------------------------------------------
# validation and errors


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_business_time(OFFICE, datetime(2026, 3, 4, 10), H),
        lambda: business_time_between(OFFICE, datetime(2026, 3, 4, 10), waw(2026, 3, 5)),
        lambda: business_time_between(OFFICE, waw(2026, 3, 4), datetime(2026, 3, 5)),
        lambda: next_working_instant(OFFICE, datetime(2026, 3, 4, 10)),
        lambda: list(working_spans(OFFICE, datetime(2026, 3, 4), waw(2026, 3, 5))),
        lambda: add_business_time(OFFICE, waw(2026, 3, 4, 10), H, [(datetime(2026, 3, 4, 11), None)]),
        lambda: add_business_time(OFFICE, waw(2026, 3, 4, 10), H, [(waw(2026, 3, 4, 11), datetime(2026, 3, 5))]),
    ],
    ids=["add", "between-start", "between-end", "next", "spans", "pause-from", "pause-to"],
)
def test_naive_datetime_is_rejected(call):
    with pytest.raises(ValueError, match="naive datetime"):
        call()


def test_negative_duration_is_rejected():
    with pytest.raises(ValueError, match="negative"):
        add_business_time(OFFICE, waw(2026, 3, 4, 10), -MIN)


def test_calendar_without_intervals_raises_no_working_time():
    cal = Calendar("Europe/Warsaw")
    with pytest.raises(NoWorkingTime):
        add_business_time(cal, waw(2026, 3, 4, 10), H)
    with pytest.raises(NoWorkingTime):
        next_working_instant(cal, waw(2026, 3, 4, 10))
    # Measuring is still well defined: there is simply no business time.
    assert business_time_between(cal, waw(2026, 3, 4), waw(2026, 4, 4)) == timedelta(0)
    assert list(working_spans(cal, waw(2026, 3, 4), waw(2026, 4, 4))) == []


def test_no_working_time_is_a_value_error():
    assert issubclass(NoWorkingTime, ValueError)


def test_interval_weekday_must_be_0_to_6():
    with pytest.raises(ValueError):
        Interval(7, time(9), time(17))


def test_calendars_are_hashable_values():
    assert weekly("Europe/Warsaw", (9, 17)) == OFFICE
    assert hash(weekly("Europe/Warsaw", (9, 17))) == hash(OFFICE)


# --------------------------------------------------------------------------
# property-based tests

TIMEZONES = ["Europe/Warsaw", "Europe/Moscow", "UTC", "America/New_York"]
# Clocks start around these dates: for DST zones mostly their own 2026 DST
# Sundays (for Moscow/UTC the European ones, where nothing must happen), plus
# ordinary weeks.
HOT_DATES = {
    "Europe/Warsaw": [date(2026, 3, 29), date(2026, 10, 25)],
    "America/New_York": [date(2026, 3, 8), date(2026, 11, 1)],
    "Europe/Moscow": [date(2026, 3, 29), date(2026, 10, 25)],
    "UTC": [date(2026, 3, 29), date(2026, 10, 25)],
}
ORDINARY_DATES = [date(2026, 1, 14), date(2026, 6, 30)]

# Hours 1-3 and Sundays are over-represented so that interval boundaries
# often fall into the DST gap or the repeated hour.
wall_times = st.builds(time, st.integers(0, 23) | st.integers(1, 3), st.sampled_from([0, 30]) | st.integers(0, 59))
intervals = st.builds(Interval, st.integers(0, 6) | st.just(6), wall_times, wall_times)
# Zero (a special case: "next working instant") is drawn often on purpose.
durations = (st.integers(0, 200 * 60) | st.sampled_from([0, 1, 60])).map(lambda m: timedelta(minutes=m))
positive_durations = st.integers(1, 200 * 60).map(lambda m: timedelta(minutes=m))
offsets = st.integers(0, 5 * 24 * 60).map(lambda m: timedelta(minutes=m))


@st.composite
def scenarios(draw):
    """A random calendar (1 in 10 is 24x7) and a start near one of its
    interesting dates, with holidays around that date."""
    tz = draw(st.sampled_from(TIMEZONES))
    anchor = draw(st.sampled_from(HOT_DATES[tz] + ORDINARY_DATES))
    start = datetime.combine(anchor, time(), UTC) + timedelta(minutes=draw(st.integers(-3 * 24 * 60, 2 * 24 * 60)))
    if draw(st.integers(0, 9)) == 0:
        return Calendar.twenty_four_seven(), start
    holidays = draw(st.frozensets(st.builds(lambda k: anchor + timedelta(days=k), st.integers(-4, 10)), max_size=4))
    return Calendar(tz, tuple(draw(st.lists(intervals, min_size=1, max_size=5))), holidays), start


@st.composite
def closed_pauses(draw, around):
    """Up to 3 pauses (possibly overlapping, possibly reversed) near `around`."""
    out = []
    for _ in range(draw(st.integers(0, 3))):
        since = around + timedelta(minutes=draw(st.integers(-2 * 24 * 60, 10 * 24 * 60)))
        out.append((since, since + timedelta(minutes=draw(st.integers(-60, 3 * 24 * 60)))))
    return out


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(scenarios(), durations)
def test_property_between_start_and_deadline_is_the_duration(scenario, duration):
    cal, start = scenario
    deadline = add_business_time(cal, start, duration)
    assert deadline >= start and deadline.tzinfo is UTC
    assert business_time_between(cal, start, deadline) == duration


@PROPERTY
@given(scenarios(), durations, st.data())
def test_property_round_trip_holds_with_pauses(scenario, duration, data):
    cal, start = scenario
    pauses = data.draw(closed_pauses(start))
    deadline = add_business_time(cal, start, duration, pauses)
    assert business_time_between(cal, start, deadline, pauses) == duration
    assert deadline >= add_business_time(cal, start, duration)  # pauses only delay


@PROPERTY
@given(scenarios(), offsets, durations)
def test_property_deadline_is_monotonic_in_the_start(scenario, later, duration):
    cal, start = scenario
    assert add_business_time(cal, start, duration) <= add_business_time(cal, start + later, duration)


@PROPERTY
@given(scenarios(), durations, durations)
def test_property_deadline_is_monotonic_in_the_duration(scenario, d1, d2):
    cal, start = scenario
    d1, d2 = min(d1, d2), max(d1, d2)
    assert add_business_time(cal, start, d1) <= add_business_time(cal, start, d2)


@PROPERTY
@given(scenarios(), durations, positive_durations)
def test_property_adding_in_two_steps_equals_adding_the_sum(scenario, a, b):
    # b > 0: a zero second step would snap a closing-time deadline forward to
    # the next opening (zero duration means "next working instant").
    cal, start = scenario
    assert add_business_time(cal, add_business_time(cal, start, a), b) == add_business_time(cal, start, a + b)


@PROPERTY
@given(scenarios(), st.integers(-24 * 60, 5 * 24 * 60).map(lambda m: timedelta(minutes=m)))
def test_property_business_time_never_exceeds_wall_time(scenario, length):
    cal, start = scenario
    assert timedelta(0) <= business_time_between(cal, start, start + length) <= max(length, timedelta(0))


@PROPERTY
@given(scenarios(), offsets, offsets)
def test_property_between_is_additive_over_a_split_point(scenario, x, y):
    cal, a = scenario
    b, c = a + min(x, y), a + max(x, y)
    assert business_time_between(cal, a, b) + business_time_between(cal, b, c) == business_time_between(cal, a, c)


@PROPERTY
@given(scenarios(), offsets)
def test_property_working_spans_are_sorted_disjoint_and_clipped(scenario, length):
    cal, start = scenario
    end = start + length
    spans = list(working_spans(cal, start, end))
    for s, e in spans:
        assert start <= s < e <= end and s.tzinfo is UTC and e.tzinfo is UTC
    for (_, e1), (s2, _) in zip(spans, spans[1:]):
        assert e1 < s2  # strictly: touching spans would have been merged
    assert sum((e - s for s, e in spans), timedelta(0)) == business_time_between(cal, start, end)


@PROPERTY
@given(scenarios())
def test_property_next_working_instant_is_working_and_nothing_earlier_is(scenario):
    cal, at = scenario
    nxt = next_working_instant(cal, at)
    assert nxt >= at
    assert business_time_between(cal, at, nxt) == timedelta(0)
    assert business_time_between(cal, nxt, nxt + MIN) > timedelta(0)


@PROPERTY
@given(scenarios(), durations, st.integers(-60, 15 * 24 * 60) | st.sampled_from([-1, 0, 1]))
def test_property_open_pause_raises_exactly_when_time_is_still_owed(scenario, duration, minutes):
    cal, start = scenario
    since = start + timedelta(minutes=minutes)
    counted = business_time_between(cal, start, since)  # zero if since <= start
    # Time is owed if the duration does not fit before the pause; a zero
    # duration also needs some unpaused working instant before it.
    owed = counted < duration if duration else counted == timedelta(0)
    if owed:
        with pytest.raises(ClockPaused):
            add_business_time(cal, start, duration, [(since, None)])
    else:
        assert add_business_time(cal, start, duration, [(since, None)]) == add_business_time(cal, start, duration)


# --- brute-force oracle: walk minute by minute over wall-clock time ----------


def _ambiguous(naive: datetime, tz: ZoneInfo) -> bool:
    """True if `naive` occurs twice in `tz` (the repeated hour at fall-back)."""
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    exists = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive
    return exists and first.utcoffset() != second.utcoffset()


def _occurrences(cal: Calendar, day: date):
    if day in cal.holidays:
        return
    for iv in cal.intervals:
        if iv.weekday == day.weekday():
            end_day = day + timedelta(days=1) if iv.end <= iv.start else day
            yield datetime.combine(day, iv.start), datetime.combine(end_day, iv.end)


def _oracle_working(cal: Calendar, instant: datetime) -> bool:
    """Independent definition: an instant works if its local WALL clock reading
    lies inside some interval occurrence.  It agrees with the module's rule
    (including "gap boundaries move to the end of the gap") whenever no
    boundary is an ambiguous (repeated) wall time."""
    if cal.always_open:
        return True
    wall = instant.astimezone(ZoneInfo(cal.tz)).replace(tzinfo=None)
    return any(a <= wall < b for d in (wall.date() - timedelta(days=1), wall.date()) for a, b in _occurrences(cal, d))


@PROPERTY
@given(scenarios(), st.integers(0, 2 * 24 * 60), st.data())
def test_property_matches_minute_by_minute_oracle(scenario, minutes, data):
    cal, start = scenario
    end = start + timedelta(minutes=minutes)
    if not cal.always_open:
        tz = ZoneInfo(cal.tz)
        first = start.astimezone(tz).date() - timedelta(days=2)
        days = [first + timedelta(days=k) for k in range(minutes // (24 * 60) + 5)]
        assume(not any(_ambiguous(x, tz) for d in days for occ in _occurrences(cal, d) for x in occ))
    pauses = data.draw(closed_pauses(start))
    paused = [(a, b) for a, b in pauses if a < b]

    oracle, oracle_unpaused = set(), 0
    for k in range(minutes):
        m = start + timedelta(minutes=k)
        if _oracle_working(cal, m):
            oracle.add(m)
            oracle_unpaused += not any(a <= m < b for a, b in paused)

    spans = list(working_spans(cal, start, end))
    got = {s + timedelta(minutes=k) for s, e in spans for k in range((e - s) // MIN)}
    assert got == oracle
    assert business_time_between(cal, start, end) == len(oracle) * MIN
    assert business_time_between(cal, start, end, pauses) == oracle_unpaused * MIN
