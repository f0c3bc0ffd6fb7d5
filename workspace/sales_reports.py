"""What each kind of request costs the vendor: engineer minutes beside the points charged.
Here, above both tickets and billing, because it joins the two."""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from billing.models import WalletEntry
from tickets.models import PhoneCall, Ticket


def cost_per_kind(start, end):
    """[{kind, urgency, tickets, effort_minutes, phone_minutes, points}] of tickets filed in [start, end)."""
    phone = (
        PhoneCall.objects.filter(ticket=OuterRef("pk")).values("ticket")
        .annotate(m=Sum("duration_minutes")).values("m")
    )
    points = (
        WalletEntry.objects.filter(ticket_number=OuterRef("number"), kind__in=["charge", "refund"])
        .values("ticket_number").annotate(p=Sum("points")).values("p")
    )
    rows = (
        Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(
            phone_m=Coalesce(Subquery(phone, output_field=IntegerField()), 0),
            points_p=Coalesce(Subquery(points, output_field=IntegerField()), 0),
        )
        .values("kind", "customer_urgency")
        .annotate(
            tickets=Count("id"), effort=Coalesce(Sum("effort_minutes"), 0), phone_minutes=Sum("phone_m"),
            points=Sum("points_p"),
        )
        .order_by("kind", "customer_urgency")
    )
    kinds, urgencies = dict(Ticket._meta.get_field("kind").choices), dict(Ticket._meta.get_field("customer_urgency").choices)
    return [
        {"kind": kinds.get(r["kind"], r["kind"]), "urgency": urgencies.get(r["customer_urgency"], r["customer_urgency"]),
         "tickets": r["tickets"], "effort_minutes": r["effort"], "phone_minutes": r["phone_minutes"],
         "points": -r["points"], "minutes_per_ticket": round((r["effort"] + r["phone_minutes"]) / r["tickets"], 1)}
        for r in rows
    ]
