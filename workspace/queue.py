"""The engineer's queue: filters, saved views and their counts (selectors, read-only)."""

from datetime import timedelta

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from helpdesk.translated import translated_columns
from tickets.models import OPEN_STATUSES, CallbackRequest, Ticket, Urgency
from tickets.selectors import ticket_search

from .models import SavedView, TicketSeen

SOON = timedelta(hours=1)
# View counts stop at a cap and the page says "1000+" (page counts: tickets.selectors).
VIEW_COUNT_CAP = 1000


def _view_filter(view, user, now):
    if view == "mine":
        return Q(assignee=user)
    if view == "unassigned":
        return Q(assignee__isnull=True)
    if view == "needs_reply":
        # The customer wrote last (or nobody answered yet): partial index ticket_awaiting_due_idx.
        return Q(awaiting_reply_since__isnull=False)
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
    text = filters.get("q", "")
    # A search without a chosen order lists the best matches first (tickets.search).
    order = filters.get("order") or ("relevance" if text else "due")
    ranked = bool(text) and order == "relevance"
    qs = ticket_search(qs, text, include_internal=True, ranked=ranked)
    if not ranked:  # a ranked search comes ordered by its match
        if order in ("due", "relevance"):
            qs = qs.order_by(F("next_due_at").asc(nulls_last=True), "pk")
        else:
            qs = qs.order_by(order, "-pk" if order.startswith("-") else "pk")
    # Only what the rows show: the assignee's name, not their whole user record; and when
    # this engineer last looked (one index lookup per row of the page, in the same query).
    seen = TicketSeen.objects.filter(user=user, ticket=OuterRef("pk")).values("seen_at")[:1]
    return qs.select_related("organisation", "assignee", "tariff").only(
        "number", "subject", "kind", "urgency", "level", "status", "next_due_at", "created_at", "tariff_revision_id",
        "updated_at", "awaiting_reply_since", "organisation__name", "organisation__is_active", "assignee__full_name",
        *translated_columns("tariff__name"),
    ).annotate(seen_at=Subquery(seen))


def row_marker(ticket):
    """What the queue row says about activity: "new" (never opened by this engineer),
    "replied" (the customer wrote since they looked), "changed" (anything else since), or ""."""
    seen_at = getattr(ticket, "seen_at", None)
    if seen_at is None:
        return "new"
    if ticket.awaiting_reply_since and ticket.awaiting_reply_since > seen_at:
        return "replied"
    return "changed" if ticket.updated_at > seen_at else ""


def saved_views(user):
    return list(SavedView.objects.filter(user=user).only("pk", "name", "query"))


VIEWS_COUNTED = ("mine", "unassigned", "needs_reply", "due_soon", "my_level", "callbacks")



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
    """Open tickets per preset view: index-backed counts, each capped at VIEW_COUNT_CAP,
    all in one round trip (one scalar subquery per view)."""
    now = now or timezone.now()
    open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    parts, params = [], []
    for view in VIEWS_COUNTED:
        capped = open_tickets.filter(_view_filter(view, user, now)).order_by().values("pk")[: VIEW_COUNT_CAP + 1]
        sql, view_params = capped.query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({sql}) AS v)")
        params.extend(view_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return {view: f"{VIEW_COUNT_CAP}+" if n > VIEW_COUNT_CAP else n for view, n in zip(VIEWS_COUNTED, row, strict=True)}
