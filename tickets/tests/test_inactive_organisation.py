"""Rule 6: a deactivated organisation reads its history, files nothing, changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from sla.tests.factories import TariffFactory
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(customer_a, org_a, engineer):
    TariffFactory(code="basic", is_default=True, allows_phone=True)
    ticket = services.ticket_create(requester=customer_a, data={"kind": "question", "subject": "Old one", "body": "b"})
    services.ticket_reply(ticket=ticket, author=engineer, body="Answered long ago")
    org_a.is_active = False
    org_a.save()
    return ticket


def test_members_still_read_their_history(history, customer_a, client_for):
    client = client_for(customer_a)
    assert history.subject in client.get(reverse("tickets:list")).content.decode()
    page = client.get(reverse("tickets:detail", args=[history.number]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Answered long ago" in text and 'id="read-only"' in text
    assert reverse("tickets:reply", args=[history.number]) not in text


def test_members_cannot_file_reply_or_ask_for_a_call(history, customer_a, client_for):
    with pytest.raises(PermissionDenied):
        services.ticket_create(requester=customer_a, data={"subject": "new", "body": "b"})
    with pytest.raises(PermissionDenied):
        services.ticket_reply(ticket=history, author=customer_a, body="hello?")
    with pytest.raises(PermissionDenied):
        services.ticket_transition(ticket=history, actor=customer_a, to_status="closed")
    with pytest.raises(PermissionDenied):
        services.callback_request(ticket=history, user=customer_a, phone="+7 495 123-45-67")
    page = client_for(customer_a).get(reverse("tickets:new"))
    assert page.status_code == 403 and 'id="cannot-file"' in page.content.decode()
    assert Ticket.objects.count() == 1 and history.messages.count() == 1


def test_the_queue_shows_the_organisation_as_inactive(history, engineer, client_for):
    page = client_for(engineer).get(reverse("workspace:queue")).content.decode()
    assert "Acme Hosting" in page and "inactive" in page


def test_engineers_still_work_the_tickets(history, engineer):
    services.ticket_reply(ticket=history, author=engineer, body="Closing this out")
    services.ticket_transition(ticket=history, actor=engineer, to_status="resolved")
