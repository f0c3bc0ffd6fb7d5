"""The reports page's figures over time, read from the daily roll-up (workspace/rollup.py).

Each function takes a ``Scope`` (the days, grain, tariff and organisation the lead picked)
and the page's roll-up ``Snapshot``, runs one query (two for a backlog of one
organisation) and returns plain rows the charts, tables and exports share. Periods are
weeks (starting Monday) or months of REPORTS_TIME_ZONE days. The median and 90th
percentile of first response are PostgreSQL's ``percentile_cont`` over whole business
minutes, read from the histogram; the mean is exact.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncWeek

from sla.models import TargetKind
from tickets.models import OPEN_STATUSES, SatisfactionSurvey, Ticket

from . import rollup

GRAINS = ("week", "month")


@dataclass(frozen=True)
class Scope:
    first: date
    last: date  # inclusive
    grain: str = "week"
    tariff: int | None = None
    organisation: int | None = None

    def period_of(self, day):
        if self.grain == "month":
            return day.replace(day=1)
        return day - timedelta(days=day.weekday())

    def periods(self):
        """Every period touching [first, last], in order."""
        result, day = [], self.period_of(self.first)
        while day <= self.last:
            result.append(day)
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1) if self.grain == "month" else day + timedelta(days=7)
        return result


def percentile_cont(histogram, share):
    """PostgreSQL's ``percentile_cont(share)`` of the values a {value: count} histogram holds."""
    total = sum(histogram.values())
    if not total:
        return None
    position = share * (total - 1)
    low_rank, high_rank = math.floor(position), math.ceil(position)
    low = high = None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if low is None and seen > low_rank:
            low = value
        if seen > high_rank:
            high = value
            break
    return low + (high - low) * (position - low_rank)


def first_response(scope, snap):
    """[{tariff_id, period, tickets, mean_minutes, median_minutes, p90_minutes}] of tickets
    filed in each period that have had a first response."""
    rows = rollup.daily_rows("minutes", scope.first, scope.last, snap, scope.tariff, scope.organisation,
                             group=[rollup.period_sql(scope.grain), "tariff_id", "minutes"])
    histograms, seconds = defaultdict(Counter), Counter()
    for period, tariff_id, minutes, tickets, total_seconds in rows:
        histograms[(tariff_id, period)][minutes] += tickets
        seconds[(tariff_id, period)] += total_seconds
    result = []
    for (tariff_id, period), histogram in sorted(histograms.items(), key=lambda kv: (kv[0][1], kv[0][0] or 0)):
        count = sum(histogram.values())
        result.append({
            "tariff_id": tariff_id, "period": period, "tickets": count,
            "mean_minutes": seconds[(tariff_id, period)] / count / 60,
            "median_minutes": percentile_cont(histogram, 0.5), "p90_minutes": percentile_cont(histogram, 0.9),
        })
    return result


def sla_compliance(scope, snap):
    """[{tariff_id, period, kind, met, missed, running, compliance}] of the targets of the
    tickets filed in each period; compliance = met in time / decided, in percent."""
    totals = defaultdict(lambda: [0, 0, 0])
    for period, tariff_id, kind, met, missed, running in rollup.daily_rows(
        "sla", scope.first, scope.last, snap, scope.tariff, scope.organisation,
        group=[rollup.period_sql(scope.grain), "tariff_id", "kind"],
    ):
        row = totals[(tariff_id, period, kind)]
        row[0], row[1], row[2] = row[0] + met, row[1] + missed, row[2] + running
    order = {kind: n for n, kind in enumerate(TargetKind.values)}
    return [
        {"tariff_id": tariff_id, "period": period, "kind": kind, "met": met, "missed": missed, "running": running,
         "compliance": 100 * met / (met + missed) if met + missed else None}
        for (tariff_id, period, kind), (met, missed, running) in sorted(
            totals.items(), key=lambda kv: (kv[0][1], kv[0][0] or 0, order.get(kv[0][2], 99)))
    ]


def backlog(scope, snap):
    """[{day, open}]: tickets in an open status at the end of each day of the scope (the
    running sum of the days' flows; for one organisation, today's count minus later flows)."""
    last = min(scope.last, snap.today)
    if scope.organisation is None:
        rows = rollup.daily_rows("flow", min(snap.first_day, scope.first), last, snap, scope.tariff, group=["day"])
        net = Counter()
        for day, opened, closed in rows:
            net[day] += opened - closed
        running, result = sum(v for d, v in net.items() if d < scope.first), []
        for n in range((last - scope.first).days + 1):
            day = scope.first + timedelta(days=n)
            running += net[day]
            result.append({"day": day, "open": running})
        return result
    today = snap.today
    tickets = Ticket.objects.filter(organisation_id=scope.organisation, status__in=OPEN_STATUSES)
    if scope.tariff is not None:
        tickets = tickets.filter(tariff_id=scope.tariff)
    open_now = tickets.count()
    net = Counter()
    for day, opened, closed in rollup.daily_rows("flow", scope.first, today, snap, scope.tariff, scope.organisation,
                                                 group=["day"]):
        net[day] += opened - closed
    result, running = [], open_now - sum(v for d, v in net.items() if d > last)
    for n in range((last - scope.first).days, -1, -1):
        day = scope.first + timedelta(days=n)
        result.append({"day": day, "open": running})
        running -= net[day]
    return result[::-1]


def organisations(scope, snap, names):
    """(pareto rows, summary, emergencies) from one query of the per-organisation roll-up.

    Pareto: tickets per organisation, largest first, with the cumulative share, and the
    shares of the top 1 % and top 20 % of organisations (seed 003: 1 % make half).
    Emergencies: per organisation that declared any, how many triage confirmed as critical
    and how many wait for triage, most declared first."""
    totals = defaultdict(lambda: [0, 0, 0, 0])
    for organisation_id, *counts in rollup.daily_rows(
        "organisation", scope.first, scope.last, snap, scope.tariff, scope.organisation, group=["organisation_id"]
    ):
        row = totals[organisation_id]
        for i, value in enumerate(counts):
            row[i] += value
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1][0], kv[0]))
    total, running, rows = sum(v[0] for v in totals.values()), 0, []
    for rank, (organisation_id, (tickets, *_rest)) in enumerate(ranked, start=1):
        running += tickets
        rows.append({"rank": rank, "organisation_id": organisation_id, "name": names.get(organisation_id, ""),
                     "tickets": tickets, "cumulative": 100 * running / total})
    summary = {"organisations": len(rows), "tickets": total, "top1_share": None, "top20_share": None}
    if rows:
        def top(share):
            return sum(r["tickets"] for r in rows[: max(1, math.ceil(len(rows) * share))])

        summary.update(top1_share=100 * top(0.01) / total, top20_share=100 * top(0.20) / total)
    emergencies = sorted(
        ({"organisation": names.get(pk, ""), "tickets": tickets, "declared": declared, "confirmed": confirmed,
          "awaiting_triage": awaiting, "confirmed_percent": 100 * confirmed / declared}
         for pk, (tickets, declared, confirmed, awaiting) in totals.items() if declared),
        key=lambda r: (-r["declared"], r["organisation"]),
    )
    return rows, summary, emergencies


def satisfaction(scope, snap=None):
    """[{period, asked, good, bad, score}] of the resolutions in the scope (score = good in
    percent of rated). Surveys are few next to tickets: counted live, one query."""
    trunc = TruncMonth if scope.grain == "month" else TruncWeek
    surveys = SatisfactionSurvey.objects.filter(
        resolved_at__gte=rollup.day_start(scope.first), resolved_at__lt=rollup.day_start(scope.last + timedelta(days=1))
    )
    if scope.tariff is not None:
        surveys = surveys.filter(ticket__tariff_id=scope.tariff)
    if scope.organisation is not None:
        surveys = surveys.filter(ticket__organisation_id=scope.organisation)
    rows = (
        surveys.annotate(period=trunc("resolved_at", tzinfo=rollup.report_zone())).values("period")
        .annotate(asked=Count("pk"), good=Count("pk", filter=Q(rating="good")), bad=Count("pk", filter=Q(rating="bad")))
        .order_by("period")
    )
    return [
        {"period": r["period"].date(), "asked": r["asked"], "good": r["good"], "bad": r["bad"],
         "score": 100 * r["good"] / (r["good"] + r["bad"]) if r["good"] + r["bad"] else None}
        for r in rows
    ]


def average_first_response_seconds(days=30, now=None):
    """The mean first response in business seconds of the tickets filed in the last
    ``days`` days (today included), or None; for the public figure on the home page."""
    snap = rollup.snapshot(now)
    first = snap.today - timedelta(days=days - 1)
    [(responded, seconds)] = [r[1:] for r in rollup.daily_rows("minutes", first, snap.today, snap, group=["1"])] or [
        (0, 0)]
    return seconds / responded if responded else None

