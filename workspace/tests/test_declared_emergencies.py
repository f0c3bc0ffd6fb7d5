"""Rule 4: the customer declares an urgency; triage sets the one that runs the SLA clock."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from helpdesk.accounts.models import Organisation
from helpdesk.accounts.tests.factories import EngineerFactory
from helpdesk.mail.models import OutboundEmail
from sla.models import BusinessCalendar, TariffUrgencyRule
from sla.tests.factories import CalendarFactory, TariffFactory, working_week
from tickets import services
from tickets.models import EngineerSchedule, SlaTarget
from workspace import report_series, rollup
from workspace import services as ws

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
SATURDAY_3AM = datetime(2026, 11, 21, 3, 0, tzinfo=MSK)


@pytest.fixture
def vip():
    tariff = TariffFactory(code="vip", is_default=True, calendar=CalendarFactory(name="Office"),
                           first_response_minutes=8 * 60, commitment_minutes=None)
    always = BusinessCalendar.objects.create(name="24x7", always_open=True)
    TariffUrgencyRule.objects.create(tariff=tariff, urgency="critical", calendar=always, first_response_minutes=60)
    return tariff


def _file(customer, urgency="critical", at=SATURDAY_3AM):
    with time_machine.travel(at, tick=False):
        return services.ticket_create(
            requester=customer, data={"kind": "error", "subject": "Site down", "body": "b", "customer_urgency": urgency}
        )


def _due(ticket):
    return SlaTarget.objects.get(ticket=ticket, kind="first_response").due_at


def test_a_declared_emergency_runs_on_the_default_clock_until_triage(vip, customer_a):
    ticket = _file(customer_a)
    assert ticket.urgency == "normal" and ticket.is_declared_emergency
    assert _due(ticket) == datetime(2026, 11, 23, 17, 0, tzinfo=MSK)


def test_triage_confirming_the_emergency_recomputes_the_clock_from_filing_time(vip, customer_a, engineer):
    ticket = _file(customer_a)
    with time_machine.travel(SATURDAY_3AM + timedelta(minutes=20), tick=False):
        ticket = ws.ticket_triage(ticket=ticket, actor=engineer, urgency="critical")
    assert _due(ticket) == SATURDAY_3AM + timedelta(hours=1)
    assert ticket.triaged_at is not None and not ticket.is_declared_emergency


def test_a_declared_emergency_notifies_engineers_on_duty(vip, customer_a):
    night = working_week(BusinessCalendar.objects.create(name="Night shift"), start=time(0), end=time(8), days=range(7))
    on_duty = EngineerFactory(email="night@helpdesk.example")
    EngineerSchedule.objects.create(engineer=on_duty, calendar=night)
    off_duty = EngineerFactory(email="day@helpdesk.example")
    EngineerSchedule.objects.create(engineer=off_duty, calendar=CalendarFactory(name="Office"))
    ticket = _file(customer_a)
    alerts = OutboundEmail.objects.filter(subject__contains="Declared emergency")
    assert list(alerts.values_list("to", flat=True)) == [on_duty.email]
    assert ticket.reference in alerts.get().subject


def test_with_nobody_on_duty_the_queue_hears_of_it(vip, customer_a, settings):
    _file(customer_a)
    assert OutboundEmail.objects.filter(subject__contains="Declared emergency").get().to == settings.SUPPORT_QUEUE_EMAIL


def test_an_ordinary_ticket_alerts_nobody(vip, customer_a):
    _file(customer_a, urgency="high")
    assert not OutboundEmail.objects.filter(subject__contains="Declared emergency").exists()


def test_declared_emergencies_top_the_queue_until_triaged(vip, customer_a, engineer, client_for):
    ticket = _file(customer_a)
    page = client_for(engineer).get(reverse("workspace:queue")).content.decode()
    assert 'id="declared-emergencies"' in page and ticket.reference in page
    ws.ticket_triage(ticket=ticket, actor=engineer, urgency="high")
    page = client_for(engineer).get(reverse("workspace:queue")).content.decode()
    assert 'id="declared-emergencies"' not in page


def test_report_shows_declared_against_confirmed_per_organisation(vip, customer_a, customer_b, engineer):
    confirmed, downgraded = _file(customer_a), _file(customer_a)
    _file(customer_a)  # still awaiting triage
    _file(customer_b, urgency="normal")
    ws.ticket_triage(ticket=confirmed, actor=engineer, urgency="critical")
    ws.ticket_triage(ticket=downgraded, actor=engineer, urgency="normal")
    day = SATURDAY_3AM.astimezone(rollup.report_zone()).date()
    scope = report_series.Scope(day - timedelta(days=1), day + timedelta(days=1))
    names = dict(Organisation.objects.values_list("pk", "name"))
    _rows, _summary, emergencies = report_series.organisations(scope, rollup.snapshot(SATURDAY_3AM), names)
    assert emergencies == [{"organisation": "Acme Hosting", "tickets": 3, "declared": 3, "confirmed": 1,
                            "awaiting_triage": 1, "confirmed_percent": pytest.approx(100 / 3)}]
