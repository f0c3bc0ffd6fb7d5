"""Sales figures: revenue, renewals against lapses, trials converted, cost per request kind."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from billing import reports, services
from billing.models import WalletEntry
from billing.tests.factories import LicenseFactory, points_tariff, vip_tariff
from sla.models import Subscription
from sla.services import subscription_activate

UTC = ZoneInfo("UTC")


def _span(days=400):
    now = timezone.now()
    return now - timedelta(days=days), now + timedelta(days=1)


def test_revenue_per_tariff_and_month(customer_a, org_a, admin_user):
    vip = vip_tariff()
    license = LicenseFactory(organisation=org_a, support_until=timezone.localdate() + timedelta(days=900))
    order = services.order_place(user=customer_a, license=license, price=vip.prices.get(months=12))
    services.order_pay(order=order, actor=admin_user)
    services.order_place(user=customer_a, license=LicenseFactory(organisation=org_a), price=vip.prices.get(months=3))
    rows = reports.revenue_by_tariff_month(*_span())
    assert [(r["what"], r["orders"], str(r["amount"])) for r in rows] == [("VIP", 1, "17000.00")]


def test_renewed_and_lapsed_periods_and_converted_trials(org_a):
    vip = vip_tariff()
    renewed, lapsed, converted = (LicenseFactory(organisation=org_a) for _ in range(3))
    base = date(2026, 1, 1)
    first = Subscription.objects.create(license=renewed, tariff=vip, starts_on=base, ends_on=date(2026, 3, 31))
    Subscription.objects.create(license=renewed, tariff=vip, starts_on=date(2026, 4, 1), ends_on=date(2026, 6, 30))
    Subscription.objects.create(license=lapsed, tariff=vip, starts_on=base, ends_on=date(2026, 3, 31))
    Subscription.objects.create(license=converted, tariff=vip, starts_on=base, ends_on=date(2026, 3, 31), source="trial")
    Subscription.objects.create(license=converted, tariff=vip, starts_on=date(2026, 4, 1), ends_on=date(2026, 9, 30))
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    assert reports.renewals_vs_lapses(start, end, today=date(2026, 12, 1)) == [
        {"month": first.ends_on.replace(day=1), "tariff": "VIP", "renewed": 1, "lapsed": 1}
    ]
    trials = reports.trials_converted(datetime(2026, 1, 1, tzinfo=UTC), end)
    assert [(t["trials"], t["converted"], t["rate"]) for t in trials] == [(1, 1, 100.0)]


def test_sales_page_shows_points_per_organisation_and_cost_per_kind(client_for, admin_user, customer_a, org_a, engineer):
    from tickets import services as ticket_services
    from workspace import services as workspace_services

    tariff = points_tariff()
    subscription_activate(license=LicenseFactory(organisation=org_a), tariff=tariff, months=3)
    services.wallet_grant(organisation=org_a, points=100, expires_on=timezone.localdate() + timedelta(days=30))
    ticket = ticket_services.ticket_create(
        requester=customer_a, data={"kind": "error", "subject": "Crash", "body": "x", "customer_urgency": "normal"}
    )
    workspace_services.ticket_triage(ticket=ticket, actor=engineer, urgency="normal", effort_minutes=45)
    workspace_services.phone_call_log(ticket=ticket, actor=engineer, direction="in", duration_minutes=6, summary="s")
    assert WalletEntry.objects.filter(kind="charge").count() == 2
    page = client_for(admin_user).get(reverse("workspace:sales")).content.decode()
    assert "Acme Hosting" in page and "22" in page  # 10 for the ticket + 6 min × 2
    assert "51.0" in page  # 45 min effort + 6 min on the phone, one ticket


@pytest.mark.parametrize("who,status", [("customer_a", 403), ("engineer", 403), ("admin_user", 200)])
def test_sales_page_is_for_leads(request, client_for, who, status):
    assert client_for(request.getfixturevalue(who)).get(reverse("workspace:sales")).status_code == status
