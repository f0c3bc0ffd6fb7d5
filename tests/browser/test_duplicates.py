"""Possible duplicates in a real browser, at 1366×768 and 390×844: a customer typing a new
ticket is offered a colleague's open ticket about the same problem (never another
organisation's), follows it instead of filing; the engineer sees "Possible duplicates" on
the ticket page. axe-core finds nothing serious or critical on either page.
"""

import re
import uuid

import pytest
from django.test import Client

from helpdesk.accounts.models import Organisation, User
from tickets import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
SERIOUS = {"serious", "critical"}


@pytest.fixture
def office(transactional_db, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.RATELIMITS = {**settings.RATELIMITS, "kb_suggest": "10000/m", "ticket_similar": "10000/m"}
    tag = uuid.uuid4().hex[:4]
    org, other = Organisation.objects.create(name=f"Dup Bakery {tag}"), Organisation.objects.create(name=f"Dup Mill {tag}")
    make = User.objects.create_user
    mia = make(email=f"mia{tag}@bakery.example", password="x-pass-12345", full_name="Mia Colleague", organisation=org,
               role=User.Role.CUSTOMER, language="en")
    tom = make(email=f"tom{tag}@bakery.example", password="x-pass-12345", full_name="Tom Customer", organisation=org,
               role=User.Role.CUSTOMER, language="en")
    stranger = make(email=f"sam{tag}@mill.example", password="x-pass-12345", full_name="Sam Stranger",
                    organisation=other, role=User.Role.CUSTOMER, language="en")
    engineer = make(email=f"eve{tag}@helpdesk.example", password="x-pass-12345", full_name="Eve Engineer",
                    role=User.Role.ENGINEER, support_level="L1")
    data = {"kind": "error", "subject": "Order confirmation emails are not arriving",
            "body": "Since Monday our customers get no order confirmation emails."}
    colleague = services.ticket_create(requester=mia, data=data)
    foreign = services.ticket_create(requester=stranger, data=data)
    return {"tom": tom, "engineer": engineer, "colleague": colleague, "foreign": foreign}


def _session_page(chromium, live_server, user, viewport):
    client = Client()
    client.force_login(user)
    context = chromium.new_context(viewport=viewport, locale="en-GB")
    context.set_default_timeout(15_000)
    host = re.sub(r"^https?://", "", live_server.url).split(":")[0]
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"},
                         {"name": "django_language", "value": "en", "domain": host, "path": "/"}])
    return context, context.new_page()


def _axe(page, what):
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    bad = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in violations if v["impact"] in SERIOUS]
    assert not bad, f"axe on {what}: {bad}"


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_colleagues_ticket_is_offered_while_typing(chromium, live_server, office, size):
    from playwright.sync_api import expect

    viewport = SIZES[size]
    colleague, foreign = office["colleague"], office["foreign"]
    context, page = _session_page(chromium, live_server, office["tom"], viewport)
    page.goto(f"{live_server.url}/tickets/new/")
    page.locator("#id_subject").press_sequentially("Customers do not get order confirmation emails", delay=10)
    box = page.locator("#similar-tickets")
    link = box.get_by_role("link", name=re.compile(colleague.reference))
    expect(link).to_be_visible()
    expect(box).to_contain_text("Mia Colleague filed it")
    expect(box).not_to_contain_text(foreign.reference)
    # Writing more of the same problem keeps the offer.
    page.locator("#id_body").fill("Since Monday no order confirmation arrives; the shop shows the orders.")
    page.locator("#id_body").press_sequentially(" Thanks.", delay=10)
    expect(link).to_be_visible()
    box_right = page.evaluate("() => document.querySelector('#similar-tickets').getBoundingClientRect().right")
    assert box_right <= viewport["width"], "the offer is off-screen"
    _axe(page, f"ticket form with a possible duplicate at {size}")
    link.click()
    expect(page).to_have_url(re.compile(rf"/tickets/{colleague.number}/$"))
    context.close()

    context, page = _session_page(chromium, live_server, office["engineer"], viewport)
    page.goto(f"{live_server.url}/workspace/tickets/{foreign.number}/")
    expect(page.locator("#ticket-duplicates")).to_have_count(0)  # the only look-alike is another organisation's
    mine = services.ticket_create(requester=office["tom"], data={
        "kind": "error", "subject": "No order confirmation emails arrive", "body": "Customers get no emails since Monday."})
    page.goto(f"{live_server.url}/workspace/tickets/{mine.number}/")
    duplicates = page.locator("#ticket-duplicates")
    expect(duplicates.get_by_role("link", name=re.compile(colleague.reference))).to_be_visible()
    expect(duplicates).not_to_contain_text(foreign.reference)
    _axe(page, f"engineer's ticket page with possible duplicates at {size}")
    context.close()
