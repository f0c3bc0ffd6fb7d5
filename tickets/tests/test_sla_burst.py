"""Bursts: many targets falling due in one sweep cost a constant number of statements and
reach each recipient as one digest, most urgent first."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.mail.models import OutboundEmail
from helpdesk.mail.services import email_render_deferred
from sla.tests.factories import CalendarFactory, TariffFactory
from tickets import services, sla_clock
from tickets.models import Event, SlaTarget

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
MONDAY_10AM = datetime(2026, 11, 23, 10, 0, tzinfo=MSK)


@pytest.fixture
def basic():
    return TariffFactory(code="basic", is_default=True, calendar=CalendarFactory(name="Office"),
                         first_response_minutes=60, commitment_minutes=None, resolution_minutes=None)


def _file(customer, at):
    with time_machine.travel(at, tick=False):
        return services.ticket_create(requester=customer, data={"kind": "question", "subject": "s", "body": "b"})


def test_more_than_a_few_due_together_become_one_digest_most_urgent_first(basic, customer_a, settings):
    settings.SLA_DIGEST_THRESHOLD = 3
    tickets = [_file(customer_a, MONDAY_10AM + timedelta(minutes=i)) for i in range(5)]
    OutboundEmail.objects.all().delete()
    # 11:02: the first three are past their deadline (11:00–11:02), the last two only warned.
    assert sla_clock.sla_sweep(now=MONDAY_10AM + timedelta(hours=1, minutes=2)) == (2, 3)
    digest = email_render_deferred(OutboundEmail.objects.get())  # as the worker renders it
    assert digest.to == settings.SUPPORT_QUEUE_EMAIL
    body = digest.body_text
    order = [body.index(t.reference) for t in tickets]
    assert order == sorted(order)  # the earliest deadline first; breaches before warnings
    assert "Deadlines missed: 3. Deadlines near: 2." in body
    assert Event.objects.filter(kind=Event.Kind.SLA_BREACH).count() == 3
    assert Event.objects.filter(kind=Event.Kind.ESCALATED).count() == 3


def test_a_few_due_together_are_emailed_one_by_one(basic, customer_a, settings):
    settings.SLA_DIGEST_THRESHOLD = 3
    for i in range(3):
        _file(customer_a, MONDAY_10AM + timedelta(minutes=i))
    OutboundEmail.objects.all().delete()
    assert sla_clock.sla_sweep(now=MONDAY_10AM + timedelta(days=1)) == (0, 3)
    assert OutboundEmail.objects.count() == 3
    assert not OutboundEmail.objects.filter(topic="sla-digest").exists()


def test_a_digest_goes_to_each_recipient_separately(basic, customer_a, engineer, settings):
    settings.SLA_DIGEST_THRESHOLD = 1
    mine = [_file(customer_a, MONDAY_10AM) for _ in range(2)]
    for ticket in mine:
        services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    [_file(customer_a, MONDAY_10AM) for _ in range(2)]
    OutboundEmail.objects.all().delete()
    sla_clock.sla_sweep(now=MONDAY_10AM + timedelta(days=1))
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == sorted([engineer.email, settings.SUPPORT_QUEUE_EMAIL])


def test_the_sweep_costs_the_same_statements_for_3_or_30_due_targets(basic, customer_a, settings):
    settings.SLA_DIGEST_THRESHOLD = 0  # everything as digests: one email per recipient
    for _ in range(3):
        _file(customer_a, MONDAY_10AM)
    with CaptureQueriesContext(connection) as few:
        assert sla_clock.sla_sweep(now=MONDAY_10AM + timedelta(days=1)) == (0, 3)
    for _ in range(30):
        _file(customer_a, MONDAY_10AM + timedelta(days=2))
    with CaptureQueriesContext(connection) as many:
        assert sla_clock.sla_sweep(now=MONDAY_10AM + timedelta(days=4)) == (0, 30)
    assert len(few.captured_queries) == len(many.captured_queries)
    assert not SlaTarget.objects.filter(breached_at__isnull=True).exists()


def test_a_long_digest_lists_the_most_urgent_and_counts_the_rest(basic, customer_a, settings):
    settings.SLA_DIGEST_THRESHOLD, settings.SLA_DIGEST_MAX_ROWS = 3, 2
    tickets = [_file(customer_a, MONDAY_10AM + timedelta(minutes=i)) for i in range(5)]
    OutboundEmail.objects.all().delete()
    sla_clock.sla_sweep(now=MONDAY_10AM + timedelta(days=1))
    body = email_render_deferred(OutboundEmail.objects.get()).body_text
    assert tickets[0].reference in body and tickets[1].reference in body and tickets[4].reference not in body
    assert "and 3 more in the queue" in body and "now at level L2" in body
