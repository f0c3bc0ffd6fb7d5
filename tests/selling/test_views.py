"""Customer pages of billing, and the cost on the ticket form."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.models import Order
from billing.tests.factories import LicenseFactory, points_tariff, vip_tariff
from sla.services import subscription_activate
from sla.tests.factories import TariffFactory
from tickets.models import Ticket


@pytest.fixture
def license_a(org_a):
    return LicenseFactory(organisation=org_a, support_until=timezone.localdate() + timedelta(days=800))


def test_order_page_shows_prices_and_exact_dates(client_for, customer_a, license_a):
    vip = vip_tariff()
    subscription_activate(license=license_a, tariff=vip, months=3, source="trial")
    page = client_for(customer_a).get(reverse("billing:order_page")).content.decode()
    assert license_a.serial in page and "13" in page
    start = license_a.subscriptions.get().ends_on + timedelta(days=1)
    from django.utils.formats import date_format

    assert date_format(start, "DATE_FORMAT") in page


def test_placing_an_order_and_reading_it_back(client_for, customer_a, customer_b, license_a):
    vip = vip_tariff()
    client = client_for(customer_a)
    response = client.post(reverse("billing:place"), {"license": license_a.pk, "price": vip.prices.get(months=6).pk})
    order = Order.objects.get()
    assert response.url == reverse("billing:order", args=[order.number])
    assert order.reference in client.get(response.url).content.decode()
    invoice = client.get(reverse("billing:invoice", args=[order.number]))
    assert invoice["Content-Type"] == "application/pdf" and invoice.content.startswith(b"%PDF")
    other = client_for(customer_b)
    assert other.get(reverse("billing:order", args=[order.number])).status_code == 404
    assert other.get(reverse("billing:invoice", args=[order.number])).status_code == 404
    assert other.post(reverse("billing:cancel", args=[order.number])).status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


def test_a_license_of_another_organisation_cannot_be_ordered(client_for, customer_b, license_a):
    vip = vip_tariff()
    client_for(customer_b).post(reverse("billing:place"), {"license": license_a.pk, "price": vip.prices.first().pk})
    assert not Order.objects.exists()


def test_ticket_form_shows_cost_and_refuses_when_short(client_for, customer_a, org_a, license_a):
    TariffFactory(code="basic", is_default=True)
    tariff = points_tariff()
    subscription_activate(license=license_a, tariff=tariff, months=3)
    services.wallet_grant(organisation=org_a, points=12, expires_on=timezone.localdate() + timedelta(days=20))
    client = client_for(customer_a)
    page = client.get(reverse("tickets:new")).content.decode()
    assert 'id="points-table"' in page and "12" in page
    data = {"kind": "question", "subject": "Urgent!", "body": "Down", "customer_urgency": "critical"}
    refused = client.post(reverse("tickets:new"), data)
    assert refused.status_code == 200 and Ticket.objects.count() == 0
    text = refused.content.decode()
    assert "30" in text and "basic terms" in text and "Urgent!" in text
    filed = client.post(reverse("tickets:new"), {**data, "basic_terms": "on"})
    assert filed.status_code == 302 and Ticket.objects.get().tariff.code == "basic"


def test_wallet_page_lists_the_ledger(client_for, customer_a, org_a):
    services.wallet_grant(organisation=org_a, points=40, expires_on=timezone.localdate() + timedelta(days=20), reason="Pack")
    page = client_for(customer_a).get(reverse("billing:wallet")).content.decode()
    assert "40" in page and "Pack" in page


def test_engineer_sees_the_balance_on_points_tickets_only(client_for, customer_a, org_a, license_a, engineer):
    from tickets import services as ticket_services

    TariffFactory(code="basic", is_default=True)
    tariff = points_tariff()
    subscription_activate(license=license_a, tariff=tariff, months=3)
    services.wallet_grant(organisation=org_a, points=50, expires_on=timezone.localdate() + timedelta(days=20))
    data = {"kind": "question", "subject": "A", "body": "B", "customer_urgency": "normal"}
    paid = ticket_services.ticket_create(requester=customer_a, data=data)
    free = ticket_services.ticket_create(requester=customer_a, data=data, basic_terms=True)
    client = client_for(engineer)
    assert 'id="points-badge"' in client.get(reverse("workspace:work", args=[paid.number])).content.decode()
    assert 'id="points-badge"' not in client.get(reverse("workspace:work", args=[free.number])).content.decode()
