"""Satisfaction per engineer, tariff and month, in SQL."""

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from helpdesk.translated import localized
from tickets.models import SatisfactionSurvey


def satisfaction_by(start, end):
    """[{month, engineer, tariff, asked, good, bad, score}] of resolutions in [start, end);
    score = good / rated in percent (None when nobody rated)."""
    rows = (
        SatisfactionSurvey.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
        .annotate(month=TruncMonth("resolved_at"), tariff_name=localized("ticket__tariff__name"))
        .values("month", "engineer__full_name", "tariff_name")
        .annotate(
            asked=Count("id"), good=Count("id", filter=Q(rating="good")), bad=Count("id", filter=Q(rating="bad")),
        )
        .order_by("month", "engineer__full_name", "tariff_name")
    )
    return [
        {"month": r["month"].date(), "engineer": r["engineer__full_name"] or "", "tariff": r["tariff_name"],
         "asked": r["asked"], "good": r["good"], "bad": r["bad"],
         "score": round(100 * r["good"] / (r["good"] + r["bad"]), 1) if r["good"] + r["bad"] else None}
        for r in rows
    ]
