"""The engineer's queue: filters, saved views and their counts (selectors, read-only)."""

from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from .models import OPEN_STATUSES, Ticket
from .selectors import ticket_search

SOON = timedelta(hours=1)


def _view_filter(view, user, now):
    if view == "mine":
        return Q(assignee=user)
    if view == "unassigned":
        return Q(assignee__isnull=True)
    if view == "due_soon":
        return Q(next_due_at__lte=now + SOON)
    if view == "my_level":
        return Q(level=user.support_level or "L1")
    return Q()


def _sla_filter(state, now):
    if state == "breached":
        return Q(next_due_at__lte=now)
    if state == "soon":
        return Q(next_due_at__gt=now, next_due_at__lte=now + SOON)
    if state == "ok":
        return Q(next_due_at__gt=now + SOON) | Q(next_due_at__isnull=True)
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
    return qs.select_related("organisation", "requester", "assignee", "tariff").defer(
        "body", "suspected_cause", "resolution_summary", "prevention", "refusal_reason"
    )


def view_counts(user, now=None):
    """Open tickets per saved view: four index-backed counts."""
    now = now or timezone.now()
    open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    return {
        view: open_tickets.filter(_view_filter(view, user, now)).count()
        for view in ("mine", "unassigned", "due_soon", "my_level")
    }
