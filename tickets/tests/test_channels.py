"""Rule 5: every channel is checked against the organisation's tariff; nothing is created."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from sla.channels import ChannelNotAllowed
from sla.tests.factories import TariffFactory
from tickets import services
from tickets.models import CallbackRequest, Channel, Ticket

pytestmark = pytest.mark.django_db
DATA = {"kind": "question", "subject": "s", "body": "b"}


@pytest.fixture
def email_only():
    return TariffFactory(code="mail", name="Mail only", is_default=True, allows_web=False, allows_email=True,
                         allows_phone=False)


def test_web_form_is_refused_on_a_tariff_without_it_and_nothing_is_created(email_only, customer_a, client_for):
    client = client_for(customer_a)
    page = client.get(reverse("tickets:new"))
    assert page.status_code == 403
    text = page.content.decode()
    assert 'id="cannot-file"' in text and "Mail only" in text and "/support/plans/" in text
    assert 'id="ticket-form"' not in text
    response = client.post(reverse("tickets:new"), {"kind": "question", "subject": "s", "body": "b"})
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_the_service_refuses_every_channel_the_tariff_does_not_sell(email_only, customer_a):
    for channel in (Channel.WEB, Channel.API):
        with pytest.raises(ChannelNotAllowed):
            services.ticket_create(requester=customer_a, data=DATA, channel=channel)
    assert not Ticket.objects.exists()
    assert services.ticket_create(requester=customer_a, data=DATA, channel=Channel.EMAIL).channel == Channel.EMAIL


def test_the_refusal_is_in_the_customers_language_with_the_way_to_upgrade(email_only, customer_a):
    with translation.override("ru"):
        with pytest.raises(ChannelNotAllowed) as refused:
            services.ticket_create(requester=customer_a, data=DATA, channel=Channel.WEB)
        message = str(refused.value)  # rendered in the reader's language
    assert "Mail only" in message and "/support/plans/" in message
    assert "web form" not in message  # translated, not English


def test_callback_is_refused_without_phone_support(customer_a):
    tariff = TariffFactory(code="basic", name="Basic", is_default=True, allows_phone=False)
    ticket = services.ticket_create(requester=customer_a, data=DATA)
    with pytest.raises(ChannelNotAllowed) as refused:
        services.callback_request(ticket=ticket, user=customer_a, phone="+7 495 123-45-67")
    assert tariff.name in str(refused.value)
    assert not CallbackRequest.objects.exists()


def test_without_any_tariff_every_channel_is_open(customer_a):
    for channel in Channel:
        if channel != Channel.PHONE:
            services.ticket_create(requester=customer_a, data=DATA, channel=channel)
    assert Ticket.objects.count() == 3
    assert issubclass(ChannelNotAllowed, PermissionDenied)
