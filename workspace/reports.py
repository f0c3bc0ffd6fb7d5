"""Reports for leads that read the present state (not the daily roll-up of
workspace/rollup.py): the backlog by age, phone minutes, engineers' load. Aggregated in
PostgreSQL, never by looping over tickets."""

from datetime import timedelta

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import IncidentTicket, State
from sla.models import TargetKind
from tickets.models import OPEN_STATUSES, EngineerSchedule, PhoneCall, SlaTarget, Ticket

from .planning import COMMITTED_EFFORT


# Live, not from the roll-up (which knows nothing of incidents): for the periods that had
# incidents only, so the page pays for it when there is something to show.
def sla_compliance(start, end, exclude_incidents=False):
    """Per tariff and target: met in time, missed, still running, closed by a merge, and
    the compliance share. A merged duplicate's target is neither met nor missed and stays
    out of the share (unless its deadline had already passed: that miss was real).
    ``exclude_incidents``: without the tickets linked to an incident (one outage's hundreds
    of tickets shown apart, in ``incident_sla``, instead of hiding inside the month)."""
    targets = SlaTarget.objects.filter(ticket__created_at__gte=start, ticket__created_at__lt=end)
    if exclude_incidents:
        targets = targets.exclude(Exists(IncidentTicket.objects.filter(ticket_id=OuterRef("ticket_id"))))
    rows = (
        targets
        .values("ticket__tariff__name", "kind")
        .annotate(
            met=Count("pk", filter=Q(met_at__isnull=False, breached_at__isnull=True, merged_at__isnull=True)),
            missed=Count("pk", filter=Q(breached_at__isnull=False)),
            running=Count("pk", filter=Q(met_at__isnull=True, breached_at__isnull=True)),
            merged=Count("pk", filter=Q(merged_at__isnull=False, breached_at__isnull=True)),
        )
        .order_by("ticket__tariff__name", "kind")
    )
    result = []
    for row in rows:
        decided = row["met"] + row["missed"]
        result.append({
            "tariff": row["ticket__tariff__name"] or "—", "target": TargetKind(row["kind"]).label if row["kind"] in TargetKind.values else row["kind"], "met": row["met"],
            "missed": row["missed"], "running": row["running"], "merged": row["merged"],
            "compliance": round(100 * row["met"] / decided, 1) if decided else None,
        })
    return result


AGE_BUCKETS = [
    (_("under a day"), 1), (_("1–3 days"), 3), (_("3–7 days"), 7), (_("7–30 days"), 30), (_("over 30 days"), None),
]


def incident_sla(start, end):
    """Per incident going on in the period: linked tickets and their SLA targets met, missed
    and running, with the compliance share (one query)."""
    rows = (
        IncidentTicket.objects.filter(incident__declared_at__lt=end)
        .filter(Q(incident__resolved_at__isnull=True) | Q(incident__resolved_at__gte=start))
        .values("incident_id", "incident__title_en", "incident__title_ru", "incident__title_pl", "incident__state")
        .annotate(
            tickets=Count("ticket_id", distinct=True),
            met=Count("ticket__sla_targets", filter=Q(ticket__sla_targets__met_at__isnull=False,
                                                      ticket__sla_targets__breached_at__isnull=True,
                                                      ticket__sla_targets__merged_at__isnull=True)),
            missed=Count("ticket__sla_targets", filter=Q(ticket__sla_targets__breached_at__isnull=False)),
            running=Count("ticket__sla_targets", filter=Q(ticket__sla_targets__met_at__isnull=True,
                                                          ticket__sla_targets__breached_at__isnull=True)),
        )
        .order_by("-incident_id")
    )
    result = []
    for row in rows:
        decided = row["met"] + row["missed"]
        title = row["incident__title_en"] or row["incident__title_ru"] or row["incident__title_pl"]
        result.append({
            "incident": row["incident_id"], "title": title, "state": State(row["incident__state"]).label,
            "tickets": row["tickets"], "met": row["met"], "missed": row["missed"], "running": row["running"],
            "compliance": round(100 * row["met"] / decided, 1) if decided else None,
        })
    return result


def backlog_by_age(now=None):
    """Open tickets by age bucket and status."""
    now = now or timezone.now()
    aggregates, lower = {}, 0
    for index, (_label, upper) in enumerate(AGE_BUCKETS):
        condition = Q(created_at__lte=now - timedelta(days=lower))
        if upper is not None:
            condition &= Q(created_at__gt=now - timedelta(days=upper))
        for status in OPEN_STATUSES:
            aggregates[f"b{index}_{status}"] = Count("pk", filter=condition & Q(status=status))
        lower = upper or lower
    counts = Ticket.objects.filter(status__in=OPEN_STATUSES).aggregate(**aggregates)
    return [
        {"age": label, **{status: counts[f"b{i}_{status}"] for status in OPEN_STATUSES},
         "total": sum(counts[f"b{i}_{status}"] for status in OPEN_STATUSES)}
        for i, (label, _upper) in enumerate(AGE_BUCKETS)
    ]


def phone_minutes(start, end):
    return list(
        PhoneCall.objects.filter(started_at__gte=start, started_at__lt=end)
        .values("ticket__organisation__name")
        .annotate(calls=Count("pk"), minutes=Sum("duration_minutes"))
        .order_by("-minutes")[:50]
    )


def engineer_load(now=None):
    """Committed effort on open tickets against each engineer's capacity for the next week."""
    from sla.business_index import business_time_between

    now = now or timezone.now()
    # Aggregated per assignee id first (an index-only scan of ticket_open_load_idx), then
    # joined to the engineers' names: grouping by the names too would read every row.
    per_engineer = (
        Ticket.objects.filter(status__in=OPEN_STATUSES, assignee__isnull=False).order_by().values("assignee")
        .annotate(open_tickets=Count("pk"), committed=Sum("effort_minutes", filter=COMMITTED_EFFORT))
    )
    sql, params = per_engineer.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT a.assignee, u.full_name, u.support_level, a.open_tickets, a.committed
                FROM ({sql}) a JOIN accounts_user u ON u.id = a.assignee""",
            params,
        )
        load = {
            row[0]: dict(zip(("assignee", "assignee__full_name", "assignee__support_level", "open_tickets", "committed"), row))
            for row in cursor.fetchall()
        }
    result = []
    # Intervals and holidays of every schedule's calendar in two queries, not two per engineer.
    schedules = {
        s.engineer_id: s
        for s in EngineerSchedule.objects.select_related("calendar").prefetch_related("calendar__intervals", "calendar__holidays")
    }
    for engineer_id, row in sorted(load.items(), key=lambda kv: kv[1]["assignee__full_name"]):
        schedule = schedules.get(engineer_id)
        capacity = None
        if schedule is not None:
            week = business_time_between(schedule.calendar.as_calendar(now), now, now + timedelta(days=7))
            capacity = int(week.total_seconds() / 60 * schedule.focus_percent / 100)
        committed = row["committed"] or 0
        result.append({
            "engineer": row["assignee__full_name"], "level": row["assignee__support_level"],
            "open_tickets": row["open_tickets"], "committed_minutes": committed, "capacity_minutes": capacity,
            "load_percent": round(100 * committed / capacity) if capacity else None,
        })
    return result
