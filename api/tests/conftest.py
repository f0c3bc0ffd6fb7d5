"""API test fixtures: clients that call with a Bearer token, as integrations do."""

import uuid

import pytest
from rest_framework.test import APIClient

from api.services import api_token_create

_RUN = uuid.uuid4().hex[:12]


@pytest.fixture(autouse=True)
def _throttle_counters_of_this_run_only(settings):
    """Throttle counters live in Redis, which outlives the test database (token ids are
    reused by the next run): give this run its own key prefix."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"apitest-{_RUN}"},
    }


@pytest.fixture
def token_for(db):
    """user → the raw secret of a fresh token of theirs."""

    def make(user, name="tests"):
        return api_token_create(user=user, name=name)[1]

    return make


@pytest.fixture
def api_for(token_for):
    """user (or None) → an APIClient authenticated with a Bearer token of that user."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return client

    return make


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name="shot.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def world(customer_a, customer_b, engineer, admin_user):
    """A little of everything: a tariff with a price, a license, customer A's ticket with a
    file, a public reply and an internal note (with a file), and customer B's ticket."""
    from types import SimpleNamespace

    from sla.models import Subscription, TariffPrice
    from sla.tests.factories import LicenseFactory, TariffFactory
    from tickets import services

    tariff = TariffFactory(code="vip", name="VIP", is_default=True, allows_phone=True, rank=10)
    TariffPrice.objects.create(tariff=tariff, months=3, amount="9000.00")
    license = LicenseFactory(organisation=customer_a.organisation)
    Subscription.objects.create(
        license=license, tariff=tariff, starts_on=license.created_at.date(), ends_on=license.support_until
    )
    ticket = services.ticket_create(
        requester=customer_a, data={"kind": "error", "subject": "Import fails", "body": "Error 500"}, files=[png()]
    )
    reply = services.ticket_reply(ticket=ticket, author=engineer, body="We are looking.", files=[png("public.png")])
    note = services.ticket_reply(
        ticket=ticket, author=engineer, body="Secret: the customer's DB is corrupt.", internal=True,
        files=[png("internal.png")],
    )
    other = services.ticket_create(requester=customer_b, data={"kind": "question", "subject": "Other org", "body": "b"})
    return SimpleNamespace(
        tariff=tariff, license=license, ticket=ticket, reply=reply, note=note, other=other,
        ticket_file=ticket.attachments.get(message__isnull=True),
        public_file=reply.attachments.get(), internal_file=note.attachments.get(),
    )
