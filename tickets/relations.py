"""Merge, split and link tickets: the rules are written here once, for the workspace,
the API and (for following merges) inbound email.

* **Merge** a duplicate into another ticket of the same organisation: the duplicate's
  description and conversation (with their files) move to the target, its links move
  too, its requester and watchers become the target's watchers (they hear what support
  tells the customer from then on), its running SLA targets stop as "merged" (never breached; the target keeps its
  own clocks), it is closed with ``merged_into`` pointing at the target, and its
  requester gets one email. Its reference and its reply address lead to the target.
* **Split** one public message into a new ticket of the same requester, linked back
  ("related"). The message *moves*: it becomes the new ticket's description and its
  files the new ticket's files, and the original conversation keeps an event in its
  place. A copy would store every file twice and leave one question in two places, so
  both would be answered.
* **Links** ("related", "causes" / "caused by"): one row per pair, read from both sides.
  Link and unlink events are internal: a link may join two organisations' tickets, and
  a customer sees a link only to a ticket they may see themselves.

Only engineers act. Every service locks the tickets it changes, in id order, so two
merges that share a ticket run one after the other and the second sees the first's
result (merging A into B while B is merged into C, or B into A, is refused or
follows, never a loop).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.mail.services import email_enqueue
from sla.selectors import entitlement_for

from . import sla_clock
from .models import Attachment, Event, Message, SlaTarget, Status, Ticket, TicketLink, TicketWatcher, Urgency
from .reply_address import ticket_email_headers
from .search import ticket_search_rebuild
from .selectors import merge_target
from .services import ticket_set_status

# Input wordings: "caused_by" is stored as the other side "causes" this one.
LINK_KINDS = TicketLink.Wording


def _engineer_only(actor):
    if not actor.is_engineer:
        raise PermissionDenied(_("Only engineers can merge, split or link tickets."))


def _lock_in_order(*tickets):
    """Lock the tickets' rows in id order (no deadlock between two merges of a pair);
    returns them fresh, in the order given."""
    locked = {}
    for pk in sorted({t.pk for t in tickets}):
        # of=("self",): the ticket rows only, not the requesters' user rows joined for the email.
        locked[pk] = Ticket.objects.select_for_update(of=("self",)).select_related("requester").get(pk=pk)
    return [locked[t.pk] for t in tickets]


def merge_check(ticket, into):
    """Raise ValidationError (on the ``into`` field) unless ``ticket`` may be merged into
    ``into`` now; both must be fresh (locked) rows."""
    if ticket.pk == into.pk:
        raise ValidationError({"into": _("A ticket cannot be merged into itself.")})
    if ticket.merged_into_id is not None:
        raise ValidationError({"into": _("%(ref)s is already merged into another ticket.") % {"ref": ticket.reference}})
    if into.merged_into_id is not None:
        final = merge_target(into)
        raise ValidationError({"into": _("%(ref)s was itself merged into %(final)s: merge into that one.")
                               % {"ref": into.reference, "final": final.reference}})
    if ticket.organisation_id != into.organisation_id:
        raise ValidationError({"into": _("Only tickets of the same organisation can be merged.")})
    if into.status == Status.CLOSED:
        raise ValidationError({"into": _("%(ref)s is closed: reopen it first, or choose an open ticket.")
                               % {"ref": into.reference}})


def ticket_merge(*, ticket, into, actor):
    """Merge the duplicate ``ticket`` into ``into`` (see the module's docstring); returns
    the target. Refused: a ticket into itself, a merged ticket (either side), another
    organisation's ticket, a closed target."""
    _engineer_only(actor)
    with transaction.atomic():
        source, target = _lock_in_order(ticket, into)
        merge_check(source, target)
        now = timezone.now()
        # The duplicate's description becomes a message of the target, at its own time,
        # carrying the files filed with it.
        description = Message.objects.create(
            ticket=target, author=source.requester, body=f"{source.subject}\n\n{source.body}",
            visibility=Message.Visibility.PUBLIC, channel=source.channel, created_at=source.created_at,
        )
        Attachment.objects.filter(ticket=source, message__isnull=True).update(ticket=target, message=description)
        Message.objects.filter(ticket=source).update(ticket=target)
        Attachment.objects.filter(ticket=source).update(ticket=target)
        _links_move(source, target)
        _watchers_move(source, target)
        # Earlier duplicates of the duplicate now point at the target directly.
        Ticket.objects.filter(merged_into=source).update(merged_into=target)
        SlaTarget.objects.filter(ticket=source, met_at__isnull=True).update(met_at=now, merged_at=now)
        Event.objects.create(ticket=source, actor=actor, kind=Event.Kind.MERGED, field="merged_into",
                             new_value=target.reference, created_at=now)
        Event.objects.create(ticket=target, actor=actor, kind=Event.Kind.MERGED, field="merged_from",
                             new_value=source.reference, created_at=now)
        source.merged_into = target
        ticket_set_status(source, Status.CLOSED, actor, now)
        waiting_since = source.awaiting_reply_since
        source.awaiting_reply_since = None
        source.next_due_at = None  # every clock of the duplicate has stopped
        source.updated_at = now
        source.save()
        if waiting_since and target.status != Status.WAITING and (
            target.awaiting_reply_since is None or waiting_since < target.awaiting_reply_since
        ):
            target.awaiting_reply_since = waiting_since
        target.updated_at = now
        target.save(update_fields=["awaiting_reply_since", "updated_at"])
        ticket_search_rebuild([target.pk, source.pk])  # the conversation moved: so do its words
        _tell_merged(source, target)
    return target


def _links_move(source, target):
    """The duplicate's links become the target's, unless the target already has a link
    with that ticket (or it is the target itself)."""
    linked = set(
        TicketLink.objects.filter(Q(source=target) | Q(target=target)).values_list("source_id", "target_id")
    )
    already = {pk for pair in linked for pk in pair} - {target.pk}
    for link in TicketLink.objects.filter(Q(source=source) | Q(target=source)).order_by("pk"):
        other = link.target_id if link.source_id == source.pk else link.source_id
        if other == target.pk or other in already:
            link.delete()
            continue
        if link.source_id == source.pk:
            link.source = target
        else:
            link.target = target
        link.save(update_fields=["source", "target"])
        already.add(other)


def _watchers_move(source, target):
    """The duplicate's requester and watchers keep hearing of the work: they watch the target."""
    people = {source.requester_id, *TicketWatcher.objects.filter(ticket=source).values_list("user_id", flat=True)}
    people.discard(target.requester_id)
    TicketWatcher.objects.bulk_create(
        [TicketWatcher(ticket=target, user_id=pk) for pk in sorted(people)], ignore_conflicts=True
    )
    TicketWatcher.objects.filter(ticket=source).delete()


def _tell_merged(source, target):
    """One email to the duplicate's requester, answered into the target's conversation."""
    requester = source.requester
    email_enqueue(
        to=requester.email,
        template="tickets/email/merged",
        context={"ticket": source, "target": target, "user": requester,
                 "url": reverse("tickets:detail", args=[target.number])},
        language=requester.email_language(source.language),
        topic=f"ticket:{target.number}",
        headers=ticket_email_headers(target),
    )


def ticket_split(*, ticket, message, actor, subject):
    """A public message of ``ticket`` becomes a new ticket of the same requester and
    organisation, linked back ("related"); returns the new ticket.

    The message moves (its text is the new ticket's description, its files the new
    ticket's), and both conversations get a "split" event. The new ticket's clocks run
    on the organisation's tariff as it is now, from the split; an engineer's split is not
    a customer's filing, so no support points are charged. Its requester gets the usual
    confirmation."""
    _engineer_only(actor)
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": _("Give the new ticket a subject.")})
    if len(subject) > Ticket._meta.get_field("subject").max_length:
        raise ValidationError({"subject": _("The subject is too long.")})
    with transaction.atomic():
        (source,) = _lock_in_order(ticket)
        if source.merged_into_id is not None:
            raise ValidationError(_("This ticket is merged into another one: split the message there."))
        message = Message.objects.select_for_update().filter(pk=message.pk, ticket=source).first()
        if message is None:
            raise ValidationError(_("That message is not on this ticket (any more)."))
        if message.is_internal:
            raise ValidationError(_("An internal note cannot become a customer's ticket."))
        now = timezone.now()
        entitlement = entitlement_for(source.organisation, source.license, explain=False)
        tariff = entitlement.tariff if entitlement is not None else None
        new = Ticket(
            organisation=source.organisation, requester=source.requester, kind=source.kind, subject=subject,
            body=message.body, channel=message.channel, language=source.language, license=source.license,
            customer_urgency=source.customer_urgency, urgency=Urgency.NORMAL, created_at=now, updated_at=now,
            awaiting_reply_since=None if message.by_staff else now,
        )
        targets = sla_clock.clock_prepare(new, tariff) if tariff is not None else []
        new.save(force_insert=True)
        for target in targets:
            target.ticket = new
        SlaTarget.objects.bulk_create(targets)
        Attachment.objects.filter(message=message).update(ticket=new, message=None)
        message.delete()
        Event.objects.create(ticket=new, actor=actor, kind=Event.Kind.CREATED, new_value=Status.NEW, created_at=now)
        Event.objects.create(ticket=new, actor=actor, kind=Event.Kind.SPLIT, field="split_from",
                             new_value=source.reference, created_at=now)
        Event.objects.create(ticket=source, actor=actor, kind=Event.Kind.SPLIT, field="split_to",
                             new_value=new.reference, created_at=now)
        TicketLink.objects.create(source=source, target=new, kind=TicketLink.Kind.RELATED, created_by=actor,
                                  created_at=now)
        source.updated_at = now
        source.save(update_fields=["updated_at"])
        ticket_search_rebuild([source.pk, new.pk])  # the message's words went with it
        requester = source.requester
        email_enqueue(
            to=requester.email,
            template="tickets/email/split",
            context={"ticket": new, "source": source, "user": requester,
                     "url": reverse("tickets:detail", args=[new.number])},
            language=requester.email_language(source.language),
            topic=f"ticket:{new.number}",
            headers=ticket_email_headers(new),
        )
    return new


def ticket_link(*, ticket, other, kind, actor):
    """Link two tickets: ``kind`` is how it reads on ``ticket`` ("related", "causes",
    "caused_by"). One link per pair: a second one is refused, whichever way round."""
    _engineer_only(actor)
    if kind not in LINK_KINDS.values:
        raise ValidationError({"kind": _("Choose how the tickets are linked.")})
    if ticket.pk == other.pk:
        raise ValidationError({"ticket": _("A ticket cannot be linked to itself.")})
    with transaction.atomic():
        ticket, other = _lock_in_order(ticket, other)
        for side in (ticket, other):
            if side.merged_into_id is not None:
                raise ValidationError({"ticket": _("%(ref)s is merged into %(final)s: link that one.")
                                       % {"ref": side.reference, "final": merge_target(side).reference}})
        source, target = (other, ticket) if kind == LINK_KINDS.CAUSED_BY else (ticket, other)
        stored = TicketLink.Kind.RELATED if kind == LINK_KINDS.RELATED else TicketLink.Kind.CAUSES
        try:
            with transaction.atomic():
                link = TicketLink.objects.create(source=source, target=target, kind=stored, created_by=actor)
        except IntegrityError:
            raise ValidationError({"ticket": _("These tickets are already linked.")}) from None
        _link_events(link, actor, Event.Kind.LINKED)
    return link


def ticket_unlink(*, ticket, link, actor):
    """Remove a link from either of its tickets."""
    _engineer_only(actor)
    if ticket.pk not in (link.source_id, link.target_id):
        raise ValidationError(_("That link is not on this ticket."))
    with transaction.atomic():
        _lock_in_order(link.source, link.target)
        if not TicketLink.objects.filter(pk=link.pk).exists():
            return
        _link_events(link, actor, Event.Kind.UNLINKED)
        link.delete()


def _link_events(link, actor, kind):
    now = timezone.now()
    Event.objects.bulk_create([
        Event(ticket_id=link.source_id, actor=actor, kind=kind, field=link.wording_for(link.source_id),
              new_value=link.target.reference, is_internal=True, created_at=now),
        Event(ticket_id=link.target_id, actor=actor, kind=kind, field=link.wording_for(link.target_id),
              new_value=link.source.reference, is_internal=True, created_at=now),
    ])
    Ticket.objects.filter(pk__in=[link.source_id, link.target_id]).update(updated_at=now)
