"""Rule 11 in the workspace: open statuses and "committed effort" are defined once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sla.tests.factories import TariffFactory
from tickets import models, services
from workspace import planning, reports

pytestmark = pytest.mark.django_db


def test_open_statuses_are_one_definition():
    assert ("status__in", models.OPEN_STATUSES) in planning.COMMITTED_EFFORT.children
    assert not hasattr(planning, "OPEN")


def test_committed_effort_means_the_same_in_planning_and_in_the_load_report(customer_a, engineer):
    TariffFactory(code="basic", is_default=True)
    planned = services.ticket_create(requester=customer_a, data={"subject": "planned", "body": "b"})
    unplanned = services.ticket_create(requester=customer_a, data={"subject": "not planned", "body": "b"})
    models.Ticket.objects.filter(pk=planned.pk).update(
        assignee=engineer, effort_minutes=120, planned_at=timezone.now() + timedelta(days=1)
    )
    models.Ticket.objects.filter(pk=unplanned.pk).update(assignee=engineer, effort_minutes=600)
    [row] = reports.engineer_load()
    assert row["committed_minutes"] == planning.committed_minutes(engineer) == 120


def test_phone_log_is_refused_without_phone_support(customer_a, engineer):
    from django.core.exceptions import ValidationError

    from workspace import services as ws

    TariffFactory(code="basic", is_default=True, allows_phone=False)
    ticket = services.ticket_create(requester=customer_a, data={"subject": "s", "body": "b"})
    with pytest.raises(ValidationError):
        ws.phone_call_log(ticket=ticket, actor=engineer, direction="in", duration_minutes=5, summary="x")
    assert not ticket.phone_calls.exists()
