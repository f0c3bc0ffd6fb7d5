"""Reports for leads and admins: charts with the numbers beside them, CSV and XLSX exports."""

from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.db import connection
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname, resolution_order

from helpdesk.accounts.access import user_passes
from sla.models import TargetKind

from .. import charts, report_series, reports, rollup
from ..forms import FastSelect
from ..report_exports import Column, ExportTable, csv_response, xlsx_response
from ..services import can_lead

MAX_DAYS = 2 * 366


class ReportFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    grain = forms.ChoiceField(label=_("Group by"), required=False,
                              choices=[("week", _("Week")), ("month", _("Month"))])
    tariff = forms.TypedChoiceField(label=_("Tariff"), required=False, coerce=int, empty_value=None)
    organisation = forms.TypedChoiceField(label=_("Organisation"), required=False, coerce=int, empty_value=None)
    target = forms.ChoiceField(label=_("SLA target in the chart"), required=False, choices=TargetKind.choices)

    def __init__(self, *args, tariffs=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tariff"].choices = [("", _("All tariffs")), *tariffs]
        self.fields["organisation"].choices = [("", _("All organisations")), *organisations]
        # A thousand organisations: options written in Python, not a template each.
        for name in ("grain", "tariff", "organisation", "target"):
            field = self.fields[name]
            field.widget = FastSelect(attrs=field.widget.attrs)
            field.widget.choices = field.choices

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period is before its start."))
        elif start and end and (end - start).days >= MAX_DAYS:
            self.add_error("end", _("A period can be at most two years long."))
        return data


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def period_from_request(request, default_days=90):
    """(form, start, end) of the period the lead picked: [start, end) in the current time zone
    (the satisfaction page)."""
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    start, end = today - timedelta(days=default_days), today
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    tz = timezone.get_current_timezone()
    return form, datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def scope_from_request(request, snap, default_days=90):
    """(form, scope or None): the period (default: the last 90 days, today included),
    grain, tariff and organisation the lead picked; None when the input is invalid."""
    # Tariffs (named in the reader's language: the modeltranslation columns with their
    # fallbacks) and organisations in one statement.
    label = " ".join(["COALESCE(", *(f"NULLIF({connection.ops.quote_name(build_localized_fieldname('name', code))}, ''), "
                                     for code in resolution_order(get_language() or settings.LANGUAGE_CODE)), "name)"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {label}, 't' FROM sla_tariff UNION ALL SELECT id, name, 'o' FROM accounts_organisation")
        choices = cursor.fetchall()
    tariffs, organisations = [], []
    for pk, name, what in sorted(choices, key=lambda c: c[1].casefold()):
        (tariffs if what == "t" else organisations).append((pk, name))
    form = ReportFilterForm(request.GET or None, tariffs=tariffs, organisations=organisations)
    today = snap.today
    data = {}
    if form.is_bound:
        if not form.is_valid():
            return form, None, dict(tariffs), dict(organisations)
        data = form.cleaned_data
    last = data.get("end") or today
    first = data.get("start") or min(last, today) - timedelta(days=default_days - 1)
    if data.get("end") is None and data.get("start") and (today - first).days >= MAX_DAYS:
        last = first + timedelta(days=MAX_DAYS - 1)
    scope = report_series.Scope(first=first, last=last, grain=data.get("grain") or "week",
                                tariff=data.get("tariff"), organisation=data.get("organisation"))
    return form, scope, dict(tariffs), dict(organisations)


def _period_label(day, grain):
    return date_format(day, "YEAR_MONTH_FORMAT") if grain == "month" else date_format(day, "SHORT_DATE_FORMAT")


def _tariff_name(names, pk):
    return names.get(pk) or "—"


def build(scope, snap, organisation_names):
    """Every figure of the page (and of the exports) for one scope."""
    frt = report_series.first_response(scope, snap)
    sla = report_series.sla_compliance(scope, snap)
    pareto_rows, pareto_summary, emergencies = report_series.organisations(scope, snap, organisation_names)
    return {
        "first_response": frt, "sla": sla, "backlog": report_series.backlog(scope, snap),
        "pareto": pareto_rows, "pareto_summary": pareto_summary, "emergencies": emergencies,
        "satisfaction": report_series.satisfaction(scope),
        "load": reports.engineer_load(),
        "phone": reports.phone_minutes(rollup.day_start(scope.first), rollup.day_start(scope.last + timedelta(days=1))),
    }


def _charts(scope, figures, tariff_names, target):
    periods = scope.periods()
    labels = [_period_label(p, scope.grain) for p in periods]
    result = {"frt": []}
    by_tariff = {}
    for row in figures["first_response"]:
        by_tariff.setdefault(row["tariff_id"], {})[row["period"]] = row
    for tariff_id, rows in sorted(by_tariff.items(), key=lambda kv: _tariff_name(tariff_names, kv[0])):
        name = _tariff_name(tariff_names, tariff_id)
        series = [
            (gettext("Mean"), [rows[p]["mean_minutes"] / 60 if p in rows else None for p in periods]),
            (gettext("Median"), [rows[p]["median_minutes"] / 60 if p in rows else None for p in periods]),
            (gettext("90th percentile"), [rows[p]["p90_minutes"] / 60 if p in rows else None for p in periods]),
        ]
        result["frt"].append(charts.line_chart(
            f"chart-frt-{tariff_id or 0}", gettext("First response in business hours: %(tariff)s") % {"tariff": name},
            gettext("Business hours from filing to the first answer, per period."), labels, series, suffix=" h"))
    if not result["frt"]:
        result["frt"].append(charts.line_chart("chart-frt-0", gettext("First response in business hours"),
                                               gettext("No data for this period."), labels, []))
    compliance = {}
    for row in figures["sla"]:
        if row["kind"] == target:
            compliance.setdefault(row["tariff_id"], {})[row["period"]] = row["compliance"]
    result["sla"] = charts.line_chart(
        "chart-sla", gettext("SLA compliance per tariff: %(target)s") % {"target": TargetKind(target).label},
        gettext("Targets met in time, in percent of the decided ones, per period.") if compliance else gettext("No data for this period."),
        labels,
        [(_tariff_name(tariff_names, pk), [rows.get(p) for p in periods])
         for pk, rows in sorted(compliance.items(), key=lambda kv: _tariff_name(tariff_names, kv[0]))],
        y_max=100, suffix=" %")
    backlog = figures["backlog"]
    result["backlog"] = charts.line_chart(
        "chart-backlog", gettext("Open tickets at the end of each day"), gettext("Tickets in an open status, day by day."),
        [date_format(r["day"], "SHORT_DATE_FORMAT") for r in backlog], [(gettext("Open tickets"), [r["open"] for r in backlog])])
    summary = figures["pareto_summary"]
    points = [(100 * r["rank"] / summary["organisations"], r["cumulative"]) for r in figures["pareto"]]
    result["pareto"] = charts.curve_chart(
        "chart-pareto", gettext("Share of tickets by share of organisations"),
        gettext("Organisations ordered by tickets filed, largest first; the curve is the cumulative share of tickets.")
        if points else gettext("No data for this period."),
        points, marks=[(1, "1 %"), (20, "20 %")] if points else ())
    csat = {r["period"]: r["score"] for r in figures["satisfaction"]}
    result["satisfaction"] = charts.line_chart(
        "chart-csat", gettext("Satisfaction over time"),
        gettext("Good ratings in percent of the rated resolutions, per period.") if csat else gettext("No data for this period."),
        labels, [(gettext("Good ratings, percent of rated"), [csat.get(p) for p in periods])] if csat else [], y_max=100, suffix=" %")
    result["load"] = charts.bar_chart(
        "chart-load", gettext("Engineers' load against capacity (next 7 days)"),
        gettext("Committed effort in percent of each engineer's capacity; above 100 percent is overloaded."),
        [(r["engineer"], r["load_percent"], (r["load_percent"] or 0) > 100) for r in figures["load"]], suffix=" %")
    return result


def _incident_figures(scope):
    """Tickets and SLA per incident of the period and, when there were any, SLA compliance
    without the incident-linked tickets: one outage shown apart instead of silently
    wrecking the month's figure. Live (incidents are few; the roll-up knows none)."""
    start, end = rollup.day_start(scope.first), rollup.day_start(scope.last + timedelta(days=1))
    incidents = reports.incident_sla(start, end)
    without = reports.sla_compliance(start, end, exclude_incidents=True) if incidents else []
    return {"incidents": incidents, "sla_without_incidents": without}


def export_table(name, scope, figures, tariff_names):
    """One figure as an ExportTable (headers in the reader's language), or None."""
    period = Column(gettext("Month") if scope.grain == "month" else gettext("Week from"), scope.grain)
    kind_label = dict(TargetKind.choices)
    if name == "first_response":
        return ExportTable(name, gettext("First response"), [
            Column(gettext("Tariff")), period, Column(gettext("Tickets answered"), "int"), Column(gettext("Mean, business minutes"), "number"),
            Column(gettext("Median, business minutes"), "number"), Column(gettext("90th percentile, business minutes"), "number")],
            [[_tariff_name(tariff_names, r["tariff_id"]), r["period"], r["tickets"], r["mean_minutes"], r["median_minutes"],
              r["p90_minutes"]] for r in figures["first_response"]])
    if name == "sla":
        return ExportTable(name, gettext("SLA compliance"), [
            Column(gettext("Tariff")), period, Column(gettext("Target")), Column(gettext("Met"), "int"), Column(gettext("Missed"), "int"),
            Column(gettext("Running"), "int"), Column(gettext("Compliance, %"), "number")],
            [[_tariff_name(tariff_names, r["tariff_id"]), r["period"], kind_label.get(r["kind"], r["kind"]), r["met"],
              r["missed"], r["running"], r["compliance"]] for r in figures["sla"]])
    if name == "incidents":
        return ExportTable(name, gettext("Tickets and SLA per incident"), [
            Column(gettext("Incident")), Column(gettext("State")), Column(gettext("Tickets"), "int"), Column(gettext("Met"), "int"),
            Column(gettext("Missed"), "int"), Column(gettext("Running"), "int"), Column(gettext("Compliance, %"), "number")],
            [[r["title"], r["state"], r["tickets"], r["met"], r["missed"], r["running"], r["compliance"]] for r in figures["incidents"]])
    if name == "sla_without_incidents":
        return ExportTable(name, gettext("SLA compliance without incident tickets"), [
            Column(gettext("Tariff")), Column(gettext("Target")), Column(gettext("Met"), "int"), Column(gettext("Missed"), "int"),
            Column(gettext("Running"), "int"), Column(gettext("Merged"), "int"), Column(gettext("Compliance, %"), "number")],
            [[r["tariff"], r["target"], r["met"], r["missed"], r["running"], r["merged"], r["compliance"]]
             for r in figures["sla_without_incidents"]])
    if name == "backlog":
        return ExportTable(name, gettext("Backlog"), [Column(gettext("Day"), "day"), Column(gettext("Open tickets"), "int")],
                           [[r["day"], r["open"]] for r in figures["backlog"]])
    if name == "pareto":
        return ExportTable(name, gettext("Tickets per organisation"), [
            Column(gettext("Rank"), "int"), Column(gettext("Organisation")), Column(gettext("Tickets"), "int"),
            Column(gettext("Cumulative, %"), "number")],
            [[r["rank"], r["name"], r["tickets"], r["cumulative"]] for r in figures["pareto"]])
    if name == "emergencies":
        return ExportTable(name, gettext("Emergencies"), [
            Column(gettext("Organisation")), Column(gettext("Tickets"), "int"), Column(gettext("Declared by the customer"), "int"),
            Column(gettext("Confirmed at triage"), "int"), Column(gettext("Awaiting triage"), "int"), Column(gettext("Confirmed, %"), "number")],
            [[r["organisation"], r["tickets"], r["declared"], r["confirmed"], r["awaiting_triage"], r["confirmed_percent"]]
             for r in figures["emergencies"]])
    if name == "satisfaction":
        return ExportTable(name, gettext("Satisfaction"), [
            period, Column(gettext("Asked"), "int"), Column(gettext("Good"), "int"), Column(gettext("Bad"), "int"),
            Column(gettext("Good ratings, percent of rated"), "number")],
            [[r["period"], r["asked"], r["good"], r["bad"], r["score"]] for r in figures["satisfaction"]])
    if name == "load":
        return ExportTable(name, gettext("Engineers' load"), [
            Column(gettext("Engineer")), Column(gettext("Level")), Column(gettext("Open tickets"), "int"), Column(gettext("Committed, min"), "int"),
            Column(gettext("Capacity, min"), "int"), Column(gettext("Load, %"), "int")],
            [[r["engineer"], r["level"], r["open_tickets"], r["committed_minutes"], r["capacity_minutes"], r["load_percent"]]
             for r in figures["load"]])
    if name == "phone":
        return ExportTable(name, gettext("Phone minutes"), [
            Column(gettext("Organisation")), Column(gettext("Calls"), "int"), Column(gettext("Minutes"), "int")],
            [[r["ticket__organisation__name"], r["calls"], r["minutes"]] for r in figures["phone"]])
    return None


EXPORTS = ("first_response", "sla", "backlog", "pareto", "emergencies", "satisfaction", "load", "phone", "incidents",
           "sla_without_incidents")


@user_passes(can_lead)
def reports_page(request):
    snap = rollup.snapshot()
    form, scope, tariff_names, organisation_names = scope_from_request(request, snap)
    if scope is None:
        return render(request, "workspace/reports.html", {"form": form, "zone": settings.REPORTS_TIME_ZONE}, status=400)
    target = (form.cleaned_data.get("target") if form.is_bound else None) or TargetKind.FIRST_RESPONSE
    export = request.GET.get("export")
    figures = build(scope, snap, organisation_names)
    figures.update(_incident_figures(scope))
    if export in EXPORTS:
        table = export_table(export, scope, figures, tariff_names)
        filename = f"{export}-{scope.first:%Y-%m-%d}-{scope.last:%Y-%m-%d}"
        return xlsx_response(table, filename) if request.GET.get("format") == "xlsx" else csv_response(table, filename)
    for row in figures["first_response"]:
        row["tariff"] = _tariff_name(tariff_names, row["tariff_id"])
    kind_label = dict(TargetKind.choices)
    for row in figures["sla"]:
        row["tariff"], row["target"] = _tariff_name(tariff_names, row["tariff_id"]), kind_label.get(row["kind"], row["kind"])
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("format", None)
    context = {
        **figures, "form": form, "scope": scope, "zone": settings.REPORTS_TIME_ZONE,
        "charts": _charts(scope, figures, tariff_names, target), "pareto_top": figures["pareto"][:30],
        "organisation_name": organisation_names.get(scope.organisation),
        "tariff_name": tariff_names.get(scope.tariff), "query": query.urlencode(),
        "backlog_by_age": reports.backlog_by_age(),
    }
    return render(request, "workspace/reports.html", context)
