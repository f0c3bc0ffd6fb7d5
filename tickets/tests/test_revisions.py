"""Tickets freeze their tariff by reference to an immutable, shared revision."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sla.models import TariffRevision, WorkingInterval
from sla.tests.factories import TariffFactory
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _file(customer):
    return services.ticket_create(requester=customer, data={"kind": "question", "subject": "s", "body": "b"})


def test_tickets_filed_under_one_tariff_share_one_revision(customer_a, customer_a2):
    TariffFactory(code="basic", is_default=True)
    first, second = _file(customer_a), _file(customer_a2)
    assert first.tariff_revision_id == second.tariff_revision_id
    assert TariffRevision.objects.count() == 1


def test_an_edit_makes_a_new_revision_for_new_tickets_and_leaves_running_deadlines(
    customer_a, django_capture_on_commit_callbacks
):
    tariff = TariffFactory(code="basic", is_default=True, first_response_minutes=240)
    with django_capture_on_commit_callbacks(execute=True):  # the process now caches the revision
        old = _file(customer_a)
    due = old.sla_targets.get(kind="first_response").due_at
    tariff.first_response_minutes = 60
    tariff.save()
    WorkingInterval.objects.filter(calendar=tariff.calendar, weekday=0).delete()
    new = _file(customer_a)
    assert new.tariff_revision_id != old.tariff_revision_id
    assert new.tariff_revision.content["urgencies"]["normal"]["targets"]["first_response"] == 60
    old = Ticket.objects.get(pk=old.pk)
    assert old.tariff_revision.content["urgencies"]["normal"]["targets"]["first_response"] == 240
    assert old.sla_targets.get(kind="first_response").due_at == due


def test_a_revision_cannot_be_changed(customer_a):
    TariffFactory(code="basic", is_default=True)
    revision = _file(customer_a).tariff_revision
    revision.content = {}
    with pytest.raises(ValueError, match="immutable"):
        revision.save()


def test_filing_through_the_form_costs_a_bounded_number_of_statements(customer_a, client_for, django_capture_on_commit_callbacks):
    TariffFactory(code="basic", is_default=True)
    client = client_for(customer_a)
    form = {"kind": "question", "subject": "Export fails", "body": "Error 500", "customer_urgency": "normal"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("tickets:new"), form).status_code == 302  # warms the revision cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(reverse("tickets:new"), form).status_code == 302
    statements = [q["sql"] for q in ctx.captured_queries if q["sql"].split()[0] not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")]
    # Session, user, organisations, licenses, default tariff (no licenses: no subscription
    # lookup), points rules, revision digest, ticket, event, targets, the email cap's
    # advisory lock and the capped outbox insert. No promise query: the worker renders.
    assert len(statements) <= 12, "\n".join(s[:150] for s in statements)
