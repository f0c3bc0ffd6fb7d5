"""What the workspace keeps per engineer: when they last looked at a ticket, and the
queue views they saved. The tickets themselves stay in ``tickets.models``."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TicketSeen(models.Model):
    """The last time an engineer opened a ticket: activity after it is "unread" for them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "ticket"], name="ticket_seen_user_ticket_uniq")]


class SavedView(models.Model):
    """An engineer's own queue view: the filters and sort as a query string."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_view_user_name_uniq")]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------- report roll-ups
# Daily aggregates the reports page reads instead of scanning every ticket of the period
# (workspace/rollup.py builds them; see README "Reports"). ``day`` is a date in
# REPORTS_TIME_ZONE. Tickets are counted on the day they were filed (a cohort), flows on
# the day of their event. ``tariff`` is NULL for tickets filed without one.


class ReportResponseMinutes(models.Model):
    """How many tickets filed on ``day`` under ``tariff`` had their first response after
    ``minutes`` whole business minutes (the histogram the median and p90 are read from),
    and the exact sum of their business seconds (the mean)."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField(null=True)  # set for the hours of the day being built (today)
    tariff = models.ForeignKey("sla.Tariff", null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    minutes = models.PositiveIntegerField()
    tickets = models.PositiveIntegerField()
    seconds = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "tariff"], name="report_minutes_idx")]


class ReportSlaDay(models.Model):
    """SLA targets of the tickets filed on ``day``: met in time, missed, still running."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField(null=True)  # set for the hours of the day being built (today)
    tariff = models.ForeignKey("sla.Tariff", null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=16)
    met = models.PositiveIntegerField(default=0)
    missed = models.PositiveIntegerField(default=0)
    running = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "tariff"], name="report_sla_idx")]


class ReportOrganisationDay(models.Model):
    """Tickets each organisation filed on ``day`` under ``tariff`` (the Pareto curve, the
    declared emergencies)."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField(null=True)  # set for the hours of the day being built (today)
    tariff = models.ForeignKey("sla.Tariff", null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False)
    filed = models.PositiveIntegerField(default=0)
    # Emergencies the customers declared, those triage confirmed as critical, and those
    # not triaged yet (seed 001: normally 2–3 a month per 100 clients).
    declared = models.PositiveIntegerField(default=0)
    confirmed = models.PositiveIntegerField(default=0)
    awaiting_triage = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "tariff"], name="report_org_idx")]


class ReportFlowDay(models.Model):
    """Tickets that entered the open statuses on ``day`` (filed or reopened) and that left
    them (resolved, closed): the backlog at the end of a day is the running sum."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField(null=True)  # set for the hours of the day being built (today)
    tariff = models.ForeignKey("sla.Tariff", null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    opened = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "tariff"], name="report_flow_idx")]


class ReportRollupState(models.Model):
    """One row: the roll-up holds every day before ``built_day`` and the hours of
    ``built_day`` before ``built_hour`` as of ``built_at``; units touched by events after
    ``built_at`` are read live until the next run."""

    built_at = models.DateTimeField(null=True)
    built_day = models.DateField(null=True)
    built_hour = models.PositiveSmallIntegerField(null=True)
    first_day = models.DateField(null=True)
    time_zone = models.CharField(max_length=64, default="")
