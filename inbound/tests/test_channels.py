"""Rule 5 for inbound email: a tariff without email opens nothing and tells the sender."""

import pytest

from helpdesk.mail.models import OutboundEmail
from inbound.models import InboundMessage
from sla.tests.factories import TariffFactory
from tickets.models import Ticket

from .conftest import build_mail

pytestmark = pytest.mark.django_db


def test_email_on_a_tariff_without_email_opens_nothing_and_says_how_to_upgrade(deliver, customer_a):
    TariffFactory(code="web", name="Web only", is_default=True, allows_web=True, allows_email=False)
    row = deliver(build_mail(sender=customer_a.email, subject="Export fails"))
    assert row.state == InboundMessage.State.REJECTED and row.ticket is None
    assert not Ticket.objects.exists()
    told = OutboundEmail.objects.get(to=customer_a.email)
    assert "Web only" in told.body_text and "/support/plans/" in told.body_text
    assert "Web only" in row.reason
