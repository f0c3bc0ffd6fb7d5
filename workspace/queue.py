"""The engineer's queue: filters, saved views and their counts (selectors, read-only)."""

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property

from tickets.models import OPEN_STATUSES, CallbackRequest, Ticket, Urgency
from tickets.selectors import ticket_search

SOON = timedelta(hours=1)
# Counting a large set is the costliest part of a queue page; nobody needs an exact
# "128,734", so counts stop at these caps and the page says "1000+".
VIEW_COUNT_CAP = 1000
PAGE_COUNT_CAP = 10_000


def capped_count(queryset, cap):
    """COUNT over at most ``cap`` rows (a LIMIT inside the count): cost bounded by the cap."""
    return queryset.order_by()[:cap].count()


class CappedPaginator(Paginator):
    """Pages over at most PAGE_COUNT_CAP rows; ``capped`` says the list goes on."""

    @cached_property
    def count(self):
        return capped_count(self.object_list, PAGE_COUNT_CAP + 1) if hasattr(self.object_list, "query") else len(self.object_list)

    @property
    def capped(self):
        return self.count > PAGE_COUNT_CAP


def _view_filter(view, user, now):
    if view == "mine":
        return Q(assignee=user)
    if view == "unassigned":
        return Q(assignee__isnull=True)
    if view == "due_soon":
        return Q(next_due_at__lte=now + SOON)
    if view == "my_level":
        return Q(level=user.support_level or "L1")
    if view == "callbacks":
        # Customers asked to be called (partial index on unhandled requests).
        return Q(Exists(CallbackRequest.objects.filter(ticket=OuterRef("pk"), handled_at__isnull=True)))
    return Q()


def _sla_filter(state, now):
    if state == "breached":
        return Q(next_due_at__lte=now)
    if state == "soon":
        return Q(next_due_at__gt=now, next_due_at__lte=now + SOON)
    if state == "ok":
        # No deadline within the hour. Tickets without a running clock (paused, or no
        # tariff) sort last by the nulls-last order and are kept out of "on track".
        return Q(next_due_at__gt=now + SOON)
    return Q()


def queue_tickets(user, filters, now=None):
    """Tickets for the queue page. Every filter the UI offers maps to an indexed column."""
    now = now or timezone.now()
    status = filters.get("status", "open")
    qs = Ticket.objects.all()
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    qs = qs.filter(_view_filter(filters.get("view", ""), user, now), _sla_filter(filters.get("sla", ""), now))
    for field in ("kind", "urgency", "level", "tariff", "assignee", "organisation"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    qs = ticket_search(qs, filters.get("q", ""))
    order = filters.get("order") or "due"
    if order == "due":
        qs = qs.order_by(F("next_due_at").asc(nulls_last=True), "pk")
    else:
        qs = qs.order_by(order, "-pk" if order.startswith("-") else "pk")
    # Only what the rows show: the assignee's name, not their whole user record.
    return qs.select_related("organisation", "assignee", "tariff").only(
        "number", "subject", "kind", "urgency", "level", "status", "next_due_at", "created_at", "sla_snapshot",
        "organisation__name", "organisation__is_active", "assignee__full_name", "tariff__name",
    )


def declared_emergencies(limit=10):
    """Open tickets whose customer declared an emergency and nobody has triaged yet, oldest
    first: the top of every engineer's queue (a partial index keeps this to those rows)."""
    return list(
        Ticket.objects.filter(status__in=OPEN_STATUSES, customer_urgency=Urgency.CRITICAL, triaged_at__isnull=True)
        .select_related("organisation")
        .only("number", "subject", "created_at", "organisation__name", "organisation__is_active")
        .order_by("created_at")[:limit]
    )


def view_counts(user, now=None):
    """Open tickets per saved view: four index-backed counts, each capped at VIEW_COUNT_CAP."""
    now = now or timezone.now()
    open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    counts = {}
    for view in ("mine", "unassigned", "due_soon", "my_level", "callbacks"):
        n = capped_count(open_tickets.filter(_view_filter(view, user, now)), VIEW_COUNT_CAP + 1)
        counts[view] = f"{VIEW_COUNT_CAP}+" if n > VIEW_COUNT_CAP else n
    return counts
