"""The engineer's workspace in a real browser, once at 1366×768 and once at 390×844
(issue 12): each journey walks through every numbered item and runs axe-core on the six
main pages. Few, dense tests: the browser is the slow part of the suite.

Emails are checked as outbox rows (no worker needed); live refresh runs with 1-second
polling periods so that waiting for it stays short.
"""

import re
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from helpdesk.accounts.models import Organisation, User
from helpdesk.mail.models import OutboundEmail
from knowledgebase import services as kb_services
from knowledgebase.models import CannedReply
from knowledgebase.search import engine
from sla.models import BusinessCalendar, Tariff
from tickets import services
from tickets.models import Ticket
from workspace import services as ws

from ..conftest import it_png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
SERIOUS = {"serious", "critical"}

# Longest option text of each select (and each button's text) must fit its box.
CUT_OFF = """() => {
  const cut = [];
  const canvas = document.createElement("canvas").getContext("2d");
  for (const el of document.querySelectorAll("main select, main button, nav button, nav select")) {
    if (!el.offsetParent) continue;  // not shown
    const style = getComputedStyle(el);
    canvas.font = style.font;
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const texts = el.tagName === "SELECT" ? Array.from(el.options).map(o => o.text) : [el.innerText];
    for (const text of texts) {
      if (el.tagName === "BUTTON" && el.scrollWidth > el.clientWidth + 1) cut.push(text);
      else if (el.tagName === "SELECT" && canvas.measureText(text).width > room + 1) cut.push(text);
    }
  }
  return cut;
}"""


@pytest.fixture
def workspace_world(transactional_db, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.KB_SUGGEST_RATE = (10_000, 60)
    settings.WORKSPACE_QUEUE_POLL_SECONDS = 1
    settings.WORKSPACE_TICKET_POLL_SECONDS = 1
    for code in ("ru", "pl", "en"):
        engine.forget_document_count(code)
    always = BusinessCalendar.objects.create(name=f"24x7 {uuid.uuid4().hex[:4]}", always_open=True)
    Tariff.objects.create(code="basic", name="Basic", is_default=True, calendar=always, first_response_minutes=240)
    org = Organisation.objects.create(name=f"Export Bakery {uuid.uuid4().hex[:4]}")
    customer = User.objects.create_user(
        email="cora@bakery.example", password="x-pass-123456", full_name="Cora Customer", organisation=org, language="en",
    )
    erik = User.objects.create_user(
        email="erik@helpdesk.example", password="x-pass-123456", full_name="Erik Engineer",
        role=User.Role.ENGINEER, support_level="L1", language="en",
    )
    lena = User.objects.create_user(
        email="lena@helpdesk.example", password="x-pass-123456", full_name="Lena Second",
        role=User.Role.ENGINEER, support_level="L2", language="en",
    )
    article = kb_services.article_create(
        author=None, language="en", status="published", visibility="public",
        title="Exporting invoices to Excel",
        body="To export invoices to Excel, open Invoices, choose Export and pick the Excel format.",
    )
    CannedReply.objects.create(title="Zdalny dostęp", language="pl", body="Dzień dobry, {customer_name}!")
    CannedReply.objects.create(title="Ask for the version", language="en", body="Hello {customer_name}, which version do you use?")
    CannedReply.objects.create(title="Thanks", language="en", body="Thank you for the details about {reference}.")
    ticket = services.ticket_create(
        requester=customer, data={"kind": "error", "subject": "Export of invoices to Excel fails", "body": "Error 500 on export."},
        files=[SimpleUploadedFile("screen.png", it_png(40, 30)), SimpleUploadedFile("export.log", b"start\nERROR 500 export\nend\n")],
    )
    return {"customer": customer, "erik": erik, "lena": lena, "ticket": ticket, "article": article}


def _session_page(chromium, live_server, user, viewport, language="en"):
    client = Client()
    client.force_login(user)
    context = chromium.new_context(viewport=viewport, locale="en-GB")
    context.set_default_timeout(15_000)
    host = re.sub(r"^https?://", "", live_server.url).split(":")[0]
    cookies = [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    cookies.append({"name": "django_language", "value": language, "domain": host, "path": "/"})
    context.add_cookies(cookies)
    return context, context.new_page()


def _axe(page, what):
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    bad = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in violations if v["impact"] in SERIOUS]
    assert not bad, f"axe on {what}: {bad}"


def _fits(page, what):
    wide = page.evaluate("""() => Array.from(document.querySelectorAll("body *"))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest("dialog:not([open])"))
        .map(e => e.tagName + "#" + e.id + "." + e.className).slice(0, 8)""")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{what} scrolls sideways: {wide}"
    assert page.evaluate(CUT_OFF) == [], f"{what}: cut off"


@pytest.mark.parametrize("size", sorted(SIZES))
def test_engineer_day_in_the_workspace(size, chromium, live_server, workspace_world):
    from playwright.sync_api import expect

    w = workspace_world
    viewport = SIZES[size]
    phone = size == "phone"
    base = live_server.url
    ticket = w["ticket"]
    context, page = _session_page(chromium, live_server, w["erik"], viewport)

    # (8) Layout of the queue: navbar collapses on the phone, rows are cards with the deadline.
    page.goto(f"{base}/workspace/")
    nav = page.get_by_role("navigation", name="Main")
    menu = nav.get_by_role("button", name="Menu")
    if phone:
        expect(nav.get_by_role("link", name="Queue")).to_be_hidden()
        menu.click()
        expect(nav.get_by_role("button", name="Log out")).to_be_visible()
        menu.click()
        expect(page.locator("#filters-panel")).not_to_have_attribute("open", "")
        page.locator("#filters-panel > summary").click()
    else:
        expect(menu).to_be_hidden()
        expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    row = page.locator(f"tr[data-number='{ticket.number}']")
    deadline = row.locator(".cell-due")
    expect(deadline).to_be_visible()
    right = page.evaluate(f"document.querySelector(\"tr[data-number='{ticket.number}'] .cell-due\").getBoundingClientRect().right")
    assert right <= viewport["width"], "the deadline is off-screen"
    _fits(page, "queue")
    # (8) bulk bar only with a selection
    bulk = page.locator("#bulk-bar")
    expect(bulk).to_be_hidden()
    row.get_by_role("checkbox").check()
    expect(bulk).to_be_visible()
    row.get_by_role("checkbox").uncheck()
    expect(bulk).to_be_hidden()
    # (5) unread marker and "needs reply" view
    expect(row).to_contain_text("New to you")
    # (10) empty filter choices have real labels
    assert "---------" not in page.locator("#queue-filters").inner_text()
    # (5) a preset keeps the current sort; a personal saved view
    page.get_by_label("Order").select_option(label="Newest first")
    page.locator("#queue-filters").get_by_role("button", name="Apply").click()
    if phone:
        page.locator("#filters-panel > summary").click()
    page.get_by_role("link", name=re.compile("^Needs reply")).click()
    assert "view=needs_reply" in page.url and "order=-created_at" in page.url
    page.locator(".save-view > summary").click()
    page.get_by_label("Name of the view").fill("")
    page.locator(".save-view").get_by_role("button", name="Save").click()
    expect(page.locator(".save-view")).to_contain_text("This field is required")  # (2) beside the field
    page.get_by_label("Name of the view").fill("Waiting on me")
    page.locator(".save-view").get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Waiting on me")).to_be_visible()
    assert "view=needs_reply" in page.url
    _axe(page, f"queue at {size}")

    # (3) live refresh: keyboard selection and focus survive, the new row is marked, counts follow.
    page.goto(f"{base}/workspace/?status=open&order=-created_at")
    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.id")
    assert focused == f"open-{ticket.number}"
    newcomer = services.ticket_create(
        requester=w["customer"], data={"kind": "question", "subject": "Second question", "body": "How?"}
    )
    new_row = page.locator(f"tr[data-number='{newcomer.number}']")
    expect(new_row).to_have_class(re.compile("row-arrived"), timeout=10_000)
    assert page.evaluate("document.activeElement.id") == focused
    expect(page.locator(f"tr[data-number='{ticket.number}']")).to_have_class(re.compile("table-active"))
    expect(page.get_by_role("link", name=re.compile("^Needs reply"))).to_contain_text("2")
    expect(page.locator("#sr-announce")).to_contain_text("new in this list")
    page.keyboard.press("k")  # the newcomer is above (newest first): k moves on from the kept row
    assert page.evaluate("document.activeElement.id") == f"open-{newcomer.number}"

    # The engineer's ticket page.
    page.goto(f"{base}/workspace/tickets/{ticket.number}/")
    assert "<" not in page.title() and ticket.reference in page.title()  # (10)
    # (8) sidebar forms folded until used
    for heading in ("Triage", "Resolve", "Completion date for the customer"):
        expect(page.get_by_role("region", name=heading).locator("details").first).not_to_have_attribute("open", "")
    _fits(page, "ticket page")
    _axe(page, f"engineer's ticket page at {size}")

    # (9) image thumbnail → viewer; text file → line-numbered viewer
    page.get_by_role("img", name="Preview of screen.png").click()
    viewer = page.locator("#image-viewer")
    expect(viewer).to_be_visible()
    viewer.get_by_role("button", name="Close").click()
    expect(viewer).to_be_hidden()
    with context.expect_page() as popup:
        page.get_by_role("link", name="View export.log with line numbers").click()
    log_page = popup.value
    expect(log_page.locator("#L2")).to_have_text("ERROR 500 export")
    log_page.close()

    # (1) canned reply at the cursor, searchable, no reload, nothing pre-selected
    body = page.get_by_label("Your reply")
    body.fill("Dear customer,\n")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("c")
    search = page.get_by_label("Search canned replies by title or text")
    expect(search).to_be_focused()
    items = page.locator("#canned-list .canned-item")
    expect(items.first).to_contain_text("Ask for the version")  # the ticket's language first
    assert page.locator("#canned-list [aria-selected=true], #canned-list .active").count() == 0
    search.fill("which version")
    expect(page.locator("#canned-list .canned-item:visible")).to_have_count(1)
    url_before = page.url
    page.locator("#canned-list .canned-item:visible").get_by_role("button").click()
    expect(body).to_have_value(re.compile(r"^Dear customer,\nHello Cora Customer, which version do you use\?"))
    assert page.url == url_before
    expect(page.locator("#sr-announce")).to_contain_text("inserted")
    # Beyond: the matching KB article is offered beside the box; one click inserts its link
    page.get_by_role("button", name=re.compile("Insert a link to “Exporting invoices")).click()
    expect(body).to_have_value(re.compile(rf"/kb/articles/{w['article'].pk}/"))

    # (4) the page follows the ticket without touching the draft
    draft = body.input_value()
    services.ticket_reply(ticket=ticket, author=w["customer"], body="It happens with every invoice.")
    expect(page.locator("#live-conversation")).to_contain_text("It happens with every invoice.", timeout=10_000)
    expect(page.locator(".message-arrived")).to_have_count(1)
    expect(body).to_have_value(draft)

    # (6) send and wait: one action, one email ("and wait" is off for an internal note)
    page.get_by_label("Internal note (never shown to the customer)").check()
    expect(page.get_by_role("button", name="Send and wait for the customer")).to_be_disabled()
    page.get_by_label("Internal note (never shown to the customer)").uncheck()
    OutboundEmail.objects.all().delete()
    page.get_by_role("button", name="Send and wait for the customer").click()
    expect(page.get_by_role("status").filter(has_text="waits for the customer")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.status == "waiting"
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [w["customer"].email]

    # (2) a failed resolve keeps what was typed, the error beside the field
    resolve = page.get_by_role("region", name="Resolve")
    resolve.locator("summary").click()
    resolve.get_by_label("What was fixed").fill("Rebuilt the export worker.")
    resolve.get_by_role("button", name="Resolve and tell the customer").click()
    resolve = page.get_by_role("region", name="Resolve")
    expect(resolve.get_by_label("What was fixed")).to_have_value("Rebuilt the export worker.")
    expect(resolve.get_by_label("How to prevent it")).to_be_focused()
    expect(resolve.locator(".invalid-feedback")).to_contain_text("how to prevent it")

    # (7) @name in an internal note emails that engineer
    OutboundEmail.objects.all().delete()
    page.get_by_label("Your reply").fill("@lena could you check the export worker?")
    page.get_by_label("Internal note (never shown to the customer)").check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Internal note added")).to_be_visible()
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [w["lena"].email]

    # (7) escalation by keyboard (e), to a named engineer, the commitment question answered
    ws.ticket_commit(ticket=Ticket.objects.get(pk=ticket.pk), actor=w["erik"], planned_at=timezone.now() + timedelta(days=5))
    page.reload()
    OutboundEmail.objects.all().delete()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("e")
    level = page.get_by_label("Move to level")
    expect(level).to_be_focused()
    level.select_option("L2")
    page.get_by_label("Why").fill("Needs the database team")
    page.get_by_label("Hand to").select_option(label="Lena Second")
    page.get_by_label("No longer stands: the new level commits anew").check()
    page.get_by_role("button", name="Change level").click()
    expect(page.get_by_role("status").filter(has_text="level is changed")).to_be_visible()
    ticket.refresh_from_db()
    assert (ticket.level, ticket.assignee, ticket.planned_at) == ("L2", w["lena"], None)
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [w["lena"].email]

    # Beyond: ? lists the shortcuts, g q goes to the queue
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("g")
    page.keyboard.press("q")
    page.wait_for_url(re.compile(r"/workspace/$"))

    # (8) nothing cut off in Russian and Polish
    for language in ("ru", "pl"):
        other, lpage = _session_page(chromium, live_server, w["erik"], viewport, language)
        lpage.goto(f"{base}/workspace/")
        if not phone:
            expect(lpage.locator("#filters-panel")).to_have_attribute("open", "")
        else:
            lpage.locator("#filters-panel > summary").click()
        _fits(lpage, f"queue in {language}")
        lpage.goto(f"{base}/workspace/tickets/{ticket.number}/")
        for summary in lpage.locator(".action-panel > details > summary").all():
            summary.click()
        _fits(lpage, f"ticket page in {language}")
        other.close()
    context.close()

    # The customer's side: ticket page (with the thumbnail), new-ticket form; and the public pages.
    context, page = _session_page(chromium, live_server, w["customer"], viewport)
    page.goto(f"{base}/tickets/{ticket.number}/")
    expect(page.get_by_role("img", name="Preview of screen.png")).to_be_visible()
    _fits(page, "customer's ticket page")
    _axe(page, f"customer's ticket page at {size}")
    page.goto(f"{base}/tickets/new/")
    _axe(page, f"new-ticket form at {size}")
    context.close()
    context = chromium.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/")
    _fits(page, "home")
    _axe(page, f"home at {size}")
    page.goto(f"{base}/accounts/signup/")
    _axe(page, f"sign-up at {size}")
    context.close()
