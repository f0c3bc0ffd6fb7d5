"""API clients and a new personal-data agreement version (helpdesk/accounts/consent.py)."""

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
