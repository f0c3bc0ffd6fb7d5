"""Engineer-only actions on a ticket: triage, commitment or refusal, escalation, phone
calls and resolution. The shared lifecycle (create, reply, transition, assign) is in
``services.py``; both write events the same way."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing.services import wallet_charge_call, wallet_refund_ticket
from helpdesk.mail.services import email_enqueue
from knowledgebase.models import Article
from knowledgebase.services import article_create
from tickets import sla_clock
from tickets.models import Channel, Event, Kind, Level, Message, PhoneCall, Status, Ticket
from tickets.services import (
    ticket_email_headers,
    ticket_lock,
    ticket_mark_triaged,
    ticket_set_status,
    ticket_transition,
)

LEVEL_ORDER = {Level.L1: 1, Level.L2: 2, Level.L3: 3}


def _engineer_level(user):
    return LEVEL_ORDER.get(user.support_level or "L1", 1)


def can_lead(user):
    """Leads (L3 engineers and admins) see reports and may send tickets back down."""
    return user.is_lead


def _require_engineer(user):
    if not user.is_engineer:
        raise PermissionDenied(_("Only engineers can do this."))


def _tell_customer(ticket, template, **extra):
    email_enqueue(
        to=ticket.requester.email,
        template=template,
        context={"ticket": ticket, "user": ticket.requester, "url": reverse("tickets:detail", args=[ticket.number]), **extra},
        language=ticket.requester.language or ticket.language,
        topic=f"ticket:{ticket.number}",
        headers=ticket_email_headers(ticket),
    )


def _field_event(ticket, actor, field, old, new, now):
    Event.objects.create(
        ticket=ticket, actor=actor, kind=Event.Kind.FIELD, field=field,
        old_value=str(old or "")[:200], new_value=str(new or "")[:200], is_internal=True, created_at=now,
    )


def ticket_triage(*, ticket, actor, urgency, root_cause=None, effort_minutes=None):
    """Set urgency, root cause and effort. Triage sets the SLA urgency (it may confirm a
    customer-declared emergency); a changed urgency recomputes the clocks from filing time.
    A root cause that is not charged (a product defect) gives the ticket's points back, once."""
    _require_engineer(actor)
    with transaction.atomic():
        ticket = ticket_lock(ticket)
        now = timezone.now()
        changed_urgency = ticket.urgency != urgency
        for field, new in (("urgency", urgency), ("root_cause", root_cause), ("effort_minutes", effort_minutes)):
            old = getattr(ticket, field)
            if old != new:
                _field_event(ticket, actor, field, old, new, now)
                setattr(ticket, field, new)
        Event.objects.create(ticket=ticket, actor=actor, kind=Event.Kind.TRIAGED, is_internal=True, created_at=now)
        ticket_mark_triaged(ticket, now)
        ticket.updated_at = now
        ticket.save()
        if changed_urgency:
            sla_clock.clock_recompute(ticket)
        if root_cause is not None and root_cause.free_of_charge:
            wallet_refund_ticket(
                organisation=ticket.organisation, ticket_number=ticket.number, actor=actor,
                reason=_("Not charged: %(cause)s") % {"cause": root_cause.name},
            )
    return ticket


def ticket_commit(*, ticket, actor, planned_at):
    """Commit to a completion date: the customer is told, and the commitment target is met."""
    _require_engineer(actor)
    now = timezone.now()
    if planned_at <= now:
        raise ValidationError(_("The planned completion must be in the future."))
    with transaction.atomic():
        ticket = ticket_lock(ticket)
        if ticket.status in (Status.RESOLVED, Status.CLOSED):
            raise ValidationError(_("A resolved or closed ticket needs no completion date."))
        ticket.planned_at = planned_at
        ticket.refusal_reason = ""
        if ticket.assignee_id is None:
            ticket.assignee = actor
        Event.objects.create(
            ticket=ticket, actor=actor, kind=Event.Kind.COMMITTED, field="planned_at",
            new_value=planned_at.isoformat(), created_at=now,
        )
        if ticket.status == Status.NEW:
            ticket_set_status(ticket, Status.OPEN, actor, now)
        ticket.updated_at = now
        ticket.save()
        sla_clock.target_meet(ticket, "commitment", now)
        _tell_customer(ticket, "tickets/email/commitment")
    return ticket


def ticket_refuse(*, ticket, actor, reason):
    """A justified refusal also answers the commitment target (seed 001)."""
    _require_engineer(actor)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError(_("Explain the refusal to the customer in a sentence or two."))
    with transaction.atomic():
        ticket = ticket_lock(ticket)
        now = timezone.now()
        ticket.refusal_reason = reason
        ticket.planned_at = None
        Event.objects.create(ticket=ticket, actor=actor, kind=Event.Kind.REFUSED, created_at=now)
        ticket.updated_at = now
        ticket.save()
        sla_clock.target_meet(ticket, "commitment", now)
        _tell_customer(ticket, "tickets/email/refusal")
    return ticket


def ticket_escalate(*, ticket, actor, to_level, reason):
    """Move a ticket between L1, L2 and L3 with a reason, recorded in the history.

    Any engineer may raise a ticket at or above their own reach; sending one back down
    is for leads (L3 or admins).
    """
    _require_engineer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the ticket changes level."))
    to_level = Level(to_level)
    with transaction.atomic():
        ticket = ticket_lock(ticket)
        current = Level(ticket.level)
        if to_level == current:
            raise ValidationError(_("The ticket is already at this level."))
        down = LEVEL_ORDER[to_level] < LEVEL_ORDER[current]
        if down and not can_lead(actor):
            raise PermissionDenied(_("Only leads can send a ticket back to a lower level."))
        if not down and _engineer_level(actor) < LEVEL_ORDER[current]:
            raise PermissionDenied(_("This ticket is above your level."))
        now = timezone.now()
        Event.objects.create(
            ticket=ticket, actor=actor, kind=Event.Kind.ESCALATED, field="level",
            old_value=current, new_value=to_level, is_internal=True, created_at=now,
        )
        Message.objects.create(
            ticket=ticket, author=actor, visibility=Message.Visibility.INTERNAL, created_at=now,
            body=_("Level %(old)s → %(new)s: %(reason)s") % {"old": current, "new": to_level, "reason": reason},
        )
        ticket.level = to_level
        if not down:
            ticket.assignee = None  # the higher level's queue picks it up
        ticket.updated_at = now
        ticket.save()
    return ticket


def phone_call_log(*, ticket, actor, direction, duration_minutes, summary, started_at=None, callback=None):
    """Log a call; it answers the callback request it refers to, and costs its minutes
    under a tariff that charges points for phone time."""
    _require_engineer(actor)
    if ticket.tariff is None or not ticket.tariff.allows(Channel.PHONE):
        raise ValidationError(_("This ticket's tariff has no phone support."))
    with transaction.atomic():
        now = timezone.now()
        call = PhoneCall.objects.create(
            ticket=ticket, engineer=actor, direction=direction, duration_minutes=duration_minutes,
            summary=summary, started_at=started_at or now, callback=callback,
        )
        if callback is not None:
            type(callback).objects.filter(pk=callback.pk, handled_at__isnull=True).update(handled_at=now)
        wallet_charge_call(
            organisation=ticket.organisation, tariff=ticket.tariff, phone_call_id=call.pk,
            ticket_number=ticket.number, minutes=duration_minutes,
        )
        Event.objects.create(
            ticket=ticket, actor=actor, kind=Event.Kind.CALL, new_value=f"{duration_minutes}", is_internal=True,
            created_at=now,
        )
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    return call


def ticket_resolve(*, ticket, actor, summary, prevention=""):
    """Resolve with what was fixed and how to prevent it; both reach the customer.

    For a system error both are required (seed 001); other types need the summary.
    """
    _require_engineer(actor)
    summary, prevention = (summary or "").strip(), (prevention or "").strip()
    errors = {}
    if not summary:
        errors["summary"] = _("Say what was done.")
    if ticket.kind == Kind.ERROR and not prevention:
        errors["prevention"] = _("For a system error, tell the customer how to prevent it.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(resolution_summary=summary, prevention=prevention)
        ticket.resolution_summary, ticket.prevention = summary, prevention
        return ticket_transition(ticket=ticket, actor=actor, to_status=Status.RESOLVED)


RESOLVED_STATUSES = (Status.RESOLVED, Status.CLOSED)


def ticket_article_draft(*, ticket, actor):
    """A draft knowledge-base article from a resolved ticket's resolution (what was fixed,
    how to prevent it), in the ticket's language, linked both ways. Once per ticket: a
    second call returns the article already written."""
    _require_engineer(actor)
    if ticket.status not in RESOLVED_STATUSES:
        raise ValidationError(_("Only a resolved ticket can become an article."))
    if not ticket.resolution_summary.strip():
        raise ValidationError(_("Write what was fixed before turning the ticket into an article."))
    with transaction.atomic():
        ticket = ticket_lock(ticket)
        existing = ticket.knowledge_articles.order_by("pk").first()
        if existing is not None:
            return existing
        with translation.override(ticket.language):
            sections = [f"## {_('What was fixed')}\n\n{ticket.resolution_summary.strip()}"]
            if ticket.prevention.strip():
                sections.append(f"## {_('How to prevent it')}\n\n{ticket.prevention.strip()}")
        article = article_create(
            author=actor, title=ticket.subject, body="\n\n".join(sections), language=ticket.language,
            status=Article.Status.DRAFT, visibility=Article.Visibility.PUBLIC,
        )
        ticket.knowledge_articles.add(article)
    return article
