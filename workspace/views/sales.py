"""Sales report for leads: revenue, renewals, trials, points per organisation, cost per request."""

from django.shortcuts import render
from django.utils import timezone

from billing import reports as billing_reports
from billing.selectors import points_used_per_organisation
from helpdesk.accounts.access import user_passes

from .. import sales_reports
from ..services import can_lead
from .reports import period_from_request


@user_passes(can_lead)
def sales_page(request):
    form, start, end = period_from_request(request, default_days=365)
    context = {
        "form": form, "start": start, "end": end,
        "revenue": billing_reports.revenue_by_tariff_month(start, end),
        "renewals": billing_reports.renewals_vs_lapses(start, end, timezone.localdate()),
        "trials": billing_reports.trials_converted(start, end),
        "points": points_used_per_organisation(start, end)[:50],
        "costs": sales_reports.cost_per_kind(start, end),
    }
    return render(request, "workspace/sales.html", context)
