"""Satisfaction report for leads."""

from django.shortcuts import render

from helpdesk.accounts.access import user_passes

from ..satisfaction_reports import satisfaction_by
from ..services import can_lead
from .reports import period_from_request


@user_passes(can_lead)
def satisfaction_page(request):
    form, start, end = period_from_request(request, default_days=365)
    context = {"form": form, "start": start, "end": end, "rows": satisfaction_by(start, end)}
    return render(request, "workspace/satisfaction.html", context)
