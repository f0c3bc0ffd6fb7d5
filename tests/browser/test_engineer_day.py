"""Triage → commitment → resolution in a real browser, and what the customer sees of it."""

import re
import uuid

import pytest

from helpdesk.accounts.models import Organisation, User
from sla.models import BusinessCalendar, Tariff
from tickets import services

from .test_journey import PASSWORD, _log_in, _log_out, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def day_people(transactional_db):
    always = BusinessCalendar.objects.create(name=f"24x7 {uuid.uuid4().hex[:4]}", always_open=True)
    Tariff.objects.create(code="basic", name="Basic", is_default=True, calendar=always, first_response_minutes=240)
    org = Organisation.objects.create(name=f"Day Bakery {uuid.uuid4().hex[:4]}")
    customer = User.objects.create_user(
        email="dora@bakery.example", password=PASSWORD, full_name="Dora Customer", organisation=org, language="en",
    )
    engineer = User.objects.create_user(
        email="erik@helpdesk.example", password=PASSWORD, full_name="Erik Engineer",
        role=User.Role.ENGINEER, support_level=User.Level.L1, language="en",
    )
    ticket = services.ticket_create(
        requester=customer, data={"kind": "error", "subject": "Invoices are not generated", "body": "Since Monday."}
    )
    return customer, engineer, ticket


def test_triage_commit_resolve_as_the_customer_sees_it(page, live_server, settings, day_people):  # noqa: F811
    from playwright.sync_api import expect

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    customer, engineer, ticket = day_people
    base = live_server.url

    _log_in(page, base, engineer)
    page.goto(f"{base}/workspace/tickets/{ticket.number}/")
    triage = page.get_by_role("region", name="Triage")
    triage.locator("summary").click()  # action panels are folded until used
    triage.get_by_label("Urgency").select_option(label="High")
    triage.get_by_label("Estimated effort (hours)").fill("2")
    triage.get_by_role("button", name="Save triage").click()
    expect(page.get_by_role("status").filter(has_text="Triage saved")).to_be_visible()

    plan = page.get_by_role("region", name="Completion date for the customer")
    plan.locator("summary").first.click()
    expect(plan).to_contain_text("workload")
    planned = plan.get_by_label("Planned completion").input_value()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", planned), planned
    plan.get_by_role("button", name="Commit and tell the customer").click()
    expect(page.get_by_role("status").filter(has_text="completion date is sent")).to_be_visible()
    expect(page.get_by_role("region", name="Completion date for the customer")).to_contain_text("Committed")

    resolve = page.get_by_role("region", name="Resolve")
    resolve.locator("summary").click()
    resolve.get_by_label("What was fixed").fill("Regenerated the invoice queue and fixed the cron schedule.")
    resolve.get_by_role("button", name="Resolve and tell the customer").click()
    # a system error needs the prevention advice: the panel comes back open, the text kept
    resolve = page.get_by_role("region", name="Resolve")
    expect(resolve.locator(".invalid-feedback")).to_contain_text("prevent")
    expect(resolve.get_by_label("What was fixed")).to_have_value("Regenerated the invoice queue and fixed the cron schedule.")
    resolve.get_by_label("How to prevent it").fill("Keep the server clock synchronised (NTP).")
    resolve.get_by_role("button", name="Resolve and tell the customer").click()
    expect(page.get_by_role("status").filter(has_text="Resolved")).to_be_visible()
    _log_out(page)

    _log_in(page, base, customer)
    page.goto(f"{base}/tickets/{ticket.number}/")
    progress = page.get_by_role("region", name="Progress")
    expect(progress).to_contain_text("Regenerated the invoice queue")
    expect(progress).to_contain_text("Keep the server clock synchronised")
    expect(page.get_by_text("Resolved", exact=True).first).to_be_visible()
    history = page.locator(".conversation")
    expect(history).to_contain_text("completion date committed")
    assert "triaged" not in history.inner_text()  # internal steps stay internal
