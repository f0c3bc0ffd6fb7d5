"""The engineer's queue: filters, saved views and their counts (selectors, read-only)."""

from datetime import timedelta

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from tickets.models import OPEN_STATUSES, CallbackRequest, Ticket
from tickets.selectors import ticket_search

SOON = timedelta(hours=1)
# View counts stop at a cap and the page says "1000+" (page counts: tickets.selectors).
VIEW_COUNT_CAP = 1000


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
        "number", "subject", "kind", "urgency", "level", "status", "next_due_at", "created_at", "tariff_revision_id",
        "organisation__name", "assignee__full_name", "tariff__name",
    )


VIEWS_COUNTED = ("mine", "unassigned", "due_soon", "my_level", "callbacks")


def view_counts(user, now=None):
    """Open tickets per saved view: index-backed counts, each capped at VIEW_COUNT_CAP, sent
    to PostgreSQL as one statement (one round trip instead of five)."""
    now = now or timezone.now()
    open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    parts, params = [], []
    for view in VIEWS_COUNTED:
        capped = open_tickets.filter(_view_filter(view, user, now)).order_by().values("pk")[: VIEW_COUNT_CAP + 1]
        sql, view_params = capped.query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({sql}) AS {view})")
        params.extend(view_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        numbers = cursor.fetchone()
    return {view: f"{VIEW_COUNT_CAP}+" if n > VIEW_COUNT_CAP else n for view, n in zip(VIEWS_COUNTED, numbers)}
