"""The SLA sweep: beat's periodic pass that warns before deadlines and records breaches.

Set-based, so a burst after an outage costs a few statements, not a few per row: each
pass claims due targets with one ``UPDATE … RETURNING`` over a ``FOR UPDATE SKIP LOCKED``
subquery (the partial indexes on ``warn_at`` / ``due_at`` of running clocks keep it to
the due rows), escalates the breached tickets with one UPDATE, inserts the events in
bulk and queues the notifications, all in one transaction. Claiming and marking are one
statement, so two sweeps at once, or a sweep after a long outage, record each warning
and breach exactly once.

Notifications go to ``tickets.selectors.engineer_recipient`` (the assignee or the
queue). A recipient with more than ``SLA_DIGEST_THRESHOLD`` due targets in one pass gets
one digest listing them, most urgent first, instead of one email each.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from helpdesk.mail.services import email_enqueue

from .models import Event, Level, SlaTarget, Ticket
from .selectors import engineer_recipient

log = logging.getLogger(__name__)

NEXT_LEVEL = {Level.L1: Level.L2, Level.L2: Level.L3}

# Claim and mark in one statement. Locking the ticket row too (services lock the ticket
# before its targets) means a ticket an engineer is writing to is skipped, not waited on:
# no deadlock, and the skipped row is due again next pass.
_CLAIM = """
WITH due AS (
    SELECT st.id FROM tickets_slatarget st JOIN tickets_ticket t ON t.id = st.ticket_id
    WHERE st.met_at IS NULL AND st.{column} IS NOT NULL AND st.{column} <= %(now)s {condition}
    ORDER BY st.{column} LIMIT %(batch)s
    FOR UPDATE OF st, t SKIP LOCKED
)
UPDATE tickets_slatarget s SET {assignments}
FROM due WHERE s.id = due.id
RETURNING s.id, s.ticket_id, s.kind, s.minutes, s.due_at, s.warn_at
"""
BREACH_CLAIM = _CLAIM.format(
    column="due_at", condition="AND st.breached_at IS NULL",
    assignments="breached_at = %(now)s, warned_at = coalesce(s.warned_at, %(now)s)",
)
WARN_CLAIM = _CLAIM.format(
    column="warn_at", condition="AND st.warned_at IS NULL AND st.breached_at IS NULL",
    assignments="warned_at = %(now)s",
)
ESCALATE = """
UPDATE tickets_ticket t SET level = CASE o.level WHEN 'L1' THEN 'L2' ELSE 'L3' END
FROM (SELECT id, level FROM tickets_ticket WHERE id = ANY(%(ids)s) AND level IN ('L1', 'L2')) o
WHERE t.id = o.id
RETURNING t.id, o.level, t.level
"""


@dataclass
class Due:
    """One claimed target and what happened to it, for the notification."""

    target: SlaTarget
    breached: bool

    @property
    def urgency_key(self):
        # Breaches before warnings; within each, the earliest deadline first.
        return (0 if self.breached else 1, self.target.due_at or self.target.warn_at)


def _claim(sql, now, batch):
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "batch": batch})
        return [
            SlaTarget(pk=pk, ticket_id=ticket_id, kind=kind, minutes=minutes, due_at=due_at, warn_at=warn_at)
            for pk, ticket_id, kind, minutes, due_at, warn_at in cursor.fetchall()
        ]


def _escalate(ticket_ids, now):
    """Raise each ticket one level (L1 → L2 → L3); returns the escalation events."""
    if not ticket_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(ESCALATE, {"ids": list(ticket_ids)})
        rows = cursor.fetchall()
    return [
        Event(ticket_id=pk, kind=Event.Kind.ESCALATED, field="level", old_value=old, new_value=new,
              is_internal=True, created_at=now)
        for pk, old, new in rows
    ]


def sla_sweep(now=None, batch=10_000):
    """Warn before and record breaches of due targets; return (warned, breached).

    A ticket whose targets breach together is escalated once per sweep.
    """
    now = now or timezone.now()
    warned = breached = 0
    escalated = set()
    while True:
        with transaction.atomic():
            breaches = _claim(BREACH_CLAIM, now, batch)
            warnings = _claim(WARN_CLAIM, now, batch)
            if not breaches and not warnings:
                break
            to_escalate = {t.ticket_id for t in breaches} - escalated
            escalated |= to_escalate
            events = [
                Event(ticket_id=t.ticket_id, kind=Event.Kind.SLA_BREACH, field=t.kind, is_internal=True, created_at=now)
                for t in breaches
            ] + [
                Event(ticket_id=t.ticket_id, kind=Event.Kind.SLA_WARNING, field=t.kind, is_internal=True, created_at=now)
                for t in warnings
            ] + _escalate(to_escalate, now)
            Event.objects.bulk_create(events, batch_size=5000)
            _notify([Due(t, True) for t in breaches] + [Due(t, False) for t in warnings])
            warned += len(warnings)
            breached += len(breaches)
        if len(breaches) < batch and len(warnings) < batch:
            break
    return warned, breached


def _notify(dues):
    """One email per due target, or one digest per recipient with more than a few."""
    tickets = Ticket.objects.select_related("assignee").only(
        "number", "subject", "level", "token", "assignee__email", "assignee__language"
    ).in_bulk({d.target.ticket_id for d in dues})
    by_recipient = {}
    for due in dues:
        due.target.ticket = tickets[due.target.ticket_id]
        address, language = engineer_recipient(due.target.ticket)
        by_recipient.setdefault((address, language), []).append(due)
    for (address, language), items in by_recipient.items():
        items.sort(key=lambda d: d.urgency_key)
        if len(items) > settings.SLA_DIGEST_THRESHOLD:
            _guarded(_notify_digest, address, language, items)
        else:
            for due in items:
                template = "tickets/email/sla_breach" if due.breached else "tickets/email/sla_warning"
                _guarded(notify_engineers, due.target.ticket, template, due.target)


def _guarded(send, *args):
    """A broken email (a template error, say) is logged and skipped; the rows stay marked."""
    try:
        with transaction.atomic():
            send(*args)
    except Exception:  # noqa: BLE001 - the sweep must go on
        log.exception("SLA sweep could not queue a notification")


def notify_engineers(ticket, template, target):
    """One SLA email about one target of a ticket, to the assignee or the queue."""
    from .services import ticket_email_headers

    recipient, language = engineer_recipient(ticket)
    email_enqueue(
        to=recipient,
        template=template,
        context={"ticket": ticket, "target": target, "url": reverse("workspace:work", args=[ticket.number])},
        language=language,
        topic=f"ticket:{ticket.number}",
        headers=ticket_email_headers(ticket),
    )


def _notify_digest(address, language, items):
    rows = [
        {"ticket": d.target.ticket, "target": d.target, "breached": d.breached,
         "url": reverse("workspace:work", args=[d.target.ticket.number])}
        for d in items
    ]
    email_enqueue(
        to=address,
        template="tickets/email/sla_digest",
        context={"rows": rows, "breached": sum(d.breached for d in items), "warned": sum(not d.breached for d in items),
                 "total": len(items), "queue_url": reverse("workspace:queue")},
        language=language,
        topic="sla-digest",
    )
