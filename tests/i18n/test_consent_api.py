"""A new personal-data agreement version across apps: API clients, refused POSTs (helpdesk/accounts/consent.py)."""

import pytest
from rest_framework.test import APIClient

from api.services import api_token_create
from helpdesk.accounts.models import PersonalDataConsent

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_version(settings):
    settings.PERSONAL_DATA_AGREEMENT_VERSION = "2027-01"


def test_api_token_clients_are_not_blocked(customer_a, new_version):
    """Integrations keep working: the person is asked at their next sign-in."""
    PersonalDataConsent.objects.create(user=customer_a, version="2026-11")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=customer_a, name='t')[1]}")
    assert client.get("/api/tickets/").status_code == 200


def test_a_post_is_refused_and_nothing_is_written(customer_a, new_version):
    from django.test import Client
    from django.urls import reverse

    from tickets.models import Ticket

    PersonalDataConsent.objects.create(user=customer_a, version="2026-11")
    client = Client()
    client.force_login(customer_a)
    response = client.post(reverse("tickets:new"), {"kind": "question", "subject": "s", "body": "b"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:consent") + "?next=%2F"
    assert not Ticket.objects.exists()
