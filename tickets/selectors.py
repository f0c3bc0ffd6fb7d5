"""Reads: who may see which tickets, and the lists the pages show."""

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.utils.functional import cached_property

from .models import OPEN_STATUSES, SEARCH_VECTOR, Attachment, Event, Message, Ticket, parse_reference

# Counting a long list is the costliest part of a list page; nobody needs an exact
# "128,734", so a page count stops at a cap and the page says "Page 1 of 400+".
PAGE_COUNT_CAP = 10_000


def capped_count(queryset, cap):
    """COUNT over at most ``cap`` rows (a LIMIT inside the count): cost bounded by the cap."""
    return queryset.order_by().values("pk")[:cap].count()  # values(): no joins of select_related


class CappedPaginator(Paginator):
    """Pages over at most ``cap`` rows; ``capped`` says the list goes on."""

    def __init__(self, object_list, per_page, cap=PAGE_COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self):
        return capped_count(self.object_list, self.cap + 1) if hasattr(self.object_list, "query") else len(self.object_list)

    @property
    def capped(self):
        return self.count > self.cap


def organisation_ids_visible_to(user):
    """The customer's organisation and, for a dealer's people, the clients it serves.

    A literal list of ids (not ``organisation = X OR organisation.dealer = X``), so the
    ticket lists use the (organisation, created) index instead of scanning every ticket.
    """
    from helpdesk.accounts.models import Organisation

    oid = user.organisation_id
    return [oid, *Organisation.objects.filter(dealer_id=oid).order_by("pk").values_list("pk", flat=True)]


def tickets_visible_to(user):
    """Engineers see every ticket; a customer sees their organisation's, and a dealer's
    people also those of the client organisations the dealer serves."""
    if not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    if user.is_engineer:
        return Ticket.objects.all()
    if user.organisation_id is None:
        return Ticket.objects.none()
    ids = organisation_ids_visible_to(user)
    return Ticket.objects.filter(organisation_id=ids[0]) if len(ids) == 1 else Ticket.objects.filter(organisation_id__in=ids)


def engineer_recipient(ticket):
    """(address, language) of whoever hears about a ticket on the engineers' side: the
    assignee, or the queue address (``SUPPORT_QUEUE_EMAIL``) while nobody has it."""
    return engineer_address(ticket.assignee if ticket.assignee_id else None)


def engineer_address(assignee):
    """``engineer_recipient`` for a ticket's assignee (a User, or None for the queue)."""
    if assignee is not None:
        return assignee.email, assignee.language or settings.LANGUAGE_CODE
    return settings.SUPPORT_QUEUE_EMAIL, settings.LANGUAGE_CODE


def engineers_on_duty(at):
    """Active engineers whose working hours (their schedule's calendar) include ``at``,
    except those with a day off that day."""
    from sla.businesstime import NoWorkingTime, next_working_instant

    from .models import EngineerSchedule

    schedules = EngineerSchedule.objects.filter(engineer__is_active=True, engineer__role="engineer").select_related(
        "engineer", "calendar"
    ).exclude(engineer__days_off__date=at.date())
    on_duty = []
    for schedule in schedules:
        try:
            if next_working_instant(schedule.calendar.as_calendar(at), at) == at:
                on_duty.append(schedule.engineer)
        except NoWorkingTime:
            continue
    return on_duty


def organisations_filing_for(user):
    """Organisations the customer may file for: their own, plus a dealer's clients."""
    from helpdesk.accounts.models import Organisation

    if not user.is_customer or user.organisation_id is None:
        return Organisation.objects.none()
    oid = user.organisation_id
    return Organisation.objects.filter(Q(pk=oid) | Q(dealer_id=oid), is_active=True).order_by("name")


def ticket_for(user, number):
    """The ticket if the user may see it; 404 otherwise, so existence never leaks."""
    ticket = (
        tickets_visible_to(user)
        .select_related("organisation", "requester", "assignee", "tariff", "license", "root_cause")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def ticket_search(queryset, text):
    """Search by reference ('HD-10042') or by words in subject and text."""
    text = (text or "").strip()[:200]
    if not text:
        return queryset
    number = parse_reference(text)
    words = SearchQuery(text, search_type="websearch", config="simple")
    # The expression of the GIN index (ticket_search_expr_gin), so the index serves it.
    queryset = queryset.alias(search=SEARCH_VECTOR)
    if number is not None:
        return queryset.filter(Q(number=number) | Q(search=words))
    return queryset.filter(search=words)


def ticket_list(user, *, status="", kind="", query="", order="-created_at"):
    qs = tickets_visible_to(user).select_related("organisation", "requester", "assignee")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    qs = ticket_search(qs, query)
    if order == "due":
        return qs.order_by(F("next_due_at").asc(nulls_last=True), "pk")
    return qs.order_by(order, "-pk" if order.startswith("-") else "pk")


def conversation(ticket, *, include_internal):
    """Messages (with authors and files) and events in time order, for the ticket page."""
    messages = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )
    events = ticket.events.select_related("actor").exclude(kind__in=[Event.Kind.REPLIED, Event.Kind.NOTE, Event.Kind.ATTACHED])
    if not include_internal:
        messages = messages.filter(visibility=Message.Visibility.PUBLIC)
        events = events.filter(is_internal=False)
    items = [("message", m.created_at, m) for m in messages] + [("event", e.created_at, e) for e in events]
    items.sort(key=lambda item: (item[1], 0 if item[0] == "event" else 1))
    return items


def attachment_for(user, number, attachment_id):
    """An attachment the user may download; 404 otherwise (a file on an internal note
    does not exist for customers)."""
    from .models import Message

    ticket = ticket_for(user, number)
    attachment = Attachment.objects.select_related("message").filter(ticket=ticket, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    internal = attachment.message is not None and attachment.message.visibility == Message.Visibility.INTERNAL
    if internal and not user.is_engineer:
        raise Http404
    return attachment


def ticket_files(ticket, *, include_internal):
    qs = ticket.attachments.filter(message__isnull=True)
    return list(qs.order_by("pk"))


def ticket_promise(ticket, zone_name):
    """{target kind: sentence} of the ticket's running deadlines, worded once for the
    email, the portal and the API (``sla.promise``), in the reader's time zone."""
    from sla.promise import promise_sentences

    dues = {t.kind: t.due_at for t in ticket.sla_targets.all() if t.met_at is None and t.due_at is not None}
    return promise_sentences(dues, zone_name)


def sla_targets(ticket):
    """The ticket's SLA clocks in a fixed order, for the ticket pages."""
    order = {"first_response": 0, "commitment": 1, "resolution": 2}
    return sorted(ticket.sla_targets.all(), key=lambda t: order.get(t.kind, 9))


def open_callbacks(ticket):
    return list(ticket.callback_requests.filter(handled_at__isnull=True).select_related("requested_by"))
