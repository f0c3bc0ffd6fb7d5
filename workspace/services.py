"""Engineer-only actions on a ticket: triage, commitment or refusal, escalation, phone
calls and resolution. The shared lifecycle (create, reply, transition, assign) is in
``services.py``; both write events the same way."""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing.services import wallet_charge_call, wallet_refund_ticket
from helpdesk.accounts.models import User
from helpdesk.mail.services import email_enqueue
from knowledgebase.models import Article
from knowledgebase.services import article_create
from tickets import sla_clock
from tickets.models import Channel, Event, Kind, Level, Message, PhoneCall, Status, Ticket
from tickets.search import ticket_search_append
from tickets.selectors import ticket_customer_recipients
from tickets.services import (
    ticket_email_headers,
    ticket_lock,
    ticket_mark_triaged,
    ticket_reply,
    ticket_set_status,
    ticket_transition,
)

from .models import SavedView, TicketSeen

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
    """The requester and the ticket's watchers (``tickets.selectors.ticket_customer_recipients``)."""
    for person in ticket_customer_recipients(ticket):
        email_enqueue(
            to=person.email,
            template=template,
            context={"ticket": ticket, "user": person, "url": reverse("tickets:detail", args=[ticket.number]), **extra},
            language=person.email_language(ticket.language),
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


def _tell_engineers(ticket, engineers, template, **extra):
    for engineer in engineers:
        email_enqueue(
            to=engineer.email,
            template=template,
            context={"ticket": ticket, "user": engineer, "url": reverse("workspace:work", args=[ticket.number]), **extra},
            language=engineer.language or settings.LANGUAGE_CODE,
            topic=f"ticket:{ticket.number}",
            headers=ticket_email_headers(ticket),
        )


def level_engineers(level):
    """Active engineers of a support level (L1 is also everyone without a level)."""
    engineers = User.objects.filter(role=User.Role.ENGINEER, is_active=True)
    if level == Level.L1:
        return engineers.filter(support_level__in=[Level.L1, ""])
    return engineers.filter(support_level=level)


def ticket_escalate(*, ticket, actor, to_level, reason, to_engineer=None, keep_commitment=True):
    """Move a ticket between L1, L2 and L3 with a reason, recorded in the history.

    Any engineer may raise a ticket at or above their own reach; sending one back down
    is for leads (L3 or admins). The receiving side is emailed: the named engineer (who
    then has the ticket) or else every engineer of the new level. A committed completion
    date stays only when the escalating engineer says it still stands.
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
        note = Message.objects.create(
            ticket=ticket, author=actor, visibility=Message.Visibility.INTERNAL, created_at=now,
            body=_("Level %(old)s → %(new)s: %(reason)s") % {"old": current, "new": to_level, "reason": reason},
        )
        ticket_search_append(ticket, note.body, internal=True)
        ticket.level = to_level
        if to_engineer is not None:
            if not to_engineer.is_engineer or not to_engineer.is_active:
                raise ValidationError(_("Only an active engineer can receive a ticket."))
            if ticket.assignee_id != to_engineer.pk:
                Event.objects.create(
                    ticket=ticket, actor=actor, kind=Event.Kind.ASSIGNED, field="assignee",
                    old_value=ticket.assignee.full_name if ticket.assignee_id else "", new_value=to_engineer.full_name,
                    created_at=now,
                )
            ticket.assignee = to_engineer
        elif not down:
            ticket.assignee = None  # the higher level's queue picks it up
        if ticket.planned_at is not None and not keep_commitment:
            _field_event(ticket, actor, "planned_at", ticket.planned_at.isoformat(), "", now)
            ticket.planned_at = None
        ticket.updated_at = now
        ticket.save()
        recipients = [to_engineer] if to_engineer is not None else list(level_engineers(to_level).exclude(pk=actor.pk))
        _tell_engineers(
            ticket, recipients, "workspace/email/escalated", actor=actor, reason=reason, old_level=current,
            commitment_kept=ticket.planned_at is not None,
        )
    return ticket


# "@" then a handle: the part of an engineer's email before the "@", or their name
# without spaces ("@anna.k", "@AnnaKowalska"). Case does not matter.
MENTION_RE = re.compile(r"(?<![\w@])@([\w][\w.\-]*[\w]|[\w])", re.UNICODE)


def _handle(text):
    return "".join(text.split()).casefold()


def mentioned_engineers(body):
    """Engineers named with ``@handle`` in a text. A handle that fits more than one
    active engineer (or none) names nobody: a note never reaches the wrong person."""
    handles = {m.group(1).casefold() for m in MENTION_RE.finditer(body or "")}
    if not handles:
        return []
    engineers = User.objects.filter(role=User.Role.ENGINEER, is_active=True).only("pk", "email", "full_name", "language")
    by_handle = {}
    for engineer in engineers:
        keys = {engineer.email.split("@")[0].casefold(), _handle(engineer.full_name)}
        for key in keys - {""}:
            by_handle.setdefault(key, set()).add(engineer)
    found = {}
    for handle in handles:
        matches = by_handle.get(handle, set())
        if len(matches) == 1:
            engineer = next(iter(matches))
            found[engineer.pk] = engineer
    return sorted(found.values(), key=lambda e: e.full_name)


def ticket_note_add(*, ticket, author, body, files=()):
    """An internal note; every engineer it names with ``@handle`` is emailed (not the author)."""
    with transaction.atomic():
        message = ticket_reply(ticket=ticket, author=author, body=body, files=files, internal=True)
        named = [e for e in mentioned_engineers(body) if e.pk != author.pk]
        _tell_engineers(ticket, named, "workspace/email/mentioned", actor=author, message=message)
    return message


def ticket_seen_mark(*, user, ticket, at=None):
    """Remember that an engineer has seen the ticket as it is now (one upsert)."""
    TicketSeen.objects.bulk_create(
        [TicketSeen(user=user, ticket=ticket, seen_at=at or timezone.now())],
        update_conflicts=True, unique_fields=["user", "ticket"], update_fields=["seen_at"],
    )


SAVED_VIEW_LIMIT = 20


def saved_view_save(*, user, name, query):
    """Save (or overwrite, by name) a personal queue view; at most SAVED_VIEW_LIMIT each."""
    _require_engineer(user)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    existing = SavedView.objects.filter(user=user)
    if not existing.filter(name=name).exists() and existing.count() >= SAVED_VIEW_LIMIT:
        raise ValidationError({"name": _("You have %(n)d saved views; delete one first.") % {"n": SAVED_VIEW_LIMIT}})
    view, _created = SavedView.objects.update_or_create(user=user, name=name, defaults={"query": query[:1000]})
    return view


def saved_view_delete(*, user, pk):
    """An engineer deletes one of their own saved views; others' are never touched."""
    SavedView.objects.filter(user=user, pk=pk).delete()


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
