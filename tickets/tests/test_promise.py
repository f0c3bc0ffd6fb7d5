"""Rule 7: one wording of the promise (email, portal, API), every deadline with its zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from helpdesk.mail.models import OutboundEmail
from helpdesk.mail.services import email_render_deferred
from sla.tests.factories import CalendarFactory, TariffFactory
from tickets import selectors, services

pytestmark = pytest.mark.django_db
MONDAY_10AM = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.fixture
def ticket(customer_a):
    customer_a.time_zone = "Europe/Warsaw"
    customer_a.save()
    TariffFactory(code="basic", is_default=True, calendar=CalendarFactory(name="Office"),
                  first_response_minutes=60, commitment_minutes=120)
    with time_machine.travel(MONDAY_10AM, tick=False):
        return services.ticket_create(requester=customer_a, data={"kind": "question", "subject": "s", "body": "b"})


def test_the_email_promises_both_deadlines_in_the_customers_zone(ticket, customer_a):
    from sla.promise import deadline_text

    body = email_render_deferred(OutboundEmail.objects.get(to=customer_a.email)).body_text  # as the worker sends it
    warsaw = ZoneInfo("Europe/Warsaw")
    # 11:00 Moscow is 09:00 in Warsaw; the commitment (12:00 Moscow) is 10:00 in Warsaw.
    with translation.override("en"):
        answer, commitment = (deadline_text(datetime(2026, 11, 23, h, 0, tzinfo=warsaw), "Europe/Warsaw") for h in (9, 10))
    assert answer.endswith("(Europe/Warsaw)") and "9" in answer
    assert f"We will answer by {answer}" in body
    assert f"By {commitment} we tell you the date the work will be done" in body


def test_email_portal_and_api_say_the_same_sentences(ticket, customer_a, client_for):
    from rest_framework.test import APIClient

    promise = selectors.ticket_promise(ticket, "Europe/Warsaw")
    email = email_render_deferred(OutboundEmail.objects.get(to=customer_a.email)).body_text
    page = client_for(customer_a).get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    created = client_for(customer_a).get(reverse("tickets:created", args=[ticket.number])).content.decode()
    api = APIClient()
    api.force_authenticate(customer_a)
    data = api.get(reverse("api:ticket-detail", args=[ticket.number])).json()
    for sentence in promise.values():
        assert sentence in email and sentence in page and sentence in created
    assert data["promise"] == list(promise.values()) and data["time_zone"] == "Europe/Warsaw"


def test_the_new_request_page_names_the_zone(ticket, customer_a, client_for):
    page = client_for(customer_a).get(reverse("tickets:new")).content.decode()
    assert 'id="promise"' in page and "(Europe/Warsaw)" in page


def test_signup_takes_the_browsers_zone_and_ignores_an_invalid_one(client, settings):
    from helpdesk.accounts.models import User

    settings.DEFAULT_USER_TIME_ZONE = "Asia/Yekaterinburg"
    for email, zone in (("a@new.example", "America/Sao_Paulo"), ("b@new.example", "Mars/Olympus")):
        client.post(reverse("accounts:signup"), {
            "full_name": "New Person", "email": email, "password": "a-long-pass-phrase-9",
            "organisation": "New Org", "consent": "on", "time_zone": zone,
        })
    assert User.objects.get(email="a@new.example").time_zone == "America/Sao_Paulo"
    assert User.objects.get(email="b@new.example").time_zone == "Asia/Yekaterinburg"


def test_the_default_zone_is_a_setting(settings):
    from helpdesk.accounts.models import User

    settings.DEFAULT_USER_TIME_ZONE = "Europe/Warsaw"
    assert User.objects.create_user(email="x@new.example", password="x").time_zone == "Europe/Warsaw"
