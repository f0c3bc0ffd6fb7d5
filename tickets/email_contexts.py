"""Contexts of the ticket emails the worker renders (``helpdesk.mail.services.email_enqueue_deferred``).

Filing stores ids and the deadlines as promised at filing; the worker loads the rest
when it renders, so the request renders no template and reads nothing more for email."""

from datetime import datetime

from django.urls import reverse

from helpdesk.accounts.models import User
from helpdesk.mail.services import email_context_builder
from sla.promise import promise_sentences

from .models import Ticket
from .reply_address import ticket_reply_address

CREATED = "tickets.created"
AS_STORED = "tickets.as_stored"


def created_params(ticket, requester, targets):
    """What the confirmation needs from the request: who, which ticket, and the running
    deadlines at filing time (so the promise is the one the portal showed then)."""
    dues = {t.kind: t.due_at.isoformat() for t in targets if t.met_at is None and t.due_at is not None}
    return {"ticket_id": ticket.pk, "user_id": requester.pk, "dues": dues}


@email_context_builder(CREATED)
def created_context(*, ticket_id, user_id, dues):
    """The confirmation of a new ticket: reference, subject, link, the promise worded in
    the recipient's language and time zone (rendering runs in that language)."""
    ticket = Ticket.objects.only("pk", "number", "subject", "token").get(pk=ticket_id)
    user = User.objects.only("pk", "full_name", "time_zone").get(pk=user_id)
    promise = promise_sentences({kind: datetime.fromisoformat(at) for kind, at in dues.items()}, user.time_zone)
    return {"ticket": ticket, "user": user, "url": reverse("tickets:detail", args=[ticket.number]),
            "reply_by_email": bool(ticket_reply_address(ticket)), "promise": list(promise.values())}


@email_context_builder(AS_STORED)
def as_stored(**context):
    """A context stored whole because it is already plain text (the SLA digest's rows,
    formatted in the recipient's language by the sweep)."""
    return context
