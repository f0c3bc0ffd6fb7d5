"""SLA clocks of tickets: start, pause, resume, meet, and the sweep that warns and breaches.

The tariff's targets and calendars are frozen at filing by reference to an immutable
``TariffRevision`` (shared by every ticket filed under the same content), so editing a
tariff never moves a running ticket's deadlines; ``ticket_reapply_tariff``
does, when an admin asks. Every due time is recomputed from the same inputs: the
filing time, the target in business minutes, the frozen calendar, and the spans the
ticket spent waiting for the customer, resolved or closed (read from the event log).
"""

from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone

from sla.business_index import add_business_time, business_time_between
from sla.businesstime import ClockPaused, NoWorkingTime
from sla.models import Urgency
from sla.models.calendars import calendar_from_snapshot
from sla.services import tariff_revision_for, tariff_revisions

from .models import Event, SlaTarget, Status, Ticket
from .sweep import sla_sweep

__all__ = ["sla_sweep"]  # the beat sweep lives in tickets.sweep; re-exported for callers


# While a ticket is in one of these, its clocks do not run.
PAUSED_STATUSES = {Status.WAITING, Status.RESOLVED, Status.CLOSED}


def _paused_spans(ticket):
    """(from, to) spans the ticket spent in a paused status; the last may be open (to=None)."""
    spans, since = [], None
    for old, new, at in ticket.events.filter(kind=Event.Kind.STATUS).order_by("created_at", "pk").values_list(
        "old_value", "new_value", "created_at"
    ):
        if new in PAUSED_STATUSES and since is None:
            since = at
        elif new not in PAUSED_STATUSES and since is not None:
            spans.append((since, at))
            since = None
    if since is not None:
        spans.append((since, None))
    return spans


def revision_content(ticket):
    """The frozen tariff the ticket was filed under (its revision's content), or None."""
    if ticket.tariff_revision_id is None:
        return None
    return tariff_revisions([ticket.tariff_revision_id])[ticket.tariff_revision_id].content


def snapshot_rule(snap, urgency):
    """The frozen targets for an urgency; a revision made before an urgency existed
    falls back to the tariff's normal targets instead of crashing."""
    urgencies = snap["urgencies"]
    return urgencies.get(urgency) or urgencies[Urgency.NORMAL]


def calendar_of(ticket):
    snap = revision_content(ticket)
    rule = snapshot_rule(snap, ticket.urgency)
    return calendar_from_snapshot(snap["calendars"][rule["calendar"]])


def _due_times(snap, urgency, created_at, pauses):
    """{kind: (minutes, due, warn)} of the targets of ``urgency`` (due/warn None while paused)."""
    rule = snapshot_rule(snap, urgency)
    calendar = calendar_from_snapshot(snap["calendars"][rule["calendar"]])
    share = snap["warn_at_percent"] / 100
    result = {}
    for kind, minutes in rule["targets"].items():
        try:
            due = add_business_time(calendar, created_at, timedelta(minutes=minutes), pauses)
            warn = add_business_time(calendar, created_at, timedelta(minutes=minutes * share), pauses)
        except (ClockPaused, NoWorkingTime):
            due = warn = None
        result[kind] = (minutes, due, warn)
    return result


def clock_prepare(ticket, tariff):
    """At filing, before the ticket row is written: freeze the tariff by reference to its
    revision, set ``next_due_at`` and return the ticket's unsaved targets (a new ticket has
    no pauses, so nothing needs reading back)."""
    ticket.tariff = tariff
    ticket.tariff_revision = tariff_revision_for(tariff, ticket.created_at)
    times = _due_times(ticket.tariff_revision.content, ticket.urgency, ticket.created_at, ())
    ticket.next_due_at = min((due for _m, due, _w in times.values() if due is not None), default=None)
    return [SlaTarget(kind=kind, minutes=minutes, due_at=due, warn_at=warn) for kind, (minutes, due, warn) in times.items()]


def clock_start(ticket, tariff):
    """Freeze the tariff (as it is now) by reference and recompute the clocks."""
    ticket.tariff = tariff
    ticket.tariff_revision = tariff_revision_for(tariff, ticket.created_at)
    ticket.save(update_fields=["tariff", "tariff_revision"])
    clock_recompute(ticket)


def clock_recompute(ticket):
    """Recompute every unmet target's due and warning times; refresh ``next_due_at``.

    Called on every status change into or out of a paused status, and when the urgency
    or the tariff changes.
    """
    snap = revision_content(ticket)
    if not snap:
        return
    times = _due_times(snap, ticket.urgency, ticket.created_at, _paused_spans(ticket))
    existing = {t.kind: t for t in ticket.sla_targets.all()}
    for kind, target in existing.items():
        if kind not in times and target.met_at is None:
            target.delete()
    for kind, (minutes, due, warn) in times.items():
        target = existing.get(kind) or SlaTarget(ticket=ticket, kind=kind)
        target.minutes = minutes
        if target.met_at is None:
            if warn is not None and target.warned_at is not None and target.warn_at and warn > target.warn_at:
                target.warned_at = None  # the deadline moved later: warn again before the new one
            target.due_at, target.warn_at = due, warn
        target.save()
    _refresh_next_due(ticket)


def _refresh_next_due(ticket):
    due = (
        SlaTarget.objects.filter(ticket=ticket, met_at__isnull=True, due_at__isnull=False)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    Ticket.objects.filter(pk=ticket.pk).update(next_due_at=due)
    ticket.next_due_at = due


def target_meet(ticket, kind, at):
    """The target is met (first public reply, committed date, resolution); its clock stops.

    A late answer is a breach: met after ``due_at`` stores ``breached_at = due_at`` on the
    row at meet time (and a breach event), whatever the sweep saw, so the ticket page,
    the compliance report and the API read one stored fact. Returns True if it was met.
    """
    target = SlaTarget.objects.filter(ticket=ticket, kind=kind, met_at__isnull=True).first()
    if target is None:
        return False
    late = target.due_at is not None and at > target.due_at and target.breached_at is None
    SlaTarget.objects.filter(pk=target.pk, met_at__isnull=True).update(
        met_at=at, **({"breached_at": target.due_at} if late else {})
    )
    if late:
        Event.objects.create(
            ticket=ticket, kind=Event.Kind.SLA_BREACH, field=kind, new_value="met_late", is_internal=True, created_at=at
        )
    _refresh_next_due(ticket)
    return True


def target_unmeet(ticket, kind):
    """A reopened ticket owes its resolution again."""
    if SlaTarget.objects.filter(ticket=ticket, kind=kind, met_at__isnull=False, merged_at__isnull=True).update(met_at=None):
        clock_recompute(ticket)


def on_status_change(ticket, old, new):
    if new == Status.RESOLVED:
        # Resolving also answers the commitment target (seed 001: a date, a refusal, or
        # the work itself); after its due time that is a late answer, i.e. a breach.
        now = timezone.now()
        target_meet(ticket, "resolution", now)
        target_meet(ticket, "commitment", now)
    if new == Status.OPEN and old in (Status.RESOLVED, Status.CLOSED):
        target_unmeet(ticket, "resolution")
    if (old in PAUSED_STATUSES) != (new in PAUSED_STATUSES):
        clock_recompute(ticket)


def ticket_reapply_tariff(ticket, tariff=None):
    """Admin's explicit choice: re-read the (current) tariff and recompute the deadlines."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        clock_start(ticket, tariff or ticket.tariff)
    return ticket


def business_seconds_since_filing(ticket, at):
    """Business time from filing to ``at`` minus paused spans (for first-response reports)."""
    if ticket.tariff_revision_id is None:
        return None
    pauses = _paused_spans(ticket)
    return int(business_time_between(calendar_of(ticket), ticket.created_at, at, pauses).total_seconds())


def business_time_left(ticket, due_at, now=None):
    """Business time from now until ``due_at`` on the ticket's calendar (negative if overdue)."""
    now = now or timezone.now()
    calendar = calendar_of(ticket)
    if due_at >= now:
        return business_time_between(calendar, now, due_at)
    return -business_time_between(calendar, due_at, now)


# --- Many tickets at once (an incident's update or resolution reaches hundreds) ------------
# The same rules as target_meet / on_status_change / business_seconds_since_filing, in a
# fixed number of statements instead of several per ticket.


def paused_spans_many(tickets):
    """{ticket id: _paused_spans(ticket)} in one query."""
    spans = {t.pk: [] for t in tickets}
    since = {}
    rows = Event.objects.filter(ticket_id__in=list(spans), kind=Event.Kind.STATUS).order_by(
        "ticket_id", "created_at", "pk").values_list("ticket_id", "new_value", "created_at")
    for ticket_id, new, at in rows:
        if new in PAUSED_STATUSES and ticket_id not in since:
            since[ticket_id] = at
        elif new not in PAUSED_STATUSES and ticket_id in since:
            spans[ticket_id].append((since.pop(ticket_id), at))
    for ticket_id, at in since.items():
        spans[ticket_id].append((at, None))
    return spans


def business_seconds_since_filing_many(tickets, at):
    """{ticket id: business_seconds_since_filing(ticket, at)} with one query."""
    pauses = paused_spans_many(tickets)
    calendars, result = {}, {}
    for ticket in tickets:
        if ticket.tariff_revision_id is None:
            result[ticket.pk] = None
            continue
        key = (ticket.tariff_revision_id, ticket.urgency)
        if key not in calendars:
            calendars[key] = calendar_of(ticket)
        result[ticket.pk] = int(business_time_between(calendars[key], ticket.created_at, at, pauses[ticket.pk]).total_seconds())
    return result


def targets_meet_many(tickets, kind, at):
    """``target_meet`` for many tickets: unmet targets of ``kind`` are met at ``at``; one met
    after its due time is a breach (``breached_at = due_at`` and a breach event), as one
    by one. Refreshes ``next_due_at`` (in the database and on the objects)."""
    ids = [t.pk for t in tickets]
    rows = list(SlaTarget.objects.filter(ticket_id__in=ids, kind=kind, met_at__isnull=True).values_list(
        "pk", "ticket_id", "due_at", "breached_at"))
    late = [(pk, ticket_id) for pk, ticket_id, due, breached in rows if due is not None and at > due and breached is None]
    late_pks = {pk for pk, _ticket in late}
    if late:
        SlaTarget.objects.filter(pk__in=late_pks, met_at__isnull=True).update(met_at=at, breached_at=models.F("due_at"))
        Event.objects.bulk_create([
            Event(ticket_id=ticket_id, kind=Event.Kind.SLA_BREACH, field=kind, new_value="met_late", is_internal=True,
                  created_at=at)
            for _pk, ticket_id in late
        ])
    on_time = [pk for pk, *_rest in rows if pk not in late_pks]
    if on_time:
        SlaTarget.objects.filter(pk__in=on_time, met_at__isnull=True).update(met_at=at)
    next_due_refresh_many(tickets)
    return {ticket_id for _pk, ticket_id, *_rest in rows}


def clocks_pause_many(tickets):
    """The clocks of tickets that just entered a paused status (resolved, closed): their
    unmet targets have no due time while paused, as ``clock_recompute`` leaves them."""
    SlaTarget.objects.filter(ticket_id__in=[t.pk for t in tickets], met_at__isnull=True).update(
        due_at=None, warn_at=None)
    next_due_refresh_many(tickets)


def next_due_refresh_many(tickets):
    """``Ticket.next_due_at`` of many tickets from their unmet targets, one statement."""
    if not tickets:
        return
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {Ticket._meta.db_table} t SET next_due_at = (
                    SELECT min(s.due_at) FROM {SlaTarget._meta.db_table} s
                    WHERE s.ticket_id = t.id AND s.met_at IS NULL AND s.due_at IS NOT NULL)
                WHERE t.id = ANY(%s) RETURNING t.id, t.next_due_at""",
            [[t.pk for t in tickets]],
        )
        due = dict(cursor.fetchall())
    for ticket in tickets:
        ticket.next_due_at = due.get(ticket.pk)
