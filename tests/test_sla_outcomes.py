"""Rules 1 and 2: what a met target means is stored on its row at meet time."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from sla.models import TargetKind, Tariff
from sla.tests.factories import CalendarFactory, TariffFactory
from tickets import services, sla_clock
from tickets.models import Event, SlaTarget
from workspace import report_series, rollup

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
MONDAY_10AM = datetime(2026, 11, 23, 10, 0, tzinfo=MSK)


@pytest.fixture
def basic():
    return TariffFactory(code="basic", is_default=True, calendar=CalendarFactory(name="Office"),
                         first_response_minutes=60, commitment_minutes=120, resolution_minutes=None)


def _file(customer, at=MONDAY_10AM, kind="question"):
    with time_machine.travel(at, tick=False):
        return services.ticket_create(requester=customer, data={"kind": kind, "subject": "s", "body": "b"})


def _target(ticket, kind):
    return SlaTarget.objects.get(ticket=ticket, kind=kind)


def _compliance(tariff_name, kind_label):
    """The reports' compliance row of a tariff and target, summed over every month."""
    today = rollup.local_today()
    scope = report_series.Scope(today - timedelta(days=700), today + timedelta(days=30), grain="month")
    tariff = Tariff.objects.get(name=tariff_name)
    with translation.override("en"):
        kind = next(value for value, label in TargetKind.choices if str(label) == kind_label)
    rows = [r for r in report_series.sla_compliance(scope, rollup.snapshot())
            if r["tariff_id"] == tariff.pk and r["kind"] == kind]
    met, missed = sum(r["met"] for r in rows), sum(r["missed"] for r in rows)
    return {"met": met, "missed": missed, "running": sum(r["running"] for r in rows),
            "compliance": round(100 * met / (met + missed), 1) if met + missed else None}


def test_an_answer_after_the_deadline_is_a_breach_even_if_no_sweep_ran(basic, customer_a, engineer):
    ticket = _file(customer_a)
    # Beat was down: no sweep ever saw the first-response deadline (11:00) pass.
    with time_machine.travel(MONDAY_10AM + timedelta(hours=3), tick=False):
        services.ticket_reply(ticket=ticket, author=engineer, body="Sorry for the wait")
    target = _target(ticket, "first_response")
    assert target.met_at is not None
    assert target.breached_at == datetime(2026, 11, 23, 11, 0, tzinfo=MSK)
    assert target.outcome == SlaTarget.Outcome.MET_LATE
    assert ticket.events.filter(kind=Event.Kind.SLA_BREACH, field="first_response").count() == 1
    row = _compliance("Basic", "First response")
    assert (row["met"], row["missed"], row["compliance"]) == (0, 1, 0.0)


def test_an_answer_in_time_is_met(basic, customer_a, engineer):
    ticket = _file(customer_a)
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=20), tick=False):
        services.ticket_reply(ticket=ticket, author=engineer, body="On it")
    target = _target(ticket, "first_response")
    assert target.breached_at is None and target.outcome == SlaTarget.Outcome.MET
    assert _compliance("Basic", "First response")["met"] == 1


def test_a_late_answer_shows_as_breached_in_the_api_and_on_the_ticket_page(basic, customer_a, engineer, client_for):
    ticket = _file(customer_a)
    with time_machine.travel(MONDAY_10AM + timedelta(hours=3), tick=False):
        services.ticket_reply(ticket=ticket, author=engineer, body="Sorry for the wait")
    from api.serializers.tickets import SlaTargetSerializer

    data = SlaTargetSerializer(_target(ticket, "first_response")).data
    assert data["outcome"] == "met_late" and data["breached_at"] is not None
    page = client_for(engineer).get(reverse("workspace:work", args=[ticket.number])).content.decode()
    assert "met late" in page


def test_a_question_resolved_in_ten_minutes_meets_the_commitment(basic, customer_a, engineer):
    ticket = _file(customer_a)
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=10), tick=False):
        services.ticket_reply(ticket=ticket, author=engineer, body="Click Settings → Export.")
        services.ticket_transition(ticket=ticket, actor=engineer, to_status="resolved")
    target = _target(ticket, "commitment")
    assert target.met_at is not None and target.outcome == SlaTarget.Outcome.MET
    row = _compliance("Basic", "Planned date or justified refusal")
    assert (row["met"], row["running"]) == (1, 0)


def test_resolving_after_the_commitment_was_due_is_a_late_commitment(basic, customer_a, engineer):
    ticket = _file(customer_a)
    with time_machine.travel(MONDAY_10AM + timedelta(hours=5), tick=False):
        services.ticket_transition(ticket=ticket, actor=engineer, to_status="resolved")
    assert _target(ticket, "commitment").outcome == SlaTarget.Outcome.MET_LATE


def test_the_sweep_never_touches_a_target_met_late(basic, customer_a, engineer):
    ticket = _file(customer_a)
    with time_machine.travel(MONDAY_10AM + timedelta(hours=3), tick=False):
        services.ticket_reply(ticket=ticket, author=engineer, body="late")
    before = ticket.events.filter(kind=Event.Kind.SLA_BREACH).count()
    sla_clock.sla_sweep(now=MONDAY_10AM + timedelta(days=1))
    # The commitment (12:00) is still running and breaches once; the first response is not re-breached.
    assert ticket.events.filter(kind=Event.Kind.SLA_BREACH, field="first_response").count() == 1
    assert ticket.events.filter(kind=Event.Kind.SLA_BREACH).count() == before + 1
