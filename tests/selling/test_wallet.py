"""The points wallet: an append-only ledger with oldest-first expiry, charged once."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from billing import selectors, services
from billing.models import Allocation, WalletEntry
from billing.tests.factories import LicenseFactory, points_tariff
from tickets import services as ticket_services
from tickets.models import RootCause, Ticket
from workspace import services as workspace_services

TODAY = date(2026, 12, 4)


@pytest.fixture
def tariff(db):
    return points_tariff()


@pytest.fixture
def licensed(org_a, tariff):
    """Organisation A holds a license on the points tariff (which grants no points by itself here)."""
    from sla.services import subscription_activate

    license = LicenseFactory(organisation=org_a)
    return subscription_activate(license=license, tariff=tariff, months=3)


def _file(customer, urgency="normal", **extra):
    data = {"kind": "question", "subject": "Export fails", "body": "Steps…", "customer_urgency": urgency}
    return ticket_services.ticket_create(requester=customer, data=data, **extra)


def test_balance_is_what_is_left_of_live_credits(org_a):
    services.wallet_grant(organisation=org_a, points=30, expires_on=TODAY + timedelta(days=10))
    services.wallet_grant(organisation=org_a, points=20, expires_on=TODAY + timedelta(days=5))
    assert selectors.wallet_balance(org_a, today=TODAY) == 50
    assert selectors.wallet_balance(org_a, today=TODAY + timedelta(days=6)) == 30
    assert selectors.wallet_balance(org_a, today=TODAY + timedelta(days=11)) == 0


def test_charges_take_the_soonest_expiring_points_first(org_a, tariff):
    later = services.wallet_grant(organisation=org_a, points=30, expires_on=timezone.localdate() + timedelta(days=60))
    sooner = services.wallet_grant(organisation=org_a, points=15, expires_on=timezone.localdate() + timedelta(days=5))
    charge = services.wallet_charge_ticket(organisation=org_a, tariff=tariff, ticket_number=1, kind="question", urgency="normal")
    assert charge.points == -10
    assert [(a.credit_id, a.points) for a in charge.allocations.all()] == [(sooner.pk, 10)]
    charge2 = services.wallet_charge_ticket(organisation=org_a, tariff=tariff, ticket_number=2, kind="question", urgency="normal")
    assert sorted((a.credit_id, a.points) for a in charge2.allocations.all()) == sorted([(sooner.pk, 5), (later.pk, 5)])
    assert selectors.wallet_balance(org_a) == 25


def test_expiry_writes_what_was_left_once(org_a, tariff):
    grant = services.wallet_grant(organisation=org_a, points=15, expires_on=timezone.localdate() + timedelta(days=1))
    services.wallet_charge_ticket(organisation=org_a, tariff=tariff, ticket_number=1, kind="question", urgency="normal")
    later = timezone.localdate() + timedelta(days=3)
    assert services.wallet_expire(today=later) == 1
    assert services.wallet_expire(today=later) == 0
    expiry = WalletEntry.objects.get(kind="expiry")
    assert expiry.points == -5 and expiry.expiry_of == grant
    total = sum(WalletEntry.objects.values_list("points", flat=True))
    assert total == 0 and selectors.wallet_balance(org_a, today=later) == 0


def test_the_ledger_refuses_updates_and_deletes(org_a):
    entry = services.wallet_grant(organisation=org_a, points=5, expires_on=TODAY)
    for statement in ("UPDATE billing_walletentry SET points = 500 WHERE id = %s", "DELETE FROM billing_walletentry WHERE id = %s"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    entry.refresh_from_db()
    assert entry.points == 5


def test_a_ticket_is_charged_once_even_if_asked_twice(org_a, tariff):
    services.wallet_grant(organisation=org_a, points=100, expires_on=timezone.localdate() + timedelta(days=30))
    first = services.wallet_charge_ticket(organisation=org_a, tariff=tariff, ticket_number=7, kind="error", urgency="normal")
    again = services.wallet_charge_ticket(organisation=org_a, tariff=tariff, ticket_number=7, kind="error", urgency="normal")
    assert first.pk == again.pk
    assert WalletEntry.objects.filter(kind="charge").count() == 1 and selectors.wallet_balance(org_a) == 90


def test_filing_charges_by_declared_urgency_and_shows_in_the_ledger(customer_a, org_a, licensed):
    services.wallet_grant(organisation=org_a, points=45, expires_on=timezone.localdate() + timedelta(days=30))
    normal = _file(customer_a)
    critical = _file(customer_a, urgency="critical")
    charges = dict(WalletEntry.objects.filter(kind="charge").values_list("ticket_number", "points"))
    assert charges == {normal.number: -10, critical.number: -30}
    assert selectors.wallet_balance(org_a) == 5


def test_too_few_points_files_nothing_unless_on_basic_terms(customer_a, org_a, licensed):
    from sla.tests.factories import TariffFactory

    basic = TariffFactory(code="basic", is_default=True)
    services.wallet_grant(organisation=org_a, points=5, expires_on=timezone.localdate() + timedelta(days=30))
    with pytest.raises(services.NotEnoughPoints) as refused:
        _file(customer_a)
    assert "10" in str(refused.value.messages[0]) and "5" in str(refused.value.messages[0])
    assert Ticket.objects.count() == 0 and WalletEntry.objects.filter(kind="charge").count() == 0
    ticket = _file(customer_a, basic_terms=True)
    assert ticket.tariff == basic and WalletEntry.objects.filter(kind="charge").count() == 0
    assert selectors.wallet_balance(org_a) == 5


def test_a_tariff_without_rules_never_touches_the_wallet(customer_a, org_a):
    from sla.tests.factories import TariffFactory

    TariffFactory(code="basic", is_default=True)
    ticket = _file(customer_a)
    assert ticket.tariff.code == "basic"
    assert not WalletEntry.objects.exists() and not selectors.tariff_charges_points(ticket.tariff)


def test_product_defect_at_triage_refunds_once(customer_a, org_a, licensed, engineer):
    services.wallet_grant(organisation=org_a, points=20, expires_on=timezone.localdate() + timedelta(days=30))
    ticket = _file(customer_a)
    defect = RootCause.objects.create(name="Product defect", free_of_charge=True)
    workspace_services.ticket_triage(ticket=ticket, actor=engineer, urgency="normal", root_cause=defect)
    workspace_services.ticket_triage(ticket=ticket, actor=engineer, urgency="high", root_cause=defect)
    refunds = WalletEntry.objects.filter(kind="refund")
    assert refunds.count() == 1 and refunds.get().points == 10 and refunds.get().ticket_number == ticket.number
    assert selectors.wallet_balance(org_a) == 20


def test_ordinary_root_cause_refunds_nothing(customer_a, org_a, licensed, engineer):
    services.wallet_grant(organisation=org_a, points=20, expires_on=timezone.localdate() + timedelta(days=30))
    ticket = _file(customer_a)
    cause = RootCause.objects.create(name="Configuration")
    workspace_services.ticket_triage(ticket=ticket, actor=engineer, urgency="normal", root_cause=cause)
    assert not WalletEntry.objects.filter(kind="refund").exists() and selectors.wallet_balance(org_a) == 10


def test_a_call_is_charged_per_minute_even_beyond_the_balance(customer_a, org_a, licensed, engineer):
    services.wallet_grant(organisation=org_a, points=15, expires_on=timezone.localdate() + timedelta(days=30))
    ticket = _file(customer_a)
    workspace_services.phone_call_log(ticket=ticket, actor=engineer, direction="in", duration_minutes=4, summary="walked through")
    charge = WalletEntry.objects.get(kind="charge", item="phone_minute")
    assert charge.points == -5 and charge.unpaid_points == 3
    assert selectors.wallet_balance(org_a) == 0


def test_a_callback_costs_its_points(customer_a, org_a, licensed):
    services.wallet_grant(organisation=org_a, points=19, expires_on=timezone.localdate() + timedelta(days=30))
    ticket = _file(customer_a)
    ticket_services.callback_request(ticket=ticket, user=customer_a, phone="+48 600 000 000")
    assert selectors.wallet_balance(org_a) == 4
    with pytest.raises(services.NotEnoughPoints):
        ticket_services.callback_request(ticket=ticket, user=customer_a, phone="+48 600 000 000")
    assert ticket.callback_requests.count() == 1


def test_adjustment_needs_a_reason_and_cannot_go_below_zero(org_a, admin_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.wallet_adjust(organisation=org_a, points=10, reason=" ", actor=admin_user)
    services.wallet_adjust(organisation=org_a, points=10, reason="Goodwill after the outage", actor=admin_user)
    with pytest.raises(ValidationError):
        services.wallet_adjust(organisation=org_a, points=-11, reason="Correction", actor=admin_user)
    services.wallet_adjust(organisation=org_a, points=-4, reason="Correction", actor=admin_user)
    assert selectors.wallet_balance(org_a) == 6 and Allocation.objects.count() == 1


def test_constraint_forbids_a_second_charge_row_for_a_ticket(org_a):
    services.wallet_grant(organisation=org_a, points=5, expires_on=TODAY)
    wallet = org_a.wallet
    WalletEntry.objects.create(wallet=wallet, kind="charge", points=-1, item="ticket", ticket_number=9)
    with pytest.raises(IntegrityError), transaction.atomic():
        WalletEntry.objects.create(wallet=wallet, kind="charge", points=-1, item="ticket", ticket_number=9)
