"""Renewal reminders 30 and 7 days before an end, once each, with the one-click renewal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Order
from billing.services.reminders import reminders_send
from helpdesk.mail.models import OutboundEmail
from sla.models import Subscription
from sla.services import subscription_activate

from .factories import LicenseFactory, vip_tariff


@pytest.fixture
def ending(org_a, customer_a):
    today = timezone.localdate()
    license = LicenseFactory(organisation=org_a, support_until=today + timedelta(days=400))
    sub = subscription_activate(license=license, tariff=vip_tariff(), months=3, starts_on=today - timedelta(days=60))
    Subscription.objects.filter(pk=sub.pk).update(ends_on=today + timedelta(days=30))
    sub.refresh_from_db()
    return sub


def test_told_thirty_and_seven_days_before_once_each(ending, customer_a, customer_b):
    today = timezone.localdate()
    assert reminders_send(today=today) == 1
    assert reminders_send(today=today) == 0
    assert reminders_send(today=today + timedelta(days=23)) == 1
    assert reminders_send(today=today + timedelta(days=10)) == 0
    mails = OutboundEmail.objects.filter(topic=f"renewal:{ending.pk}")
    assert set(mails.values_list("to", flat=True)) == {customer_a.email}
    assert mails.count() == 2 and all(f"/billing/renew/{ending.pk}/" in m.body_text for m in mails)


def test_no_reminder_when_the_next_period_is_already_there(ending):
    subscription_activate(license=ending.license, tariff=ending.tariff, months=3)
    assert reminders_send(today=timezone.localdate()) == 0


def test_license_support_end_is_announced(org_a, customer_a):
    today = timezone.localdate()
    license = LicenseFactory(organisation=org_a, support_until=today + timedelta(days=7))
    assert reminders_send(today=today) == 1
    assert license.serial in OutboundEmail.objects.get(topic=f"license:{license.pk}").body_text


def test_the_link_opens_a_page_and_only_the_button_orders(ending, client_for, customer_a):
    client = client_for(customer_a)
    page = client.get(f"/billing/renew/{ending.pk}/")
    assert page.status_code == 200 and not Order.objects.exists()
    price = ending.tariff.prices.get(months=3)
    assert price.amount.to_eng_string().split(".")[0] in page.content.decode().replace("\xa0", "").replace(" ", "").replace(",", "")
    response = client.post("/billing/order/place/", {"license": ending.license.pk, "price": price.pk, "renewal_of": ending.pk})
    order = Order.objects.get()
    assert response.status_code == 302 and order.renewal_of == ending
    assert order.starts_on == ending.ends_on + timedelta(days=1)


def test_another_organisation_cannot_open_the_renewal(ending, client_for, customer_b):
    assert client_for(customer_b).get(f"/billing/renew/{ending.pk}/").status_code == 404
