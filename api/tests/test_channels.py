"""Rule 5 through the API: a tariff without the web channel refuses API filing (403)."""

import pytest
from django.urls import reverse

from sla.tests.factories import TariffFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_api_filing_is_refused_with_the_way_to_upgrade(api_for, customer_a):
    TariffFactory(code="mail", name="Mail only", is_default=True, allows_web=False, allows_email=True)
    response = api_for(customer_a).post(reverse("api:ticket-list"), {"subject": "s", "body": "b"}, format="json")
    assert response.status_code == 403
    assert "Mail only" in response.json()["detail"] and "/support/plans/" in response.json()["detail"]
    assert not Ticket.objects.exists()
