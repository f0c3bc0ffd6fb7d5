"""Orders and the wallet through the API; an integration marks an order paid, idempotently."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api.services import api_token_create
from billing import services
from billing.models import Order
from billing.tests.factories import LicenseFactory, vip_tariff
from sla.models import Subscription


def _client(user):
    _token, raw = api_token_create(user=user, name="integration")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def order(customer_a, org_a):
    license = LicenseFactory(organisation=org_a, support_until=timezone.localdate() + timedelta(days=800))
    vip = vip_tariff()
    return services.order_place(user=customer_a, license=license, price=vip.prices.get(months=3))


def test_integration_pays_once_with_the_same_reference(order, admin_user):
    client = _client(admin_user)
    first = client.post(f"/api/orders/{order.number}/pay/", {"payment_reference": "PSP-42"}, content_type="application/json")
    again = client.post(f"/api/orders/{order.number}/pay/", {"payment_reference": "PSP-42"}, content_type="application/json")
    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "active" and first.json() == again.json()
    assert Subscription.objects.filter(source="bought").count() == 1
    other = client.post(f"/api/orders/{order.number}/pay/", {"payment_reference": "PSP-43"}, content_type="application/json")
    assert other.status_code == 400


def test_staff_without_the_order_permission_cannot_pay(order, db):
    from helpdesk.accounts.tests.factories import EngineerFactory

    clerk = EngineerFactory(email="clerk@helpdesk.example", is_staff=True)
    response = _client(clerk).post(f"/api/orders/{order.number}/pay/", {}, content_type="application/json")
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


def test_customer_reads_orders_and_wallet_of_its_organisation_only(order, customer_a, customer_b, org_a):
    services.wallet_grant(organisation=org_a, points=25, expires_on=timezone.localdate() + timedelta(days=10))
    mine = _client(customer_a)
    assert [o["reference"] for o in mine.get("/api/orders/").json()] == [order.reference]
    assert mine.get("/api/wallet/").json()["balance"] == 25
    theirs = _client(customer_b)
    assert theirs.get("/api/orders/").json() == []
    assert theirs.get("/api/wallet/").json()["balance"] == 0
