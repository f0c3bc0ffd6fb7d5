"""Reports for leads and admins: charts with the numbers beside them, and CSV exports."""

from datetime import datetime, time, timedelta

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.accounts.access import user_passes
from helpdesk.csv_export import SafeWriter

from .. import reports
from ..services import can_lead


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    exclude_incidents = forms.BooleanField(label=_("SLA compliance without incident tickets"), required=False)


EXPORTS = {
    "first_response": lambda s, e: reports.first_response(s, e),
    "sla": lambda s, e: reports.sla_compliance(s, e),
    "sla_without_incidents": lambda s, e: reports.sla_compliance(s, e, exclude_incidents=True),
    "incidents": lambda s, e: reports.incident_sla(s, e),
    "backlog": lambda s, e: reports.backlog_by_age(),
    "pareto": lambda s, e: reports.pareto(s, e, limit=100_000)[0],
    "phone": lambda s, e: reports.phone_minutes(s, e),
    "emergencies": lambda s, e: reports.declared_emergencies(s, e),
    "load": lambda s, e: reports.engineer_load(),
}


def period_from_request(request, default_days=90):
    """(form, start, end) of the period the lead picked: [start, end) in the current time zone."""
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    start, end = today - timedelta(days=default_days), today
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    tz = timezone.get_current_timezone()
    return form, datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def _csv(name, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = SafeWriter(response)
    if rows:
        writer.writerow(rows[0].keys())
        for row in rows:
            writer.writerow(row.values())
    return response


def _bars(rows, key):
    """Add a 0–100 'bar' to each row, relative to the largest value, for the CSS charts."""
    peak = max((float(r[key] or 0) for r in rows), default=0) or 1
    for row in rows:
        row["bar"] = round(100 * float(row[key] or 0) / peak)
    return rows


@user_passes(can_lead)
def reports_page(request):
    form, start, end = period_from_request(request)
    export = request.GET.get("export")
    if export in EXPORTS:
        return _csv(export, EXPORTS[export](start, end))
    pareto_rows, pareto_summary = reports.pareto(start, end, limit=30)
    without_incidents = form.is_valid() and form.cleaned_data["exclude_incidents"]
    context = {
        "form": form,
        "first_response": _bars(reports.first_response(start, end), "mean_minutes"),
        "sla": _bars(reports.sla_compliance(start, end, exclude_incidents=without_incidents), "compliance"),
        "without_incidents": without_incidents,
        "incidents": reports.incident_sla(start, end),
        "backlog": _bars(reports.backlog_by_age(), "total"),
        "pareto": _bars(pareto_rows, "tickets"),
        "pareto_summary": pareto_summary,
        "phone": _bars(reports.phone_minutes(start, end), "minutes"),
        "emergencies": _bars(reports.declared_emergencies(start, end), "declared"),
        "load": _bars(reports.engineer_load(), "load_percent"),
        "query": request.GET.urlencode(),
    }
    return render(request, "workspace/reports.html", context)
