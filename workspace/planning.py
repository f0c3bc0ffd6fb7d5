"""Proposing a completion date from an engineer's workload calendar (seed 001).

Every engineer has working hours (their schedule's calendar) and days off; effort
already committed on their open tickets is worked first, in the share of the day kept
for planned work. Emergencies (critical urgency) start at once and skip the queue.
"""

from dataclasses import replace
from datetime import timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from sla.businesstime import NoWorkingTime, add_business_time
from sla.models import BusinessCalendar
from tickets.models import OPEN_STATUSES, EngineerSchedule, Ticket

# "Committed effort", the one definition: the estimated effort of open tickets that have
# a committed completion date. Planning works it first; the load report sums it.
COMMITTED_EFFORT = Q(status__in=OPEN_STATUSES, planned_at__isnull=False, effort_minutes__isnull=False)


def committed_minutes(engineer, exclude_ticket=None):
    """Effort still owed on the engineer's open tickets that have a committed date."""
    qs = Ticket.objects.filter(COMMITTED_EFFORT, assignee=engineer)
    if exclude_ticket is not None:
        qs = qs.exclude(pk=exclude_ticket.pk)
    return qs.aggregate(total=Sum("effort_minutes"))["total"] or 0


def _engineer_calendar(engineer, at, ticket=None):
    """The engineer's own hours; without a schedule, the ticket's tariff hours."""
    schedule = EngineerSchedule.objects.filter(engineer=engineer).select_related("calendar").first()
    if schedule is not None:
        calendar = schedule.calendar
    elif ticket is not None and ticket.tariff_id:
        calendar = ticket.tariff.calendar
    else:
        calendar = BusinessCalendar.objects.order_by("always_open", "pk").first()
    if calendar is None:
        return None, 100
    pure = calendar.as_calendar(at)
    days_off = set(engineer.days_off.filter(date__gte=at.date()).values_list("date", flat=True))
    return replace(pure, holidays=pure.holidays | frozenset(days_off)), (schedule.focus_percent if schedule else 100)


def propose_completion(*, engineer, effort_minutes, urgency, ticket=None, now=None):
    """The date the engineer can finish ``effort_minutes`` of work, or None if unknown."""
    now = now or timezone.now()
    calendar, focus = _engineer_calendar(engineer, now, ticket)
    if calendar is None or not effort_minutes:
        return None
    if urgency == "critical":
        work = effort_minutes
    else:
        work = (committed_minutes(engineer, exclude_ticket=ticket) + effort_minutes) * 100 / max(focus, 1)
    try:
        return add_business_time(calendar, now, timedelta(minutes=work))
    except NoWorkingTime:
        return None
