"""Reads about incidents: who is affected, what a ticket looks like, per-incident SLA."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from knowledgebase.search.language import detect
from knowledgebase.search.text import terms
from sla.models import TargetKind
from tickets.models import OPEN_STATUSES, SlaTarget, Ticket

from .models import (
    LANGUAGES,
    OPEN_STATES,
    Incident,
    IncidentSubscription,
    IncidentSuggestion,
    IncidentTicket,
    IncidentUpdate,
)

# The status page lists resolved incidents this many days back.
STATUS_PAGE_RECENT_DAYS = 14
# A new ticket is proposed for an incident when its words cover at least this share of
# the incident's (title words count twice) and at least MIN_SHARED_TERMS of them.
SUGGEST_THRESHOLD = 0.3
MIN_SHARED_TERMS = 2


def open_incidents():
    return Incident.objects.filter(state__in=OPEN_STATES)


def incidents_affecting(organisation_id, *, today=None):
    """Open incidents that affect the customers of an organisation: everyone's, those naming
    it, those naming an edition it holds a license of, or a tariff one of its licenses is
    subscribed to today. One query (each scope an EXISTS)."""
    if organisation_id is None:
        return Incident.objects.none()
    today = today or timezone.localdate()
    through = Incident.organisations.through, Incident.editions.through, Incident.tariffs.through
    return open_incidents().filter(
        Q(affects_everyone=True)
        | Exists(through[0].objects.filter(incident_id=OuterRef("pk"), organisation_id=organisation_id))
        | Exists(through[1].objects.filter(incident_id=OuterRef("pk"), edition__licenses__organisation_id=organisation_id))
        | Exists(through[2].objects.filter(
            incident_id=OuterRef("pk"), tariff__subscriptions__license__organisation_id=organisation_id,
            tariff__subscriptions__starts_on__lte=today, tariff__subscriptions__ends_on__gte=today,
        ))
    ).order_by("-declared_at")


def incident_for_customer(user, pk):
    """An open incident affecting the customer's organisation, or None."""
    return incidents_affecting(user.organisation_id).filter(pk=pk).first()


def status_page_incidents(now=None):
    """Open incidents and those resolved in the last STATUS_PAGE_RECENT_DAYS, newest first,
    with their updates (two queries)."""
    now = now or timezone.now()
    since = now - timedelta(days=STATUS_PAGE_RECENT_DAYS)
    return (
        Incident.objects.filter(Q(state__in=OPEN_STATES) | Q(resolved_at__gte=since))
        .prefetch_related("updates").order_by("-declared_at")
    )


def _analysed(text, language):
    return {term for term, _position in terms(text, language)}


def incident_match(incident, subject, body):
    """How well a ticket's text covers the incident's (0..1), by the knowledge base's own
    analysis (``knowledgebase.search.text``: Snowball for Russian and English, folding and
    the light stemmer for Polish, stopwords out), so that "serwer poczty nie działa" meets
    "Serwer poczty nie odpowiada" as the KB suggestions would. The best of the incident's
    language versions counts; title words weigh twice."""
    text = f"{subject}\n{body}"
    language = detect(text) or "en"
    ticket_terms = _analysed(text, language)
    best = 0.0
    for code in LANGUAGES:
        title, status = _analysed(getattr(incident, f"title_{code}"), code), _analysed(getattr(incident, f"status_text_{code}"), code)
        status -= title
        weight = 2 * len(title) + len(status)
        shared = len(title & ticket_terms), len(status & ticket_terms)
        if weight and sum(shared) >= MIN_SHARED_TERMS:
            best = max(best, (2 * shared[0] + shared[1]) / weight)
    return round(best, 3)


def suggestions_for(incident):
    """Tickets proposed for linking (not dismissed, not yet linked), best first."""
    return (
        IncidentSuggestion.objects.filter(incident=incident, dismissed_by=None)
        .exclude(Exists(IncidentTicket.objects.filter(incident=incident, ticket_id=OuterRef("ticket_id"))))
        .select_related("ticket", "ticket__organisation")[:50]
    )


def suggestions_for_ticket(ticket):
    """Open incidents proposed for this ticket and not yet linked or dismissed."""
    return (
        IncidentSuggestion.objects.filter(ticket=ticket, dismissed_by=None, incident__state__in=OPEN_STATES)
        .exclude(Exists(IncidentTicket.objects.filter(incident_id=OuterRef("incident_id"), ticket=ticket)))
        .select_related("incident")
    )


def links_of_ticket(ticket):
    return IncidentTicket.objects.filter(ticket=ticket).select_related("incident")


def linked_tickets(incident, limit=200):
    return (
        IncidentTicket.objects.filter(incident=incident)
        .select_related("ticket", "ticket__organisation", "ticket__requester").order_by("-linked_at")[:limit]
    )


def incident_figures(incident):
    """Tickets by status, people concerned and SLA per target for the incident's tickets,
    aggregated in PostgreSQL (three queries)."""
    linked = Ticket.objects.filter(incident_links__incident=incident)
    statuses = dict(linked.values_list("status").annotate(n=Count("pk")).order_by())
    sla = (
        SlaTarget.objects.filter(ticket__incident_links__incident=incident).values("kind").annotate(
            met=Count("pk", filter=Q(met_at__isnull=False, breached_at__isnull=True)),
            missed=Count("pk", filter=Q(breached_at__isnull=False)),
            running=Count("pk", filter=Q(met_at__isnull=True, breached_at__isnull=True)),
        ).order_by("kind")
    )
    rows = []
    for row in sla:
        decided = row["met"] + row["missed"]
        label = TargetKind(row["kind"]).label if row["kind"] in TargetKind.values else row["kind"]
        rows.append({**row, "target": label, "compliance": round(100 * row["met"] / decided, 1) if decided else None})
    counts = IncidentSubscription.objects.filter(incident=incident).aggregate(
        subscribers=Count("pk"), deflections=Count("pk", filter=Q(deflected=True)),
    )
    return {
        "tickets": sum(statuses.values()),
        "open": sum(n for s, n in statuses.items() if s in OPEN_STATUSES),
        "statuses": statuses, "sla": rows, **counts,
    }


def incident_list(*, include_resolved_days=90):
    since = timezone.now() - timedelta(days=include_resolved_days)
    return (
        Incident.objects.filter(Q(state__in=OPEN_STATES) | Q(resolved_at__gte=since))
        .annotate(linked=Count("links")).order_by("-declared_at")
    )


def incident_recipients(incident):
    """Every person concerned by an update, once: the active requesters of linked tickets
    and the active subscribers. ``{user_id: (user, [ticket, ...])}`` (two queries)."""
    people = {}
    for link in IncidentTicket.objects.filter(incident=incident, ticket__requester__is_active=True).select_related(
        "ticket__requester"
    ):
        person = people.setdefault(link.ticket.requester_id, (link.ticket.requester, []))
        person[1].append(link.ticket)
    for sub in IncidentSubscription.objects.filter(incident=incident, user__is_active=True).select_related("user"):
        people.setdefault(sub.user_id, (sub.user, []))
    return people


def pending_updates(older_than_seconds=60):
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return IncidentUpdate.objects.filter(delivered_at=None, created_at__lt=cutoff).values_list("pk", flat=True)

