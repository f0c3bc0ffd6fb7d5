"""SLA clocks on tickets: start, pause, meet, recompute, and the beat sweep."""

import threading
from datetime import datetime, timedelta
from datetime import timezone as dt_tz
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.mail.models import OutboundEmail
from sla.models import BusinessCalendar, TariffUrgencyRule
from sla.tests.factories import CalendarFactory, TariffFactory
from tickets import services, sla_clock
from tickets.models import Event, SlaTarget, Ticket

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
# Friday 20 November 2026, 16:00 Moscow time.
FRIDAY_4PM = datetime(2026, 11, 20, 16, 0, tzinfo=MSK)


@pytest.fixture
def basic():
    calendar = CalendarFactory(name="Moscow office")  # Mon–Fri 09:00–18:00
    return TariffFactory(code="basic", is_default=True, calendar=calendar, first_response_minutes=8 * 60,
                         commitment_minutes=120, resolution_minutes=None, warn_at_percent=75)


def _file(customer, at=FRIDAY_4PM, **data):
    with time_machine.travel(at, tick=False):
        return services.ticket_create(requester=customer, data={"kind": "error", "subject": "s", "body": "b", **data})


def _target(ticket, kind="first_response"):
    return SlaTarget.objects.get(ticket=ticket, kind=kind)


def test_deadline_is_counted_in_business_hours_over_the_weekend(basic, customer_a):
    ticket = _file(customer_a)
    # Friday 16:00–18:00 is 2 h; the remaining 6 h run Monday 09:00–15:00.
    assert _target(ticket).due_at == datetime(2026, 11, 23, 15, 0, tzinfo=MSK)
    # The commitment (2 business hours) lands exactly at Friday's closing time.
    assert _target(ticket, "commitment").due_at == datetime(2026, 11, 20, 18, 0, tzinfo=MSK)
    ticket.refresh_from_db()
    assert ticket.next_due_at == datetime(2026, 11, 20, 18, 0, tzinfo=MSK)
    assert not SlaTarget.objects.filter(ticket=ticket, kind="resolution").exists()


def test_warning_time_is_the_configured_share_of_the_target(basic, customer_a):
    ticket = _file(customer_a)
    # 75 % of 8 h = 6 h: Friday 2 h + Monday 4 h = Monday 13:00.
    assert _target(ticket).warn_at == datetime(2026, 11, 23, 13, 0, tzinfo=MSK)


def test_waiting_for_customer_pauses_and_resuming_extends(basic, customer_a, engineer):
    basic.resolution_minutes = 16 * 60
    basic.save()
    ticket = _file(customer_a)
    # Resolution: Friday 2 h + Monday 9 h + Tuesday 5 h = Tuesday 14:00.
    assert _target(ticket, "resolution").due_at == datetime(2026, 11, 24, 14, 0, tzinfo=MSK)
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=MSK), tick=False):
        services.ticket_reply(ticket=ticket, author=engineer, body="Send the log, please", wait_for_customer=True)
    target = _target(ticket, "resolution")
    assert target.due_at is None and target.warn_at is None
    ticket.refresh_from_db()
    # The commitment was already overdue on Friday before the pause: it stays visible.
    assert ticket.next_due_at == _target(ticket, "commitment").due_at == FRIDAY_4PM + timedelta(hours=2)
    with time_machine.travel(datetime(2026, 11, 23, 13, 0, tzinfo=MSK), tick=False):
        services.ticket_reply(ticket=ticket, author=customer_a, body="here is the log")
    # Paused 3 business hours (10:00–13:00): 14:00 + 3 h = 17:00.
    assert _target(ticket, "resolution").due_at == datetime(2026, 11, 24, 17, 0, tzinfo=MSK)


def test_first_public_reply_meets_first_response_but_a_note_does_not(basic, customer_a, engineer):
    ticket = _file(customer_a)
    with time_machine.travel(datetime(2026, 11, 23, 9, 30, tzinfo=MSK), tick=False):
        services.ticket_reply(ticket=ticket, author=engineer, body="note", internal=True)
        assert _target(ticket).met_at is None
        services.ticket_reply(ticket=ticket, author=engineer, body="We are on it")
    assert _target(ticket).met_at == datetime(2026, 11, 23, 9, 30, tzinfo=MSK)


def test_customer_reply_does_not_meet_first_response(basic, customer_a):
    ticket = _file(customer_a)
    services.ticket_reply(ticket=ticket, author=customer_a, body="anyone?")
    assert _target(ticket).met_at is None


def test_critical_urgency_runs_on_a_24x7_clock(basic, customer_a, engineer):
    always = BusinessCalendar.objects.create(name="24x7", always_open=True)
    TariffUrgencyRule.objects.create(tariff=basic, urgency="critical", calendar=always, first_response_minutes=60)
    ticket = _file(customer_a, at=datetime(2026, 11, 21, 3, 0, tzinfo=MSK))  # Saturday night
    with time_machine.travel(datetime(2026, 11, 21, 3, 10, tzinfo=MSK), tick=False):
        services.ticket_set_urgency(ticket=ticket, actor=engineer, urgency="critical")
    assert _target(ticket).due_at == datetime(2026, 11, 21, 4, 0, tzinfo=MSK)
    assert ticket.events.filter(kind=Event.Kind.FIELD, field="urgency", new_value="critical").exists()


def test_customer_urgency_at_filing_does_not_select_the_override(basic, customer_a):
    always = BusinessCalendar.objects.create(name="24x7", always_open=True)
    TariffUrgencyRule.objects.create(tariff=basic, urgency="critical", calendar=always, first_response_minutes=60)
    ticket = _file(customer_a, at=datetime(2026, 11, 21, 3, 0, tzinfo=MSK), customer_urgency="critical")
    # Saturday 03:00: the default (normal) clock starts Monday 09:00; 8 h → Monday 17:00.
    assert ticket.urgency == "normal" and ticket.customer_urgency == "critical"
    assert _target(ticket).due_at == datetime(2026, 11, 23, 17, 0, tzinfo=MSK)


def test_tariff_edits_do_not_move_running_deadlines_unless_reapplied(basic, customer_a):
    ticket = _file(customer_a)
    before = _target(ticket).due_at
    basic.first_response_minutes = 60
    basic.save()
    basic.calendar.intervals.all().delete()
    sla_clock.clock_recompute(Ticket.objects.get(pk=ticket.pk))
    assert _target(ticket).due_at == before
    with time_machine.travel(FRIDAY_4PM, tick=False):
        from sla.models import WorkingInterval
        for day in range(5):
            WorkingInterval.objects.create(calendar=basic.calendar, weekday=day, start="09:00", end="18:00")
        sla_clock.ticket_reapply_tariff(ticket)
    assert _target(ticket).due_at == datetime(2026, 11, 20, 17, 0, tzinfo=MSK)


def test_resolving_meets_resolution_and_reopening_restarts_it(customer_a, engineer):
    calendar = CalendarFactory(name="Office")
    TariffFactory(code="basic", is_default=True, calendar=calendar, resolution_minutes=16 * 60)
    ticket = _file(customer_a, kind="question")
    services.ticket_transition(ticket=ticket, actor=engineer, to_status="resolved")
    assert _target(ticket, "resolution").met_at is not None
    services.ticket_transition(ticket=ticket, actor=engineer, to_status="open")
    target = _target(ticket, "resolution")
    assert target.met_at is None and target.due_at is not None


def test_sweep_warns_once_then_breaches_once_and_escalates(basic, customer_a, engineer):
    ticket = _file(customer_a)
    services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    OutboundEmail.objects.all().delete()
    warn_time = datetime(2026, 11, 20, 17, 31, tzinfo=MSK)  # commitment warns at 17:30
    assert sla_clock.sla_sweep(now=warn_time) == (1, 0)
    assert sla_clock.sla_sweep(now=warn_time) == (0, 0)
    assert OutboundEmail.objects.get().to == engineer.email
    breach_time = datetime(2026, 11, 20, 18, 1, tzinfo=MSK)
    assert sla_clock.sla_sweep(now=breach_time) == (0, 1)
    assert sla_clock.sla_sweep(now=breach_time) == (0, 0)
    ticket.refresh_from_db()
    assert ticket.level == "L2"
    assert ticket.events.filter(kind=Event.Kind.SLA_BREACH).count() == 1
    assert ticket.events.filter(kind=Event.Kind.ESCALATED, old_value="L1", new_value="L2").count() == 1
    # After a long outage: the first-response target both warns and breaches in one pass,
    # recorded once, escalating once more.
    assert sla_clock.sla_sweep(now=datetime(2026, 12, 1, tzinfo=MSK)) == (0, 1)
    ticket.refresh_from_db()
    assert ticket.level == "L3"


def test_warnings_of_unassigned_tickets_go_to_the_queue(basic, customer_a, settings):
    _file(customer_a)
    OutboundEmail.objects.all().delete()
    sla_clock.sla_sweep(now=datetime(2026, 11, 20, 17, 31, tzinfo=MSK))
    assert OutboundEmail.objects.get().to == settings.SUPPORT_QUEUE_EMAIL


def test_paused_and_met_targets_are_never_breached(basic, customer_a, engineer):
    paused = _file(customer_a)
    with time_machine.travel(FRIDAY_4PM + timedelta(minutes=5), tick=False):
        services.ticket_reply(ticket=paused, author=engineer, body="Which version?", wait_for_customer=True)
    met = _file(customer_a)
    services.ticket_reply(ticket=met, author=engineer, body="hi")
    SlaTarget.objects.filter(ticket=met, kind="commitment").update(met_at=FRIDAY_4PM)
    assert sla_clock.sla_sweep(now=datetime(2027, 1, 1, tzinfo=dt_tz.utc)) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_record_each_breach_once(basic, customer_a):
    for _ in range(30):
        _file(customer_a)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def sweep():
        try:
            barrier.wait(timeout=10)
            results.append(sla_clock.sla_sweep(now=datetime(2027, 1, 1, tzinfo=dt_tz.utc), batch=7))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sum(b for _, b in results) == 60  # 30 tickets × 2 targets
    assert Event.objects.filter(kind=Event.Kind.SLA_BREACH).count() == 60


def test_sweep_cost_does_not_grow_with_tickets_that_are_not_due(basic, customer_a):
    for _ in range(3):
        _file(customer_a)
    with CaptureQueriesContext(connection) as few:
        sla_clock.sla_sweep(now=datetime(2026, 11, 20, 16, 30, tzinfo=MSK))
    for _ in range(20):
        _file(customer_a)
    with CaptureQueriesContext(connection) as many:
        sla_clock.sla_sweep(now=datetime(2026, 11, 20, 16, 30, tzinfo=MSK))
    # Two claim queries and their savepoints; nothing per ticket.
    assert len(few.captured_queries) == len(many.captured_queries) <= 6


def test_no_tariff_configured_means_no_clocks(customer_a):
    ticket = _file(customer_a)
    assert not ticket.sla_targets.exists() and ticket.tariff is None


def test_two_targets_breaching_together_escalate_once(basic, customer_a):
    ticket = _file(customer_a)
    assert sla_clock.sla_sweep(now=datetime(2026, 12, 1, tzinfo=MSK)) == (0, 2)
    ticket.refresh_from_db()
    assert ticket.level == "L2"
    assert ticket.events.filter(kind=Event.Kind.ESCALATED).count() == 1
    assert ticket.events.filter(kind=Event.Kind.SLA_BREACH).count() == 2


def test_one_broken_target_does_not_block_the_rest(basic, customer_a, monkeypatch):
    first, second = _file(customer_a), _file(customer_a)
    from tickets import sweep

    original = sweep.notify_engineers

    def flaky(ticket, template, target):
        if ticket.pk == first.pk:
            raise RuntimeError("template broke")
        return original(ticket, template, target)

    monkeypatch.setattr(sweep, "notify_engineers", flaky)
    assert sla_clock.sla_sweep(now=datetime(2026, 12, 1, tzinfo=MSK)) == (0, 4)
    assert Event.objects.filter(ticket=second, kind=Event.Kind.SLA_BREACH).count() == 2
    assert not SlaTarget.objects.filter(breached_at__isnull=True).exists()
    assert sla_clock.sla_sweep(now=datetime(2026, 12, 1, tzinfo=MSK)) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_sweep_skips_a_ticket_an_engineer_is_working_on(basic, customer_a):
    """Services lock the ticket first; the sweep skips it instead of deadlocking."""
    ticket = _file(customer_a)
    locked, release, done = threading.Event(), threading.Event(), threading.Event()

    def engineer_busy():
        from django.db import transaction

        with transaction.atomic():
            Ticket.objects.select_for_update().get(pk=ticket.pk)
            locked.set()
            release.wait(timeout=20)
        connection.close()
        done.set()

    worker = threading.Thread(target=engineer_busy)
    worker.start()
    assert locked.wait(timeout=10)
    try:
        assert sla_clock.sla_sweep(now=datetime(2026, 12, 1, tzinfo=MSK)) == (0, 0)
    finally:
        release.set()
        worker.join(timeout=20)
    assert sla_clock.sla_sweep(now=datetime(2026, 12, 1, tzinfo=MSK)) == (0, 2)
