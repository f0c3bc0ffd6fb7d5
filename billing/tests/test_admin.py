"""Admin goes through the services: paying an order, adding a period, adjusting points."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from billing import selectors, services
from billing.models import Order, WalletEntry
from sla.models import Subscription
from sla.services import subscription_activate

from .factories import LicenseFactory, vip_tariff


@pytest.fixture
def license_a(org_a):
    return LicenseFactory(organisation=org_a, support_until=timezone.localdate() + timedelta(days=800))


def test_mark_paid_action_activates_the_period(client_for, admin_user, customer_a, license_a):
    vip = vip_tariff()
    order = services.order_place(user=customer_a, license=license_a, price=vip.prices.get(months=6))
    response = client_for(admin_user).post(
        reverse("admin:billing_order_changelist"), {"action": "mark_paid", "_selected_action": [order.pk]}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.ACTIVE and order.subscription.source == "bought"


def test_adding_a_subscription_in_admin_starts_after_the_current_one(client_for, admin_user, license_a):
    vip = vip_tariff()
    current = subscription_activate(license=license_a, tariff=vip, months=3)
    response = client_for(admin_user).post(
        reverse("admin:sla_subscription_add"),
        {"license": license_a.pk, "tariff": vip.pk, "source": "granted", "months": 6},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Subscription.objects.exclude(pk=current.pk).get()
    assert added.starts_on == current.ends_on + timedelta(days=1) and added.source == "granted"


def test_existing_subscriptions_are_read_only_in_admin(client_for, admin_user, license_a):
    vip = vip_tariff()
    sub = subscription_activate(license=license_a, tariff=vip, months=3)
    page = client_for(admin_user).get(reverse("admin:sla_subscription_change", args=[sub.pk])).content.decode()
    assert 'name="ends_on"' not in page


def test_ledger_adjustment_needs_a_reason_and_is_appended(client_for, admin_user, org_a):
    client = client_for(admin_user)
    url = reverse("admin:billing_walletentry_add")
    refused = client.post(url, {"organisation": org_a.pk, "points": 10, "reason": ""})
    assert refused.status_code == 200 and not WalletEntry.objects.exists()
    done = client.post(url, {"organisation": org_a.pk, "points": 10, "reason": "Goodwill"})
    assert done.status_code == 302 and selectors.wallet_balance(org_a) == 10
    entry = WalletEntry.objects.get()
    assert entry.kind == "adjustment" and entry.actor == admin_user
    page = client.get(reverse("admin:billing_walletentry_change", args=[entry.pk])).content.decode()
    assert 'name="points"' not in page
