"""Business-hours calendars: data edited in admin, never settings."""

import zoneinfo
from datetime import date
from functools import lru_cache

import holidays as holidays_lib
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from sla import businesstime

TIME_ZONE_CHOICES = sorted((name, name) for name in zoneinfo.available_timezones() if "/" in name)
WEEKDAYS = [
    (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
    (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday")),
]


class BusinessCalendar(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Moscow")
    always_open = models.BooleanField(
        _("24x7"), default=False, help_text=_("Every hour of every day counts; intervals and holidays are ignored.")
    )
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=2,
        blank=True,
        default="",
        help_text=_("ISO country code (RU, PL, …): its public holidays are days off, from the maintained 'holidays' library."),
    )

    class Meta:
        verbose_name = _("business-hours calendar")
        verbose_name_plural = _("business-hours calendars")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.holiday_country:
            self.holiday_country = self.holiday_country.upper()
            if self.holiday_country not in holidays_lib.list_supported_countries():
                raise ValidationError({"holiday_country": _("No public-holiday data for this country code.")})

    def holiday_dates(self, years):
        """The admin's own dates plus the country's public holidays in the given years."""
        own = {h.date for h in self.holidays.all() if h.date.year in years}
        if self.holiday_country:
            own |= set(holidays_lib.country_holidays(self.holiday_country, years=sorted(years)).keys())
        return own

    def snapshot(self, around, years_ahead=2):
        """A plain dict (JSON) of everything the arithmetic needs, frozen for a ticket."""
        years = range(around.year - 1, around.year + years_ahead + 1)
        return {
            "tz": self.time_zone,
            "always_open": self.always_open,
            "intervals": [
                [i.weekday, i.start.strftime("%H:%M"), i.end.strftime("%H:%M")] for i in self.intervals.all()
            ],
            "holidays": sorted(d.isoformat() for d in self.holiday_dates(set(years))),
        }

    def as_calendar(self, around):
        return calendar_from_snapshot(self.snapshot(around))


def calendar_from_snapshot(snap):
    """Rebuild the pure calendar from a snapshot stored on a ticket (cached: a queue page
    shows fifty tickets that mostly share one calendar)."""
    if snap.get("always_open"):
        return businesstime.Calendar.twenty_four_seven()
    return _calendar(snap["tz"], tuple(tuple(i) for i in snap["intervals"]), tuple(snap["holidays"]))


@lru_cache(maxsize=512)
def _calendar(tz, intervals, holidays):
    from datetime import time

    return businesstime.Calendar(
        tz=tz,
        intervals=tuple(
            businesstime.Interval(weekday=w, start=time.fromisoformat(s), end=time.fromisoformat(e))
            for w, s, e in intervals
        ),
        holidays=frozenset(date.fromisoformat(d) for d in holidays),
    )


class WorkingInterval(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="intervals")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"), help_text=_("Earlier than 'from' means an overnight shift ending next day."))

    class Meta:
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        ordering = ["weekday", "start"]

    def __str__(self):
        # The audit log names every saved row, also one created with "09:00" strings.
        start, end = (t.strftime("%H:%M") if hasattr(t, "strftime") else str(t)[:5] for t in (self.start, self.end))
        return f"{self.get_weekday_display()} {start}–{end}"


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_per_calendar")]

    def __str__(self):
        return f"{self.date} {self.name}"
