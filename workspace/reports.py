"""Reports for leads: every figure is aggregated in PostgreSQL, never by looping over tickets."""

from datetime import timedelta

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import IncidentTicket, State
from sla.models import TargetKind
from tickets.models import OPEN_STATUSES, EngineerSchedule, PhoneCall, SlaTarget, Ticket, Urgency

from .planning import COMMITTED_EFFORT


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


def first_response(start, end):
    """Business-hours first-response time per tariff and month: mean, median, 90th percentile."""
    return _rows(
        """
        SELECT coalesce(tr.name, '—') AS tariff, date_trunc('month', t.created_at) AS period,
               count(*) AS tickets,
               avg(t.first_response_business_seconds) / 60 AS mean_minutes,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY t.first_response_business_seconds) / 60 AS median_minutes,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY t.first_response_business_seconds) / 60 AS p90_minutes
        FROM tickets_ticket t LEFT JOIN sla_tariff tr ON tr.id = t.tariff_id
        WHERE t.created_at >= %s AND t.created_at < %s AND t.first_response_business_seconds IS NOT NULL
        GROUP BY 1, 2 ORDER BY 2 DESC, 1
        """,
        [start, end],
    )


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


def pareto(start, end, limit=50):
    """Tickets per client organisation, largest first, with the cumulative share, and the
    share of all tickets made by the top 1 % and top 20 % of organisations (seed 003)."""
    rows = _rows(
        """
        WITH per_org AS (
            SELECT o.id, o.name, count(*) AS tickets
            FROM tickets_ticket t JOIN accounts_organisation o ON o.id = t.organisation_id
            WHERE t.created_at >= %s AND t.created_at < %s GROUP BY o.id, o.name
        ), ranked AS (
            SELECT name, tickets,
                   row_number() OVER (ORDER BY tickets DESC, id) AS rank,
                   count(*) OVER () AS orgs,
                   sum(tickets) OVER () AS total,
                   sum(tickets) OVER (ORDER BY tickets DESC, id) AS running
            FROM per_org
        )
        SELECT name, tickets, rank, orgs, total, round(100.0 * running / total, 1) AS cumulative,
               sum(tickets) FILTER (WHERE rank <= greatest(1, ceil(orgs * 0.01))) OVER () AS top1,
               sum(tickets) FILTER (WHERE rank <= greatest(1, ceil(orgs * 0.20))) OVER () AS top20
        FROM ranked ORDER BY rank LIMIT %s
        """,
        [start, end, limit],
    )
    summary = {"organisations": 0, "tickets": 0, "top1_share": None, "top20_share": None}
    if rows:
        first = rows[0]
        summary = {
            "organisations": first["orgs"], "tickets": first["total"],
            "top1_share": round(100 * first["top1"] / first["total"], 1),
            "top20_share": round(100 * first["top20"] / first["total"], 1),
        }
    return rows, summary


def declared_emergencies(start, end):
    """Per organisation: emergencies customers declared, and how many triage confirmed as
    critical (seed 001: normally 2–3 a month per 100 clients)."""
    declared = Q(customer_urgency=Urgency.CRITICAL)
    rows = (
        Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("organisation__name")
        .annotate(
            tickets=Count("pk"),
            declared=Count("pk", filter=declared),
            confirmed=Count("pk", filter=declared & Q(urgency=Urgency.CRITICAL, triaged_at__isnull=False)),
            awaiting_triage=Count("pk", filter=declared & Q(triaged_at__isnull=True)),
        )
        .filter(declared__gt=0)
        .order_by("-declared", "organisation__name")[:100]
    )
    return [
        {"organisation": r["organisation__name"], "tickets": r["tickets"], "declared": r["declared"],
         "confirmed": r["confirmed"], "awaiting_triage": r["awaiting_triage"],
         "confirmed_percent": round(100 * r["confirmed"] / r["declared"], 1)}
        for r in rows
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
    load = {
        row["assignee"]: row
        for row in Ticket.objects.filter(status__in=OPEN_STATUSES, assignee__isnull=False)
        .values("assignee", "assignee__full_name", "assignee__support_level")
        .annotate(open_tickets=Count("pk"), committed=Sum("effort_minutes", filter=COMMITTED_EFFORT))
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
