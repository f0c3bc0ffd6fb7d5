"""Orders: placed → invoiced → paid → active, the period starting when the current one ends."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from billing import selectors, services
from billing.invoice import invoice_pdf
from billing.models import Order, WalletEntry
from helpdesk.mail.models import OutboundEmail
from sla.models import EntitlementRule, Subscription
from sla.services import subscription_activate

from .factories import LicenseFactory, pack, points_tariff, vip_tariff


@pytest.fixture
def vip(db):
    return vip_tariff()


@pytest.fixture
def license_a(org_a):
    return LicenseFactory(organisation=org_a, support_until=timezone.localdate() + timedelta(days=800))


def _price(tariff, months):
    return tariff.prices.get(months=months)


def test_period_starts_when_the_current_one_ends(customer_a, license_a, vip):
    current = subscription_activate(license=license_a, tariff=vip, months=3, source=Subscription.Source.TRIAL)
    order = services.order_place(user=customer_a, license=license_a, price=_price(vip, 6))
    assert order.status == Order.Status.PLACED and order.reference == f"ORD-{order.number}"
    assert order.starts_on == current.ends_on + timedelta(days=1)
    assert order.amount == _price(vip, 6).amount and order.currency == "RUB"


def test_the_whole_life_of_an_order_with_an_email_at_each_step(customer_a, license_a, vip, admin_user):
    order = services.order_place(user=customer_a, license=license_a, price=_price(vip, 12))
    services.order_invoice(order.pk)
    services.order_invoice(order.pk)
    order.refresh_from_db()
    assert order.status == Order.Status.INVOICED
    order = services.order_pay(order=order, actor=admin_user, payment_reference="BANK-1")
    assert order.status == Order.Status.ACTIVE and order.subscription.tariff == vip
    assert (order.subscription.starts_on, order.subscription.ends_on) == (order.starts_on, order.ends_on)
    subjects = list(OutboundEmail.objects.filter(to=customer_a.email).order_by("id").values_list("subject", flat=True))
    assert len(subjects) == 3 and all(order.reference in s for s in subjects)


def test_paying_twice_is_idempotent_and_another_reference_is_refused(customer_a, license_a, vip, admin_user):
    order = services.order_place(user=customer_a, license=license_a, price=_price(vip, 3))
    services.order_pay(order=order, actor=admin_user, payment_reference="BANK-7")
    again = services.order_pay(order=order, actor=admin_user, payment_reference="BANK-7")
    assert again.status == Order.Status.ACTIVE and Subscription.objects.filter(tariff=vip).count() == 1
    with pytest.raises(ValidationError):
        services.order_pay(order=order, actor=admin_user, payment_reference="BANK-8")


def test_only_an_admin_with_the_permission_marks_paid(customer_a, license_a, vip, engineer):
    order = services.order_place(user=customer_a, license=license_a, price=_price(vip, 3))
    for who in (customer_a, engineer):
        with pytest.raises(PermissionDenied):
            services.order_pay(order=order, actor=who)
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED and not Subscription.objects.exists()


def test_partner_free_tariff_is_shown_as_such_and_not_sold(customer_a, license_a, vip):
    org = license_a.organisation
    org.partner_level = "gold"
    org.save()
    EntitlementRule.objects.create(name="Gold VIP", kind="partner_level", partner_level="gold", tariff=vip)
    offers = selectors.offers_for(customer_a, vip)
    assert [o.included for o in offers] == ["partner"] and not offers[0].can_order
    with pytest.raises(ValidationError):
        services.order_place(user=customer_a, license=license_a, price=_price(vip, 3))
    assert not Order.objects.exists()


def test_trial_is_shown_and_a_bought_period_follows_it(customer_a, license_a, vip):
    trial = subscription_activate(license=license_a, tariff=vip, months=3, source=Subscription.Source.TRIAL)
    offers = selectors.offers_for(customer_a, vip)
    assert offers[0].included == "trial" and offers[0].included_until == trial.ends_on
    assert {o.starts_on for o in offers[1:]} == {trial.ends_on + timedelta(days=1)}


def test_a_second_open_order_for_the_same_license_and_tariff_is_refused(customer_a, license_a, vip):
    services.order_place(user=customer_a, license=license_a, price=_price(vip, 3))
    with pytest.raises(ValidationError):
        services.order_place(user=customer_a, license=license_a, price=_price(vip, 6))
    assert Order.objects.count() == 1


def test_nobody_orders_for_another_organisation(customer_b, license_a, vip):
    with pytest.raises(PermissionDenied):
        services.order_place(user=customer_b, license=license_a, price=_price(vip, 3))
    assert not Order.objects.exists()


def test_a_dealer_orders_for_its_client(license_a, vip):
    from helpdesk.accounts.tests.factories import OrganisationFactory, UserFactory

    dealer = OrganisationFactory(name="Dealer", kind="dealer")
    license_a.organisation.dealer = dealer
    license_a.organisation.save()
    seller = UserFactory(organisation=dealer, email="seller@dealer.example")
    order = services.order_place(user=seller, license=license_a, price=_price(vip, 3))
    assert order.organisation == license_a.organisation and order.placed_by == seller


def test_a_pack_grants_its_points_once_when_paid(customer_a, org_a, admin_user):
    order = services.order_place(user=customer_a, pack=pack(50))
    services.order_pay(order=order, actor=admin_user)
    services.order_pay(order=order, actor=admin_user)
    assert WalletEntry.objects.filter(kind="grant", order=order).count() == 1
    assert selectors.wallet_balance(org_a) == 50


def test_a_points_period_grants_points_per_month(customer_a, license_a, admin_user):
    tariff = points_tariff(per_month=20)
    order = services.order_place(user=customer_a, license=license_a, price=_price(tariff, 3))
    order = services.order_pay(order=order, actor=admin_user)
    grant = WalletEntry.objects.get(kind="grant")
    assert grant.points == 60 and grant.expires_on == order.ends_on and grant.subscription == order.subscription


def test_trials_get_their_points_from_the_beat_sweep_once(license_a):
    tariff = points_tariff(per_month=10)
    subscription_activate(license=license_a, tariff=tariff, months=3, source=Subscription.Source.TRIAL)
    assert len(services.subscriptions_grant_due()) == 1
    assert services.subscriptions_grant_due() == []
    assert WalletEntry.objects.get(kind="grant").points == 30


def test_cancel_only_while_unpaid(customer_a, license_a, vip, admin_user):
    order = services.order_place(user=customer_a, license=license_a, price=_price(vip, 3))
    services.order_cancel(order=order, actor=customer_a)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    with pytest.raises(ValidationError):
        services.order_pay(order=order, actor=admin_user)


@pytest.mark.parametrize("language,word", [("ru", "Счёт"), ("pl", "Faktura"), ("en", "invoice")])
def test_invoice_is_a_pdf_in_the_customer_language(customer_a, license_a, vip, language, word):
    order = services.order_place(user=customer_a, license=license_a, price=_price(vip, 3), language=language)
    pdf = invoice_pdf(order)
    assert pdf.startswith(b"%PDF")
    # The document title (uncompressed metadata, UTF-16BE hex) is in the customer's language.
    raw = pdf[pdf.index(b"/Title ") + 7:]
    if raw.startswith(b"<"):
        title = bytes.fromhex(raw[1:].split(b">", 1)[0].decode()).decode("utf-16")
    else:
        title = raw[1:].split(b")", 1)[0].decode("latin-1")
    assert word.lower() in title.lower()
