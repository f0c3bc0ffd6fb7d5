"""Selling support in a real browser: a Commerce customer on a VIP trial orders six months,
the admin marks the order paid, and the tariff on the ticket form follows on the right days;
a points customer files two tickets, sees the balance fall, gets a refund after a
product-defect triage and reads the ledger."""

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from billing.tests.factories import points_tariff, vip_tariff
from helpdesk.accounts.models import Organisation, User
from sla.models import Edition, EntitlementRule
from sla.serials import make_serial
from sla.services import license_register, subscription_activate
from sla.tests.factories import TariffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "selling-pass-123"


def _person(email, org=None, **extra):
    role = User.Role.CUSTOMER if org else User.Role.ENGINEER
    return User.objects.create_user(email=email, password=PASSWORD, full_name=email.split("@")[0].title(),
                                    organisation=org, role=role, language="en", **extra)


def _log_in(page, base, user, admin=False):
    from playwright.sync_api import expect

    page.goto(f"{base}/admin/login/" if admin else f"{base}/accounts/login/")
    if admin:
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Settings, tariffs and people")).to_be_visible()
        return
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out")).to_be_visible()


@pytest.fixture
def page(browser_page):
    return browser_page("en-GB")


def test_commerce_customer_orders_vip_after_the_trial(page, live_server, settings, it_quiet_broker):
    from playwright.sync_api import expect

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    TariffFactory(code="basic", name="Basic", is_default=True)
    vip = vip_tariff()
    commerce = Edition.objects.create(code="commerce", name="Commerce")
    EntitlementRule.objects.create(name="VIP trial", kind="edition_trial", edition=commerce, tariff=vip, months=3)
    org = Organisation.objects.create(name=f"Shop {uuid.uuid4().hex[:4]}")
    today = timezone.localdate()
    license = license_register(serial=make_serial("C0MMERCESH0P0000001"), edition=commerce, organisation=org,
                               support_until=today + timedelta(days=800))
    trial = license.subscriptions.get()
    customer = _person("owner@shop.example", org)
    admin = _person("boss@helpdesk.example", is_staff=True, is_superuser=True, support_level="L3")
    base = live_server.url

    _log_in(page, base, customer)
    page.goto(f"{base}/billing/order/")
    expect(page.get_by_text(re.compile("Free trial until"))).to_be_visible()
    row = page.get_by_role("row").filter(has_text="6 months")
    from django.utils.formats import date_format

    start = trial.ends_on + timedelta(days=1)
    expect(row).to_contain_text(date_format(start, "DATE_FORMAT"))
    expect(row).to_contain_text("13,000.00 RUB")
    row.get_by_role("button", name="Order").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Order ORD-")
    reference = page.get_by_role("heading", level=1).inner_text().split()[-1]
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()

    _log_in(page, base, admin, admin=True)
    page.goto(f"{base}/admin/billing/order/")
    page.get_by_role("row").filter(has_text=reference).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Mark paid and activate")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("1 orders paid and active.")).to_be_visible()
    page.context.clear_cookies()

    _log_in(page, base, customer)
    page.goto(f"{base}/billing/orders/")
    expect(page.get_by_role("row").filter(has_text=reference)).to_contain_text("Active")
    bought_end = license.subscriptions.get(source="bought").ends_on
    page.goto(f"{base}/tickets/new/")
    expect(page.get_by_role("heading", name="Your tariff: VIP")).to_be_visible()
    expect(page.get_by_text(f"Active until {date_format(trial.ends_on, 'DATE_FORMAT')}")).to_be_visible()
    # The session would have expired by then: log in again on each of those days.
    for day, tariff_name, until in ((start, "VIP", bought_end), (bought_end + timedelta(days=1), "Basic", None)):
        with time_machine.travel(timezone.now() + (day - today), tick=True):
            page.context.clear_cookies()
            _log_in(page, base, customer)
            page.goto(f"{base}/tickets/new/")
            expect(page.get_by_role("heading", name=f"Your tariff: {tariff_name}")).to_be_visible()
            if until:
                expect(page.get_by_text(f"Active until {date_format(until, 'DATE_FORMAT')}")).to_be_visible()


def test_points_customer_sees_the_balance_fall_and_a_refund(page, live_server, settings, it_quiet_broker):
    from playwright.sync_api import expect

    from billing.services import subscription_grant_points
    from tickets.models import RootCause, Ticket
    from workspace.services import ticket_triage

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    TariffFactory(code="basic", name="Basic", is_default=True)
    tariff = points_tariff(per_month=10)  # 3 months: 30 points; a ticket costs 10
    org = Organisation.objects.create(name=f"Points Co {uuid.uuid4().hex[:4]}")
    license = license_register(serial=make_serial("P01NTSC0MPANY000001"), edition=Edition.objects.create(code="biz", name="Biz"),
                               organisation=org, support_until=timezone.localdate() + timedelta(days=800))
    subscription_grant_points(subscription_activate(license=license, tariff=tariff, months=3))
    customer = _person("payer@points.example", org)
    engineer = _person("eng@helpdesk.example", support_level="L1")
    base = live_server.url

    _log_in(page, base, customer)
    for subject, left in (("Cannot export orders", 20), ("Import stops at 50 %", 10)):
        page.goto(f"{base}/tickets/new/")
        preview = page.locator("#points-preview")
        expect(preview).to_contain_text(f"This request costs 10 points; {left} left after sending.")
        page.get_by_label("Subject").fill(subject)
        page.get_by_label("Describe the problem").fill("Steps to reproduce: open the page, press the button.")
        page.get_by_role("button", name="Send request").click()
        expect(page.get_by_role("status")).to_contain_text("Your request is received")
    page.goto(f"{base}/billing/wallet/")
    expect(page.locator("#wallet-balance")).to_contain_text("Balance: 10 points")

    ticket = Ticket.objects.get(subject="Import stops at 50 %")
    defect = RootCause.objects.create(name="Software defect", free_of_charge=True)
    ticket_triage(ticket=ticket, actor=engineer, urgency="normal", root_cause=defect)
    page.reload()
    expect(page.locator("#wallet-balance")).to_contain_text("Balance: 20 points")
    ledger = page.locator("#wallet-ledger")
    expect(ledger.get_by_role("row").filter(has=page.get_by_role("cell", name=re.compile(r"^Refunded")))).to_contain_text("+10")
    expect(ledger.get_by_role("row").filter(has=page.get_by_role("cell", name=re.compile(r"^Charged")))).to_have_count(2)
    expect(ledger.get_by_role("link", name=f"HD-{ticket.number}")).to_be_visible()
