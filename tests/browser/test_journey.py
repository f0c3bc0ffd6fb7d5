"""The main journey in a real browser: a customer files a ticket with a screenshot, an
engineer takes it, replies and adds an internal note, the customer reads the reply.

Headless Chromium (Debian's ``chromium`` package; ``CHROMIUM_PATH`` to use another) driven
through Playwright's sync API against pytest-django's live server. Locators are the ones
a person or a screen reader uses: labels, roles and accessible names.
"""

import os
import re
import uuid

import pytest

from helpdesk.accounts.models import Organisation, User

from ..conftest import it_png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = os.environ.get("JOURNEY_SCREENSHOT", "/tmp/journey.png")
PASSWORD = "journey-pass-123"


@pytest.fixture
def page(browser_page):
    return browser_page("en-GB")


@pytest.fixture
def journey_people(transactional_db):
    org = Organisation.objects.create(name=f"Journey Bakery {uuid.uuid4().hex[:4]}")
    customer = User.objects.create_user(
        email="clara@bakery.example", password=PASSWORD, full_name="Clara Customer",
        organisation=org, role=User.Role.CUSTOMER, language="en",
    )
    engineer = User.objects.create_user(
        email="eddie@helpdesk.example", password=PASSWORD, full_name="Eddie Engineer",
        role=User.Role.ENGINEER, support_level=User.Level.L1, language="en",
    )
    return customer, engineer


def _log_in(page, base_url, user):
    from playwright.sync_api import expect

    page.goto(f"{base_url}/accounts/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out")).to_be_visible()


def _log_out(page):
    from playwright.sync_api import expect

    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_customer_files_engineer_answers_customer_reads(page, live_server, settings, journey_people, it_quiet_broker):
    from playwright.sync_api import expect

    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    customer, engineer = journey_people
    base = live_server.url
    png = it_png(24, 16)
    subject = "Checkout page shows error 500"
    reply = "Thanks, Clara: we found the broken price rule and fixed it. Please try again."
    note = "Root cause: rule #42 divides by zero. Do not tell the customer the rule number."

    # 1. The customer files a request with a screenshot.
    _log_in(page, base, customer)
    expect(page).to_have_url(re.compile(r"/tickets/$"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New request").click()
    expect(page.get_by_role("heading", name="New request")).to_be_visible()
    page.get_by_label("System error").check()
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Describe the problem").fill("Add a cake to the basket, press Pay: error 500.")
    page.get_by_label("How urgent is it for you?").select_option(label="High")
    page.get_by_label("Attachments").set_input_files(
        files=[{"name": "screenshot.png", "mimeType": "image/png", "buffer": png}]
    )
    page.get_by_role("button", name="Send request").click()

    status = page.get_by_role("status")
    expect(status).to_contain_text("Your request is received")
    reference = status.get_by_text(re.compile(r"^HD-\d+$")).inner_text().strip()
    assert re.fullmatch(r"HD-\d+", reference)
    _log_out(page)

    # 2. An engineer finds it in the queue, takes it, replies and adds an internal note.
    _log_in(page, base, engineer)
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_contain_text(subject)
    row.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    page.get_by_role("button", name="Take", exact=True).click()
    expect(page.get_by_role("status").filter(has_text=f"You took {reference}")).to_be_visible()
    expect(page.get_by_role("button", name="Take", exact=True)).to_have_count(0)

    page.get_by_label("Your reply").fill(reply)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Reply sent to the customer")).to_be_visible()

    page.get_by_label("Your reply").fill(note)
    page.get_by_label("Internal note (never shown to the customer)").check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Internal note added")).to_be_visible()
    expect(page.get_by_text(note)).to_be_visible()  # engineers do see it
    _log_out(page)

    # 3. The customer reads the reply and sees the screenshot, but not the internal note.
    _log_in(page, base, customer)
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.get_by_text(reply)).to_be_visible()
    attachment = page.get_by_role("link", name="screenshot.png", exact=True)
    expect(attachment).to_be_visible()
    expect(page.get_by_text(note)).to_have_count(0)
    expect(page.get_by_text("Internal note", exact=True)).to_have_count(0)
    assert "divides by zero" not in page.content()

    # The link serves the very file that was uploaded, to this customer.
    download = page.request.get(base + attachment.get_attribute("href"))
    assert download.ok
    assert download.body() == png

    page.screenshot(path=SCREENSHOT, full_page=True)
