"""The SLA sweep: beat's periodic pass that warns before deadlines and records breaches.

Set-based, so a burst after an outage costs a few statements, not a few per row: each
pass claims due targets with one ``UPDATE … RETURNING`` over a ``FOR UPDATE SKIP LOCKED``
subquery that also inserts their events (the partial indexes on ``warn_at`` / ``due_at``
of running clocks keep it to the due rows), escalates the breached tickets with one
UPDATE that logs its events too, and queues the notifications, all in one transaction. Claiming and marking are one
statement, so two sweeps at once, or a sweep after a long outage, record each warning
and breach exactly once.

Notifications go to ``tickets.selectors.engineer_recipient`` (the assignee or the
queue). A recipient with more than ``SLA_DIGEST_THRESHOLD`` due targets in one pass gets
one digest listing them, most urgent first, instead of one email each.
"""

import logging
from dataclasses import dataclass
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helpdesk.accounts.models import User
from helpdesk.mail.services import email_enqueue, email_enqueue_deferred
from sla.models import TargetKind

from . import email_contexts
from .models import Event, SlaTarget, Ticket, format_reference
from .selectors import engineer_address, engineer_recipient

log = logging.getLogger(__name__)

# Claim, mark and log in one statement. Locking the ticket row too (services lock the
# ticket before its targets) means a ticket an engineer is writing to is skipped, not
# waited on: no deadlock, and the skipped row is due again next pass.
_CLAIM = """
WITH due AS (
    SELECT st.id FROM tickets_slatarget st JOIN tickets_ticket t ON t.id = st.ticket_id
    WHERE st.met_at IS NULL AND st.{column} IS NOT NULL AND st.{column} <= %(now)s {condition}
    ORDER BY st.{column} LIMIT %(batch)s
    FOR UPDATE OF st, t SKIP LOCKED
), claimed AS (
    UPDATE tickets_slatarget s SET {assignments}
    FROM due, tickets_ticket t WHERE s.id = due.id AND t.id = s.ticket_id
    RETURNING s.id, s.ticket_id, s.kind, s.due_at, s.warn_at, t.number, t.subject, t.level, t.assignee_id
), logged AS (
    INSERT INTO tickets_event (ticket_id, actor_id, kind, field, old_value, new_value, is_internal, created_at)
    SELECT ticket_id, NULL, '{event}', kind, '', '', true, %(now)s FROM claimed
)
SELECT * FROM claimed
"""
BREACH_CLAIM = _CLAIM.format(
    column="due_at", condition="AND st.breached_at IS NULL", event=Event.Kind.SLA_BREACH.value,
    assignments="breached_at = %(now)s, warned_at = coalesce(s.warned_at, %(now)s)",
)
WARN_CLAIM = _CLAIM.format(
    column="warn_at", condition="AND st.warned_at IS NULL AND st.breached_at IS NULL",
    event=Event.Kind.SLA_WARNING.value, assignments="warned_at = %(now)s",
)
# One level up (L1 → L2 → L3) for each breached ticket not yet escalated in this sweep,
# with its event; the rows are already locked by the claim.
ESCALATE = """
WITH raised AS (
    UPDATE tickets_ticket t SET level = CASE t.level WHEN 'L1' THEN 'L2' ELSE 'L3' END
    WHERE t.id = ANY(%(ids)s) AND t.level IN ('L1', 'L2')
    RETURNING t.id, t.level
)
INSERT INTO tickets_event (ticket_id, actor_id, kind, field, old_value, new_value, is_internal, created_at)
SELECT id, NULL, 'escalated', 'level', CASE level WHEN 'L2' THEN 'L1' ELSE 'L2' END, level, true, %(now)s FROM raised
RETURNING ticket_id, new_value
"""


@dataclass(slots=True)
class Due:
    """One claimed target and the facts of its ticket the notification needs (plain
    values: a burst claims thousands, and only a few become model instances, in
    ``target``, for an email of their own)."""

    pk: int
    ticket_id: int
    kind: str
    due_at: object
    warn_at: object
    breached: bool
    number: int
    subject: str
    level: str
    assignee_id: int | None

    @property
    def target(self):
        return SlaTarget(pk=self.pk, ticket_id=self.ticket_id, kind=self.kind, due_at=self.due_at, warn_at=self.warn_at)

    @property
    def urgency_key(self):
        # Breaches before warnings; within each, the earliest deadline first.
        return (0 if self.breached else 1, self.due_at or self.warn_at)


def _claim(sql, now, batch, breached):
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "batch": batch})
        return [
            Due(pk, ticket_id, kind, due_at, warn_at, breached, *ticket)
            for pk, ticket_id, kind, due_at, warn_at, *ticket in cursor.fetchall()
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
            with connection.cursor() as cursor:
                # The planner prices the claims by the whole partial index and would JIT-compile
                # them (~0.1 s a statement); they touch only the due rows, so plain is faster.
                cursor.execute("SET LOCAL jit = off")
            breaches = _claim(BREACH_CLAIM, now, batch, breached=True)
            warnings = _claim(WARN_CLAIM, now, batch, breached=False)
            if not breaches and not warnings:
                break
            to_escalate = {d.ticket_id for d in breaches} - escalated
            if to_escalate:
                escalated |= to_escalate
                with connection.cursor() as cursor:
                    cursor.execute(ESCALATE, {"ids": list(to_escalate), "now": now})
                    raised = dict(cursor.fetchall())
                for due in breaches + warnings:
                    due.level = raised.get(due.ticket_id, due.level)
            _notify(breaches + warnings)
            warned += len(warnings)
            breached += len(breaches)
        if len(breaches) < batch and len(warnings) < batch:
            break
    return warned, breached


def _notify(dues):
    """One email per due target, or one digest per recipient with more than a few.

    Read as plain rows (a burst has thousands); model instances only for the few
    tickets that get an email of their own."""
    assignees = User.objects.in_bulk({d.assignee_id for d in dues if d.assignee_id})
    by_recipient = {}
    for due in dues:
        by_recipient.setdefault(engineer_address(assignees.get(due.assignee_id)), []).append(due)
    single = []
    for (address, language), items in by_recipient.items():
        items.sort(key=lambda d: d.urgency_key)
        if len(items) > settings.SLA_DIGEST_THRESHOLD:
            _guarded(_notify_digest, address, language, items)
        else:
            single.extend(items)
    tickets = Ticket.objects.select_related("assignee").in_bulk({d.ticket_id for d in single})
    for due in single:
        template = "tickets/email/sla_breach" if due.breached else "tickets/email/sla_warning"
        _guarded(notify_engineers, tickets[due.ticket_id], template, due.target)


def _guarded(send, *args):
    """A broken email (a template error, say) is logged and skipped; the rows stay marked."""
    try:
        with transaction.atomic():
            send(*args)
    except Exception:  # noqa: BLE001 - the sweep must go on
        log.exception("SLA sweep could not queue a notification")


def notify_engineers(ticket, template, target):
    """One SLA email about one target of a ticket, to the assignee or the queue."""
    from .reply_address import ticket_email_headers

    recipient, language = engineer_recipient(ticket)
    email_enqueue(
        to=recipient,
        template=template,
        context={"ticket": ticket, "target": target, "url": reverse("workspace:work", args=[ticket.number])},
        language=language,
        topic=f"ticket:{ticket.number}",
        headers=ticket_email_headers(ticket, engineer_address=recipient),
    )


def _notify_digest(address, language, items):
    """One email listing the most urgent ``SLA_DIGEST_MAX_ROWS`` targets (breaches first,
    then the earliest deadline); the rest are counted and linked to the queue. The rows
    are formatted here, not in the template: a burst renders thousands of them."""
    work_url = reverse("workspace:work", args=[0])[: -len("0/")]
    shown = items[: settings.SLA_DIGEST_MAX_ROWS]
    rows = []
    with translation.override(language):
        labels = {kind: str(label) for kind, label in TargetKind.choices}
        for d in shown:
            due = d.due_at.astimezone(dt_timezone.utc).strftime("%Y-%m-%d %H:%M") if d.due_at else ""
            state = (
                _("missed, was due %(at)s UTC, now at level %(level)s") % {"at": due, "level": d.level}
                if d.breached else _("due %(at)s UTC") % {"at": due}
            )
            rows.append({
                "reference": format_reference(d.number), "subject": d.subject,
                "target": labels.get(d.kind, d.kind), "state": state, "url": f"{work_url}{d.number}/",
            })
    # Rendered by the worker (three templates of up to a hundred rows each): the sweep
    # holds its claims' row locks until it commits, so it stores only the rows' text.
    email_enqueue_deferred(
        to=address,
        template="tickets/email/sla_digest",
        builder=email_contexts.AS_STORED,
        params={"rows": rows, "breached": sum(d.breached for d in items), "warned": sum(not d.breached for d in items),
                "total": len(items), "more": len(items) - len(shown), "queue_url": reverse("workspace:queue")},
        language=language,
        topic="sla-digest",
    )
