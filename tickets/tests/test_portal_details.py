"""Portal details found by customers (issue 13): closed tickets, closing, suggestions, subjects."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from helpdesk.mail.models import OutboundEmail
from sla.tests.factories import TariffFactory
from tickets import services
from tickets.models import CallbackRequest, Ticket

pytestmark = pytest.mark.django_db
DATA = {"kind": "question", "subject": "Import fails on step 3", "body": "b"}


@pytest.fixture
def phone_tariff():
    return TariffFactory(code="vip", name="VIP", is_default=True, allows_phone=True, phone_number="+7 495 000-00-00")


def _closed(customer, engineer):
    ticket = services.ticket_create(requester=customer, data=DATA)
    services.ticket_reply(ticket=ticket, author=engineer, body="Fixed.")
    services.ticket_transition(ticket=ticket, actor=engineer, to_status="resolved")
    services.ticket_transition(ticket=ticket, actor=engineer, to_status="closed")
    ticket.refresh_from_db()
    return ticket


def test_a_closed_ticket_shows_no_paused_clock_and_offers_no_callback(phone_tariff, customer_a, client_for):
    """Closed by the customer before any answer: the first-response clock stopped, not paused for them."""
    ticket = services.ticket_create(requester=customer_a, data=DATA)
    services.ticket_transition(ticket=ticket, actor=customer_a, to_status="closed")
    page = client_for(customer_a).get(reverse("tickets:detail", args=[ticket.number]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "The clock is paused while we wait for you." not in text
    assert "No clock is running: the request is resolved or closed." in text
    assert reverse("tickets:callback", args=[ticket.number]) not in text


def test_the_service_refuses_a_callback_on_a_closed_ticket(phone_tariff, customer_a, engineer):
    ticket = _closed(customer_a, engineer)
    with pytest.raises(PermissionDenied):
        services.callback_request(ticket=ticket, user=customer_a, phone="+7 495 123-45-67")
    assert not CallbackRequest.objects.exists()


def test_an_open_ticket_still_offers_the_callback(phone_tariff, customer_a, client_for):
    ticket = services.ticket_create(requester=customer_a, data=DATA)
    text = client_for(customer_a).get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert reverse("tickets:callback", args=[ticket.number]) in text


def test_closing_asks_for_confirmation_and_one_click_changes_nothing(customer_a, client_for):
    ticket = services.ticket_create(requester=customer_a, data=DATA)
    client = client_for(customer_a)
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'id="close-confirm"' in page and 'name="confirm" value="1"' in page
    response = client.post(reverse("tickets:transition", args=[ticket.number]), {"status": "closed"})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status != "closed"
    client.post(reverse("tickets:transition", args=[ticket.number]), {"status": "closed", "confirm": "1"})
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"


def test_suggestions_come_before_the_send_button_outside_the_form(customer_a, client_for):
    """On a phone the side column comes after the form, so the suggestions sit between the
    fields and the button; outside the form, since each carries a form of its own."""
    page = client_for(customer_a).get(reverse("tickets:new")).content.decode()
    form_end = page.index("</form>", page.index('id="ticket-form"'))
    suggestions = page.index('id="kb-suggestions"')
    button = page.index('type="submit" form="ticket-form"')
    assert form_end < suggestions < button


def test_the_resolution_email_subject_carries_the_reference_and_the_subject(customer_a, engineer):
    ticket = services.ticket_create(requester=customer_a, data=DATA)
    services.ticket_reply(ticket=ticket, author=engineer, body="Fixed.")
    services.ticket_transition(ticket=ticket, actor=engineer, to_status="resolved")
    subjects = list(OutboundEmail.objects.filter(to=customer_a.email).values_list("subject", flat=True))
    resolved = [s for s in subjects if "Status" in s or "Статус" in s or "Resolved" in s]
    assert resolved, subjects
    assert ticket.reference in resolved[0] and "Import fails on step 3" in resolved[0]
