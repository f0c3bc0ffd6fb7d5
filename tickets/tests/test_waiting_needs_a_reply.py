"""Rule 3: only a public reply may put a ticket into "waiting for customer"."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sla.tests.factories import TariffFactory
from tickets import services
from tickets.models import SlaTarget, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(customer_a):
    TariffFactory(code="basic", is_default=True)
    return services.ticket_create(requester=customer_a, data={"kind": "question", "subject": "s", "body": "b"})


def test_an_engineer_cannot_pause_the_first_response_clock_without_answering(ticket, engineer):
    with pytest.raises(ValidationError):
        services.ticket_transition(ticket=ticket, actor=engineer, to_status=Status.WAITING)
    services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)  # new → open
    with pytest.raises(ValidationError):
        services.ticket_transition(ticket=ticket, actor=engineer, to_status=Status.WAITING)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert SlaTarget.objects.get(ticket=ticket, kind="first_response").due_at is not None


def test_a_public_reply_can_wait_for_the_customer(ticket, engineer):
    services.ticket_reply(ticket=ticket, author=engineer, body="Which version do you run?", wait_for_customer=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING and ticket.first_response_at is not None


def test_an_internal_note_cannot_wait_for_the_customer(ticket, engineer):
    with pytest.raises(ValidationError):
        services.ticket_reply(ticket=ticket, author=engineer, body="hmm", internal=True, wait_for_customer=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and not ticket.messages.exists()


def test_the_workspace_reply_form_sends_and_waits(ticket, engineer, client_for):
    response = client_for(engineer).post(
        reverse("workspace:work_reply", args=[ticket.number]), {"body": "Send the log, please", "then": "waiting"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING


def test_the_new_tickets_buttons_offer_no_wait(engineer):
    from tickets.workflow import allowed_transitions

    assert Status.WAITING not in allowed_transitions(engineer, Status.NEW)
