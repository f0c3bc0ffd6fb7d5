"""The reports' roll-up gives exactly what a live computation over the tickets gives.

Random histories of tickets (filed over three weeks under two tariffs by three
organisations; answered, put on hold, resolved, reopened, closed, breached by the sweep)
are reported three ways: by a reference written here straight from the rows (percentiles
by PostgreSQL's own ``percentile_cont``, the backlog by replaying each ticket's status
events), by the roll-up after a refresh, and by the roll-up left stale while more happens
(the page then reads the touched days live). All must agree, for every filter.
"""

import random
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection

from helpdesk.accounts.tests.factories import EngineerFactory, OrganisationFactory, UserFactory
from sla.tests.factories import CalendarFactory, TariffFactory, working_week
from tickets import services
from tickets.models import OPEN_STATUSES, Event, SlaTarget, Ticket
from tickets.sweep import sla_sweep
from workspace import report_series, rollup
from workspace.models import ReportResponseMinutes, ReportRollupState

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 2, 7, 30, tzinfo=rollup.report_zone())  # a Monday morning, Moscow


@pytest.fixture
def world(settings):
    settings.REPORTS_TIME_ZONE = "Europe/Moscow"
    office = working_week(CalendarFactory(name="Office"))
    basic = TariffFactory(code="basic", name="Basic", is_default=True, calendar=office,
                          first_response_minutes=120, commitment_minutes=240, resolution_minutes=1200)
    premium = TariffFactory(code="premium", name="Premium", calendar=office, first_response_minutes=30,
                            commitment_minutes=60, resolution_minutes=480)
    orgs = [OrganisationFactory(name=f"Org {n}") for n in range(3)]
    customers = [UserFactory(organisation=org, email=f"c{n}@example.com") for n, org in enumerate(orgs)]
    return {"tariffs": [basic, premium], "orgs": orgs, "customers": customers,
            "engineer": EngineerFactory(email="eng@helpdesk.example")}


def _act(rng, world, tickets, at):
    """One random thing happening at ``at``: filing, answering, holding, resolving, reopening."""
    engineer = world["engineer"]
    with time_machine.travel(at, tick=False):
        choice = rng.random()
        if choice < 0.4 or not tickets:
            customer = rng.choice(world["customers"])
            ticket = services.ticket_create(requester=customer, data={"kind": "question", "subject": "s", "body": "b"})
            if rng.random() < 0.4:
                Ticket.objects.filter(pk=ticket.pk).update(tariff=world["tariffs"][1])
            tickets.append(ticket.pk)
            return
        ticket = Ticket.objects.get(pk=rng.choice(tickets))
        if ticket.status == "new":
            services.ticket_reply(ticket=ticket, author=engineer, body="Looking", wait_for_customer=rng.random() < 0.3)
        elif ticket.status in ("open", "waiting"):
            if rng.random() < 0.5:
                services.ticket_transition(ticket=ticket, actor=engineer, to_status="resolved")
            else:
                services.ticket_reply(ticket=ticket, author=engineer, body="More", wait_for_customer=ticket.status == "open")
        elif ticket.status == "resolved":
            services.ticket_transition(ticket=ticket, actor=engineer, to_status=rng.choice(["open", "closed"]))
        elif ticket.status == "closed":
            services.ticket_transition(ticket=ticket, actor=engineer, to_status="open")
        if rng.random() < 0.2:
            sla_sweep(now=at)


def _history(rng, world, days, per_day, start=START, tickets=None, span=14 * 60):
    tickets = [] if tickets is None else tickets
    for day in range(days):
        for minute in sorted(rng.sample(range(span), per_day)):
            _act(rng, world, tickets, start + timedelta(days=day, minutes=minute))
    return tickets


# ---------------------------------------------------------------- the reference


def _scope_tickets(scope):
    tickets = Ticket.objects.filter(created_at__gte=rollup.day_start(scope.first),
                                    created_at__lt=rollup.day_start(scope.last + timedelta(days=1)))
    if scope.tariff is not None:
        tickets = tickets.filter(tariff_id=scope.tariff)
    if scope.organisation is not None:
        tickets = tickets.filter(organisation_id=scope.organisation)
    return tickets


def reference_first_response(scope):
    ids = list(_scope_tickets(scope).values_list("pk", flat=True))
    unit = "month" if scope.grain == "month" else "week"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT tariff_id, date_trunc('{unit}', (created_at AT TIME ZONE %s)::date)::date, count(*),
                       avg(first_response_business_seconds) / 60,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response_business_seconds / 60),
                       percentile_cont(0.9) WITHIN GROUP (ORDER BY first_response_business_seconds / 60)
                FROM tickets_ticket WHERE id = ANY(%s) AND first_response_business_seconds IS NOT NULL
                GROUP BY 1, 2""",
            [rollup.report_zone().key, ids],
        )
        return {(r[0], r[1]): (r[2], round(float(r[3]), 6), round(r[4], 6), round(r[5], 6)) for r in cursor.fetchall()}


def reference_compliance(scope):
    result = defaultdict(lambda: [0, 0, 0])
    for target in SlaTarget.objects.filter(ticket__in=_scope_tickets(scope)).select_related("ticket"):
        day = target.ticket.created_at.astimezone(rollup.report_zone()).date()
        row = result[(target.ticket.tariff_id, scope.period_of(day), target.kind)]
        outcome = target.outcome
        if outcome == SlaTarget.Outcome.MET:
            row[0] += 1
        elif outcome in (SlaTarget.Outcome.MET_LATE, SlaTarget.Outcome.BREACHED):
            row[1] += 1
        else:
            row[2] += 1
    return {k: tuple(v) for k, v in result.items()}


def reference_backlog(scope, today):
    """Open tickets at the end of each day, by replaying every ticket's status events."""
    tickets = Ticket.objects.all()
    if scope.tariff is not None:
        tickets = tickets.filter(tariff_id=scope.tariff)
    if scope.organisation is not None:
        tickets = tickets.filter(organisation_id=scope.organisation)
    histories = {t.pk: (t.created_at, []) for t in tickets}
    for event in Event.objects.filter(ticket_id__in=histories, kind="status").order_by("created_at", "pk"):
        histories[event.ticket_id][1].append((event.created_at, event.new_value))
    result = {}
    day = scope.first
    while day <= min(scope.last, today):
        end = rollup.day_start(day + timedelta(days=1))
        count = 0
        for created, changes in histories.values():
            if created >= end:
                continue
            status = "new"
            for at, new in changes:
                if at < end:
                    status = new
            count += status in OPEN_STATUSES
        result[day] = count
        day += timedelta(days=1)
    return result


def reference_pareto(scope):
    return Counter(_scope_tickets(scope).values_list("organisation_id", flat=True))


# ---------------------------------------------------------------- comparing


def _assert_same(scope, snap):
    got = {(r["tariff_id"], r["period"]): (r["tickets"], round(r["mean_minutes"], 6), round(r["median_minutes"], 6),
                                            round(r["p90_minutes"], 6))
           for r in report_series.first_response(scope, snap)}
    assert got == reference_first_response(scope)
    got = {(r["tariff_id"], r["period"], r["kind"]): (r["met"], r["missed"], r["running"])
           for r in report_series.sla_compliance(scope, snap)}
    assert got == reference_compliance(scope)
    assert {r["day"]: r["open"] for r in report_series.backlog(scope, snap)} == reference_backlog(scope, snap.today)
    rows, summary, _emergencies = report_series.organisations(scope, snap, {})
    assert {r["organisation_id"]: r["tickets"] for r in rows} == reference_pareto(scope)
    assert summary["tickets"] == sum(reference_pareto(scope).values())


def _scopes(world, first, last):
    basic, premium = world["tariffs"]
    org = world["orgs"][0]
    return [
        report_series.Scope(first, last),
        report_series.Scope(first, last, grain="month"),
        report_series.Scope(first + timedelta(days=3), last - timedelta(days=2), tariff=premium.pk),
        report_series.Scope(first, last, grain="week", organisation=org.pk),
        report_series.Scope(first, last, grain="month", tariff=basic.pk, organisation=org.pk),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollup_equals_the_live_computation_fresh_stale_and_refreshed(world, seed):
    rng = random.Random(seed)
    tickets = _history(rng, world, days=12, per_day=5)
    now = START + timedelta(days=12, hours=10)
    first, last = START.date() - timedelta(days=2), now.date()
    with time_machine.travel(now, tick=False):
        # Never built: everything live.
        snap = rollup.snapshot()
        assert snap.built_day is None
        for scope in _scopes(world, first, last):
            _assert_same(scope, snap)
        assert rollup.rollup_refresh() == 12  # every day from the first ticket's to yesterday
        snap = rollup.snapshot()
        assert (snap.built_day, snap.built_hour) == (now.date(), now.hour)
        assert snap.live_in(now.date(), now.date()) == {(now.date(), h) for h in range(now.hour, 24)}
        for scope in _scopes(world, first, last):
            _assert_same(scope, snap)
    # Later the same day: new tickets and changes to this morning's; stale, then refreshed.
    evening = now + timedelta(hours=3)
    _history(rng, world, days=1, per_day=6, start=now + timedelta(minutes=5), tickets=tickets, span=170)
    with time_machine.travel(evening, tick=False):
        for scope in _scopes(world, first, last):
            _assert_same(scope, rollup.snapshot())
        assert rollup.rollup_refresh() < 12  # the touched past days only, and hours of today
        snap = rollup.snapshot()
        assert snap.built_hour == evening.hour
        for scope in _scopes(world, first, last):
            _assert_same(scope, snap)
    # More happens to old tickets over two days; the roll-up is not refreshed.
    later = evening + timedelta(days=3)
    _history(rng, world, days=2, per_day=6, start=evening + timedelta(minutes=5), tickets=tickets)
    with time_machine.travel(later, tick=False):
        sla_sweep(now=later)
        snap = rollup.snapshot()
        assert {d for d, _h in snap.touched if d < snap.built_day}, "old days touched since the refresh are read live"
        for scope in _scopes(world, first, later.date()):
            _assert_same(scope, snap)
        rebuilt = rollup.rollup_refresh()
        assert 0 < rebuilt < 15
        snap = rollup.snapshot()
        for scope in _scopes(world, first, later.date()):
            _assert_same(scope, snap)


def test_a_full_rebuild_changes_nothing(world):
    rng = random.Random(7)
    _history(rng, world, days=5, per_day=4)
    now = START + timedelta(days=6)
    with time_machine.travel(now, tick=False):
        rollup.rollup_refresh()
        before = sorted(ReportResponseMinutes.objects.values_list("day", "tariff_id", "minutes", "tickets", "seconds"))
        assert before
        assert rollup.rollup_refresh(full=True) == 6
        after = sorted(ReportResponseMinutes.objects.values_list("day", "tariff_id", "minutes", "tickets", "seconds"))
        assert after == before
        assert ReportRollupState.objects.count() == 1


def test_the_page_reads_stored_days_and_only_today_live(world):
    """After a refresh the stored rows are what the page shows: poison one and see it."""
    rng = random.Random(11)
    _history(rng, world, days=4, per_day=4)
    now = START + timedelta(days=5, hours=3)
    with time_machine.travel(now, tick=False):
        rollup.rollup_refresh()
        row = ReportResponseMinutes.objects.order_by("day").first()
        ReportResponseMinutes.objects.filter(pk=row.pk).update(tickets=row.tickets + 1000)
        scope = report_series.Scope(START.date(), now.date())
        total = sum(r["tickets"] for r in report_series.first_response(scope, rollup.snapshot()))
        assert total == Ticket.objects.filter(first_response_business_seconds__isnull=False).count() + 1000


def test_percentile_cont_of_a_histogram_is_postgresqls():
    histogram = {3: 2, 10: 1, 11: 4, 40: 1}
    values = sorted(v for v, n in histogram.items() for _ in range(n))
    with connection.cursor() as cursor:
        cursor.execute("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), percentile_cont(0.9) WITHIN GROUP "
                       "(ORDER BY v) FROM unnest(%s::int[]) v", [values])
        median, p90 = cursor.fetchone()
    assert report_series.percentile_cont(histogram, 0.5) == pytest.approx(median)
    assert report_series.percentile_cont(histogram, 0.9) == pytest.approx(p90)
    assert report_series.percentile_cont({}, 0.5) is None

