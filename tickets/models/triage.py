"""Triage vocabulary and the engineers' workload calendars (seed 001)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sla.models import BusinessCalendar


class RootCause(models.Model):
    """Causes of problems, a list admins maintain (configuration error, bug, hosting, …)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    free_of_charge = models.BooleanField(
        _("not charged to the customer"), default=False,
        help_text=_("E.g. a confirmed product defect: a ticket triaged with this cause gets its support points back."),
    )

    class Meta:
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class EngineerSchedule(models.Model):
    """An engineer's working hours, used to plan completion dates from their workload."""

    engineer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="schedule",
        limit_choices_to={"role": "engineer"},
    )
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("working hours"), on_delete=models.PROTECT, related_name="+"
    )
    focus_percent = models.PositiveSmallIntegerField(
        _("share of working time for planned work (%)"), default=75,
        help_text=_("The rest is kept for emergencies, calls and triage."),
    )

    class Meta:
        verbose_name = _("engineer's schedule")
        verbose_name_plural = _("engineers' schedules")

    def __str__(self):
        return str(self.engineer)


class EngineerDayOff(models.Model):
    engineer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="days_off")
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["engineer", "date"], name="one_day_off_per_date")]
