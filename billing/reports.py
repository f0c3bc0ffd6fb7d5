"""Sales figures, aggregated in SQL: revenue, renewals against lapses, trials converted."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from sla.models import Subscription

from .models import Order


def revenue_by_tariff_month(start, end):
    """[{month, what, currency, orders, amount}] of orders paid in [start, end)."""
    rows = (
        Order.objects.filter(status=Order.Status.ACTIVE, paid_at__gte=start, paid_at__lt=end)
        .annotate(month=TruncMonth("paid_at"))
        .values("month", "tariff__name", "pack__name", "currency")
        .annotate(orders=Count("id"), amount=Sum("amount"))
        .order_by("month", "tariff__name", "pack__name", "currency")
    )
    return [
        {"month": r["month"].date(), "what": r["tariff__name"] or r["pack__name"], "currency": r["currency"],
         "orders": r["orders"], "amount": r["amount"]}
        for r in rows
    ]


def _followed_by(field="ends_on"):
    """A later period of the same license and tariff that starts by the day after this one ends."""
    return Subscription.objects.filter(
        license=OuterRef("license"), tariff=OuterRef("tariff"),
        starts_on__gt=OuterRef("starts_on"), starts_on__lte=OuterRef(field) + timedelta(days=1),
    )


def renewals_vs_lapses(start, end, today):
    """[{month, tariff, renewed, lapsed}] of periods (other than trials) that ended in
    [start, end) and before ``today``: renewed when the next period starts without a gap."""
    rows = (
        Subscription.objects.filter(ends_on__gte=start.date(), ends_on__lt=min(end.date(), today))
        .exclude(source=Subscription.Source.TRIAL)
        .annotate(renewed=Exists(_followed_by()), month=TruncMonth("ends_on"))
        .values("month", "tariff__name")
        .annotate(renewed_n=Count("id", filter=Q(renewed=True)), lapsed_n=Count("id", filter=Q(renewed=False)))
        .order_by("month", "tariff__name")
    )
    return [{"month": r["month"], "tariff": r["tariff__name"], "renewed": r["renewed_n"], "lapsed": r["lapsed_n"]} for r in rows]


def trials_converted(start, end):
    """[{month, tariff, trials, converted, rate}] of trials started in [start, end): converted
    when the license later bought a period of the same tariff."""
    bought = Subscription.objects.filter(
        license=OuterRef("license"), tariff=OuterRef("tariff"), source=Subscription.Source.BOUGHT,
        starts_on__gte=OuterRef("starts_on"),
    )
    rows = (
        Subscription.objects.filter(source=Subscription.Source.TRIAL, starts_on__gte=start.date(), starts_on__lt=end.date())
        .annotate(converted=Exists(bought), month=TruncMonth("starts_on"))
        .values("month", "tariff__name")
        .annotate(trials=Count("id"), converted_n=Count("id", filter=Q(converted=True)))
        .order_by("month", "tariff__name")
    )
    return [
        {"month": r["month"], "tariff": r["tariff__name"], "trials": r["trials"], "converted": r["converted_n"],
         "rate": round(100 * r["converted_n"] / r["trials"], 1) if r["trials"] else None}
        for r in rows
    ]


