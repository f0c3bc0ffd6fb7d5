"""Merge and link from the engineer's ticket page in a real browser, at desktop and phone
sizes, with axe-core on each page of the journey (issue 14)."""

import uuid

import pytest

from helpdesk.accounts.models import Organisation, User
from helpdesk.mail.models import OutboundEmail
from sla.models import BusinessCalendar, Tariff
from tickets import services
from tickets.models import SlaTarget, Status, Ticket, TicketLink

from .test_workspace import SIZES, _axe, _fits, _session_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def merge_world(transactional_db, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.WORKSPACE_TICKET_POLL_SECONDS = 60
    always = BusinessCalendar.objects.create(name=f"24x7 {uuid.uuid4().hex[:4]}", always_open=True)
    Tariff.objects.create(code="basic", name="Basic", is_default=True, calendar=always, first_response_minutes=240)
    org = Organisation.objects.create(name=f"Hosting client {uuid.uuid4().hex[:4]}")
    cora = User.objects.create_user(email="cora@client.example", password="x-pass-123456", full_name="Cora Customer",
                                    organisation=org, language="en")
    dan = User.objects.create_user(email="dan@client.example", password="x-pass-123456", full_name="Dan Colleague",
                                   organisation=org, language="en")
    erik = User.objects.create_user(email="erik@helpdesk.example", password="x-pass-123456", full_name="Erik Engineer",
                                    role=User.Role.ENGINEER, support_level="L1", language="en")

    def file(who, subject):
        return services.ticket_create(requester=who, data={"kind": "question", "subject": subject, "body": "Details."})

    return {
        "cora": cora, "dan": dan, "erik": erik,
        "target": file(cora, "Mail server does not accept connections"),
        "duplicate": file(dan, "Cannot send email since this morning"),
        "cause": file(cora, "Router replaced in the data centre"),
    }


@pytest.mark.parametrize("size", sorted(SIZES))
def test_engineer_merges_a_duplicate_and_links_the_cause(size, chromium, live_server, merge_world):
    w = merge_world
    viewport = SIZES[size]
    duplicate, target, cause = w["duplicate"], w["target"], w["cause"]
    context, page = _session_page(chromium, live_server, w["erik"], viewport)
    page.goto(f"{live_server.url}/workspace/tickets/{duplicate.number}/")

    # A typo first: the merge page says so beside the field and keeps what was typed.
    page.locator("#merge-heading").click()
    page.fill("#id_merge_into", "HD-1")
    page.get_by_role("button", name="Continue").click()
    assert page.locator("#id_merge_into").input_value() == "HD-1"
    assert page.locator(".invalid-feedback", has_text="No ticket with that reference.").is_visible()
    _axe(page, f"merge form with an error at {size}")
    _fits(page, f"merge form at {size}")

    page.fill("#id_merge_into", target.reference)
    page.get_by_role("button", name="Continue").click()
    confirmation = page.locator("#merge-confirmation")
    assert duplicate.subject in confirmation.inner_text() and target.subject in confirmation.inner_text()
    _axe(page, f"merge confirmation at {size}")
    _fits(page, f"merge confirmation at {size}")
    page.locator("#merge-confirm").click()

    page.wait_for_url(f"**/workspace/tickets/{target.number}/")
    assert page.locator("#merged-here").inner_text().strip().endswith(duplicate.reference)
    assert page.get_by_text("Cannot send email since this morning").first.is_visible()  # the moved description
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == target.pk and duplicate.status == Status.CLOSED
    assert set(SlaTarget.objects.filter(ticket=duplicate).values_list("merged_at", flat=True)) != {None}
    assert OutboundEmail.objects.filter(to=w["dan"].email, subject__contains="continues here").count() == 1

    # Link the cause from the target's page.
    page.locator("#link-heading").click()
    page.select_option("#id_link_kind", "caused_by")
    page.fill("#id_link_ticket", cause.reference)
    page.get_by_role("button", name="Link", exact=True).click()
    links = page.locator("#ticket-links")
    assert "caused by" in links.inner_text() and cause.reference in links.inner_text()
    assert TicketLink.objects.filter(source=cause, target=target, kind="causes").exists()
    _axe(page, f"engineer's ticket page after the merge at {size}")
    _fits(page, f"engineer's ticket page at {size}")
    context.close()

    # The duplicate's customer opens the old reference and lands on the target.
    context, page = _session_page(chromium, live_server, w["dan"], viewport)
    page.goto(f"{live_server.url}/tickets/{duplicate.number}/")
    page.wait_for_url(f"**/tickets/{target.number}/")
    assert page.get_by_text("the conversation continues here").is_visible()
    assert "causes" in page.locator("#ticket-links").inner_text() or "caused by" in page.locator("#ticket-links").inner_text()
    _axe(page, f"customer's page of the merged ticket at {size}")
    _fits(page, f"customer's ticket page at {size}")
    context.close()
    assert Ticket.objects.count() == 3
