"""Every write to an incident goes through here: its pages, the queue's bulk form, the API,
the filing receiver and the delivery task alike."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.mail.services import email_enqueue
from helpdesk.redis_guard import redis_is_down, redis_mark_down
from tickets import sla_clock
from tickets.models import OPEN_STATUSES, Event, Message, Status, Ticket
from tickets.search import ticket_search_append_many
from tickets.services import tickets_set_status_many

from . import selectors
from .models import (
    LANGUAGES,
    TRANSITIONS,
    Incident,
    IncidentEvent,
    IncidentSubscription,
    IncidentSuggestion,
    IncidentTicket,
    IncidentUpdate,
    State,
)

log = logging.getLogger(__name__)


def _engineer_check(actor):
    if actor is None or not actor.is_engineer:
        raise PermissionDenied(_("Only engineers can manage incidents."))


def _texts_check(data, prefix, message):
    if not any((data.get(f"{prefix}_{code}") or "").strip() for code in LANGUAGES):
        raise ValidationError({f"{prefix}_en": message})


def incident_declare(*, actor, data, organisations=(), editions=(), tariffs=()):
    """An engineer declares an incident: a title and a public status text in at least one
    of ru/pl/en (readers of another language see the first written one), what it affects
    (everyone, or organisations, editions, tariffs; at least one) and its first state.
    The declaration is the incident's first public update."""
    _engineer_check(actor)
    _texts_check(data, "title", _("Give the incident a title in at least one language."))
    _texts_check(data, "status_text", _("Write the public status in at least one language."))
    if not data.get("affects_everyone") and not (organisations or editions or tariffs):
        raise ValidationError({"affects_everyone": _("Say who is affected: everyone, or organisations, products or services.")})
    state = State(data.get("state") or State.INVESTIGATING)
    if state == State.RESOLVED:
        raise ValidationError({"state": _("An incident is declared open; resolve it with its resolution.")})
    fields = {f"{p}_{c}": (data.get(f"{p}_{c}") or "").strip() for p in ("title", "status_text") for c in LANGUAGES}
    with transaction.atomic():
        incident = Incident.objects.create(
            declared_by=actor, state=state, affects_everyone=bool(data.get("affects_everyone")), **fields,
        )
        incident.organisations.set(organisations)
        incident.editions.set(editions)
        incident.tariffs.set(tariffs)
        IncidentEvent.objects.create(incident=incident, actor=actor, kind=IncidentEvent.Kind.DECLARED, new_value=state)
        IncidentUpdate.objects.create(
            incident=incident, author=actor, state=state, delivered_at=timezone.now(),
            **{f"body_{c}": fields[f"status_text_{c}"] for c in LANGUAGES},
        )
    return incident


def _lock(incident):
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _set_state(incident, state, actor, now):
    if state == incident.state:
        return
    if state not in TRANSITIONS[State(incident.state)]:
        raise ValidationError({"state": _("An incident that is “%(old)s” cannot become “%(new)s”.") % {
            "old": State(incident.state).label, "new": State(state).label}})
    IncidentEvent.objects.create(
        incident=incident, actor=actor, kind=IncidentEvent.Kind.STATE, old_value=incident.state, new_value=state,
        created_at=now,
    )
    incident.state = state
    if state == State.RESOLVED:
        incident.resolved_at = now


def incident_update_post(*, incident, actor, state, texts):
    """A public update: the incident's new state and status text (at least one language).
    It becomes the status page's text at once; a worker then posts it into every linked
    ticket's conversation and emails every person concerned once (``incident_update_deliver``)."""
    _engineer_check(actor)
    _texts_check(texts, "body", _("Write the update in at least one language."))
    state = State(state)
    if state == State.RESOLVED:
        raise ValidationError({"state": _("Resolve the incident with its resolution: what was fixed and how it is prevented.")})
    return _post(incident, actor, state, texts)


def incident_resolve(*, incident, actor, summary, prevention, texts=None):
    """Resolve the incident with what was fixed and how it is prevented (seed 001). Its
    linked open tickets are resolved with that summary, except those an engineer marked
    to stay open (unlinked ones are no longer linked); each person concerned is told once."""
    _engineer_check(actor)
    summary, prevention = (summary or "").strip(), (prevention or "").strip()
    errors = {}
    if not summary:
        errors["summary"] = _("Say what was fixed.")
    if not prevention:
        errors["prevention"] = _("Say how it is prevented from happening again.")
    if errors:
        raise ValidationError(errors)
    texts = {k: v for k, v in (texts or {}).items() if v}
    return _post(incident, actor, State.RESOLVED, texts, summary=summary, prevention=prevention)


def _post(incident, actor, state, texts, summary="", prevention=""):
    bodies = {f"body_{c}": (texts.get(f"body_{c}") or "").strip() for c in LANGUAGES}
    with transaction.atomic():
        incident = _lock(incident)
        if not incident.is_open:
            raise ValidationError(_("This incident is resolved; declare a new one if the problem is back."))
        now = timezone.now()
        _set_state(incident, state, actor, now)
        for code in LANGUAGES:
            if bodies[f"body_{code}"]:
                setattr(incident, f"status_text_{code}", bodies[f"body_{code}"])
        if state == State.RESOLVED:
            incident.resolution_summary, incident.prevention = summary, prevention
        incident.save()
        update = IncidentUpdate.objects.create(incident=incident, author=actor, state=state, created_at=now, **bodies)
        IncidentEvent.objects.create(incident=incident, actor=actor, kind=IncidentEvent.Kind.UPDATE, new_value=state,
                                     created_at=now)
        transaction.on_commit(lambda: _deliver_later(update.pk))
    return update


def _deliver_later(update_id):
    """Hand the update to a worker; with Redis down it waits for beat's sweep."""
    from .tasks import deliver_incident_update

    if redis_is_down():
        log.info("Redis is down; incident update %s waits for the sweep", update_id)
        return
    try:
        deliver_incident_update.apply_async((update_id,), retry=False)
    except Exception as error:  # noqa: BLE001 - any broker failure; sweep_incident_updates retries
        redis_mark_down(error)
        log.warning("could not publish incident update %s; the sweep will deliver it", update_id)


def _ticket_text(update, incident, ticket):
    """What the update says in the ticket's conversation, in the ticket's language."""
    language = ticket.language
    text = update.body_in(language)
    if update.is_resolution:
        return "\n\n".join(p for p in (text, _("What was fixed: %(s)s") % {"s": incident.resolution_summary},
                                       _("How it is prevented: %(s)s") % {"s": incident.prevention}) if p)
    return text


def incident_update_deliver(update_id):
    """Deliver one update, once (safe to run twice: the update row is locked and marked).

    * Every linked ticket still open gets the update as a public message authored by the
      engineer who posted it (in the ticket's language; set-based inserts).
    * First response: a linked ticket without one whose tariff has
      ``incident_update_is_first_response`` gets its first response from the update (its
      first-response target is met, a new ticket opens, it no longer awaits a reply);
      under any other tariff its clock keeps running and an engineer still owes a reply.
    * A resolution resolves every linked open ticket not marked to stay open, with the
      incident's summary and prevention as its resolution (no survey email: see below).
    * Every requester of a linked ticket and every subscriber gets one email, in their
      language, listing their tickets: one per update per person, however many tickets.
    """
    from django.utils import translation

    with transaction.atomic():
        update = IncidentUpdate.objects.select_for_update().select_related("incident", "author").filter(
            pk=update_id, delivered_at=None).first()
        if update is None:
            return None
        incident, author, now = update.incident, update.author, timezone.now()
        tickets = list(
            Ticket.objects.select_for_update(of=("self",)).filter(
                incident_links__incident=incident, status__in=OPEN_STATUSES,
            ).select_related("tariff").order_by("pk")
        )
        keep_open = set(IncidentTicket.objects.filter(incident=incident, keep_open=True).values_list("ticket_id", flat=True))
        messages, events = [], []
        for ticket in tickets:
            with translation.override(ticket.language):
                body = _ticket_text(update, incident, ticket)
            messages.append(Message(ticket=ticket, author=author, body=body, visibility=Message.Visibility.PUBLIC,
                                    created_at=now))
            events.append(Event(ticket=ticket, actor=author, kind=Event.Kind.REPLIED, created_at=now))
        Message.objects.bulk_create(messages)
        ticket_search_append_many([(m.ticket, m.body, False) for m in messages])
        Event.objects.bulk_create(events)
        changed = {}
        counts = [t for t in tickets if t.first_response_at is None and t.tariff is not None
                  and t.tariff.incident_update_is_first_response]
        if counts:
            seconds = sla_clock.business_seconds_since_filing_many(counts, now)
            sla_clock.targets_meet_many(counts, "first_response", now)
            for ticket in counts:
                ticket.first_response_at = now
                ticket.first_response_business_seconds = seconds[ticket.pk]
                ticket.awaiting_reply_since = None
                changed[ticket.pk] = ticket
            tickets_set_status_many([t for t in counts if t.status == Status.NEW], Status.OPEN, author, now)
        if update.is_resolution:
            closing = [t for t in tickets if t.pk not in keep_open]
            for ticket in closing:
                ticket.resolution_summary = ticket.resolution_summary or incident.resolution_summary
                ticket.prevention = ticket.prevention or incident.prevention
                changed[ticket.pk] = ticket
            tickets_set_status_many(closing, Status.RESOLVED, author, now)
        if changed:
            Ticket.objects.bulk_update(list(changed.values()), [
                "status", "first_response_at", "first_response_business_seconds", "awaiting_reply_since",
                "resolution_summary", "prevention", "resolved_at", "closed_at", "next_due_at",
            ], batch_size=500)
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(updated_at=now)
        people = selectors.incident_recipients(incident)
        status_url = reverse("incidents:status")
        for user, own in people.values():
            language = user.email_language(own[0].language if own else None)
            email_enqueue(
                to=user.email,
                template="incidents/email/update",
                context={"incident": incident, "update": update, "user": user, "title": incident.title_in(language),
                         "text": update.body_in(language), "state": State(update.state).label,
                         "tickets": [(t.reference, reverse("tickets:detail", args=[t.number])) for t in own],
                         "status_url": status_url},
                language=language,
                topic=f"incident:{incident.pk}",
            )
        update.delivered_at = now
        update.tickets_updated = len(tickets)
        update.people_emailed = len(people)
        update.save(update_fields=["delivered_at", "tickets_updated", "people_emailed"])
    return update


def incident_link(*, incident, ticket, actor, source=IncidentTicket.Source.ENGINEER):
    """Link a ticket to an open incident (once; linking again changes nothing). Engineers
    link any ticket; a customer links only their own new ticket through the banner's
    "file anyway", and only to an incident that affects them. Returns (link, created)."""
    if not actor.is_engineer:
        if source != IncidentTicket.Source.CUSTOMER or ticket.requester_id != actor.pk:
            raise PermissionDenied(_("Only engineers can link tickets to incidents."))
        if selectors.incident_for_customer(actor, incident.pk) is None:
            raise PermissionDenied(_("This incident does not concern you."))
    if not incident.is_open:
        raise ValidationError(_("This incident is resolved; declare a new one if the problem is back."))
    if ticket.status not in OPEN_STATUSES:
        raise ValidationError(_("%(ref)s is no longer open.") % {"ref": ticket.reference})
    try:
        with transaction.atomic():
            link = IncidentTicket.objects.create(incident=incident, ticket=ticket, linked_by=actor, source=source)
            IncidentEvent.objects.create(incident=incident, actor=actor, kind=IncidentEvent.Kind.LINKED,
                                         new_value=ticket.reference)
    except IntegrityError:
        return IncidentTicket.objects.get(incident=incident, ticket=ticket), False
    return link, True


def incident_link_many(*, incident, numbers, actor, source=IncidentTicket.Source.BULK):
    """Link several tickets (the queue's bulk form, the API) in a fixed number of statements:
    (linked, failures) where failures are (reference, reason) for tickets that are unknown,
    no longer open or already linked; the rest are linked with an event each."""
    _engineer_check(actor)
    if not incident.is_open:
        raise ValidationError(_("This incident is resolved; declare a new one if the problem is back."))
    numbers = list(dict.fromkeys(numbers))
    found = {t.number: t for t in Ticket.objects.filter(number__in=numbers).only("pk", "number", "status")}
    already = set(IncidentTicket.objects.filter(incident=incident, ticket__number__in=numbers).values_list(
        "ticket__number", flat=True))
    failures, new = [], []
    for number in numbers:
        ticket = found.get(number)
        if ticket is None:
            failures.append((str(number), _("no such ticket")))
        elif number in already:
            failures.append((ticket.reference, _("already linked")))
        elif ticket.status not in OPEN_STATUSES:
            failures.append((ticket.reference, _("%(ref)s is no longer open.") % {"ref": ticket.reference}))
        else:
            new.append(ticket)
    with transaction.atomic():
        created = IncidentTicket.objects.bulk_create(
            [IncidentTicket(incident=incident, ticket=t, linked_by=actor, source=source) for t in new],
            ignore_conflicts=True,  # linked meanwhile by someone else: still linked once
        )
        IncidentEvent.objects.bulk_create([
            IncidentEvent(incident=incident, actor=actor, kind=IncidentEvent.Kind.LINKED, new_value=t.reference)
            for t in new
        ])
    return len(created), failures


def incident_unlink(*, incident, ticket, actor):
    """Unlink a ticket: it hears no more of the incident and its resolution leaves it alone."""
    _engineer_check(actor)
    with transaction.atomic():
        deleted, _rows = IncidentTicket.objects.filter(incident=incident, ticket=ticket).delete()
        if deleted:
            IncidentEvent.objects.create(incident=incident, actor=actor, kind=IncidentEvent.Kind.UNLINKED,
                                         old_value=ticket.reference)
    return bool(deleted)


def incident_keep_open(*, incident, ticket, actor, keep_open):
    """Mark a linked ticket to stay open (or not) when the incident is resolved."""
    _engineer_check(actor)
    with transaction.atomic():
        changed = IncidentTicket.objects.filter(incident=incident, ticket=ticket).exclude(keep_open=keep_open).update(
            keep_open=keep_open)
        if changed:
            IncidentEvent.objects.create(incident=incident, actor=actor, kind=IncidentEvent.Kind.KEEP_OPEN,
                                         old_value=ticket.reference, new_value="yes" if keep_open else "no")
    return bool(changed)


def incident_subscribe(*, incident, user, deflected=False):
    """A customer asks to hear of updates ("notify me of updates"): recorded once, no ticket.
    Only an open incident that affects their organisation."""
    if not user.is_customer or selectors.incident_for_customer(user, incident.pk) is None:
        raise PermissionDenied(_("This incident does not concern you."))
    try:
        with transaction.atomic():
            sub = IncidentSubscription.objects.create(incident=incident, user=user, deflected=deflected)
            IncidentEvent.objects.create(incident=incident, actor=user, kind=IncidentEvent.Kind.SUBSCRIBED)
    except IntegrityError:
        return IncidentSubscription.objects.get(incident=incident, user=user), False
    return sub, True


def suggestion_dismiss(*, incident, ticket, actor):
    _engineer_check(actor)
    return IncidentSuggestion.objects.filter(incident=incident, ticket=ticket).update(dismissed_by=actor)


def suggestions_record(ticket):
    """Propose the new ticket for every open incident affecting its organisation whose
    text it reads like (``selectors.incident_match``); one query when none is open."""
    found = []
    for incident in selectors.incidents_affecting(ticket.organisation_id):
        score = selectors.incident_match(incident, ticket.subject, ticket.body)
        if score >= selectors.SUGGEST_THRESHOLD:
            found.append(IncidentSuggestion(incident=incident, ticket=ticket, score=score))
    if found:
        IncidentSuggestion.objects.bulk_create(found, ignore_conflicts=True)
    return found
