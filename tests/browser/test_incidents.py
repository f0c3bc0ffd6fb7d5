"""Issue 14, the incident loop in a real browser, once at 1366×768 and once at 390×844.

An engineer declares an incident; a second customer sees its banner on the ticket form and
subscribes instead of filing; ten tickets are linked in bulk from the queue; an update is
posted and each requester (and the subscriber) receives exactly one email, counted at a
real SMTP listener with the real Celery worker delivering; the incident is resolved and
the linked tickets are resolved with it. axe-core runs on every page of the journey.
"""

import re
import uuid
from collections import Counter

import pytest
from django.test import Client

from helpdesk.accounts.models import Organisation, User
from helpdesk.mail.models import OutboundEmail
from incidents.models import Incident, IncidentSubscription, IncidentTicket, IncidentUpdate
from sla.models import BusinessCalendar, Tariff
from tickets import services
from tickets.models import Message, Ticket

from ..conftest import it_wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
SERIOUS = {"serious", "critical"}
TITLE = "Outgoing mail delayed"


@pytest.fixture
def outage(transactional_db, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    tag = uuid.uuid4().hex[:4]
    always = BusinessCalendar.objects.create(name=f"24x7 {tag}", always_open=True)
    Tariff.objects.create(code="basic", name="Basic", is_default=True, calendar=always, first_response_minutes=240,
                          incident_update_is_first_response=True)
    hosts = [Organisation.objects.create(name=f"Hosting client {i} {tag}") for i in range(2)]
    requesters = [
        User.objects.create_user(email=f"req{i}@client{i % 2}.example", password="x-pass-123456",
                                 full_name=f"Requester {i}", organisation=hosts[i % 2], language="en")
        for i in range(4)
    ]
    bea = User.objects.create_user(email="bea@second.example", password="x-pass-123456", full_name="Bea Second",
                                   organisation=Organisation.objects.create(name=f"Second shop {tag}"), language="en")
    erik = User.objects.create_user(email="erik@helpdesk.example", password="x-pass-123456", full_name="Erik Engineer",
                                    role=User.Role.ENGINEER, support_level="L1", language="en")
    # Ten tickets from four people (4 + 3 + 2 + 1): one email per person, not per ticket.
    tickets = []
    for i, count in enumerate((4, 3, 2, 1)):
        for n in range(count):
            tickets.append(services.ticket_create(
                requester=requesters[i], confirm=False,
                data={"kind": "question", "subject": f"Mail not sent {i}-{n}", "body": "Outgoing mail stays queued."},
            ))
    return {"requesters": requesters, "bea": bea, "erik": erik, "tickets": tickets}


def _session_page(chromium, live_server, user, viewport):
    client = Client()
    client.force_login(user)
    context = chromium.new_context(viewport=viewport, locale="en-GB")
    context.set_default_timeout(15_000)
    host = re.sub(r"^https?://", "", live_server.url).split(":")[0]
    context.add_cookies([
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"},
        {"name": "django_language", "value": "en", "domain": host, "path": "/"},
    ])
    return context, context.new_page()


def _axe(page, what):
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    bad = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in violations if v["impact"] in SERIOUS]
    assert not bad, f"axe on {what}: {bad}"


def _delivered(update_filter, sink, expected_people):
    """Wait for the worker: the update delivered, its emails sent; then the SMTP count."""
    update = it_wait_until(lambda: IncidentUpdate.objects.filter(delivered_at__isnull=False, **update_filter).first(),
                           60, message="the worker to deliver the incident update")
    it_wait_until(
        lambda: not OutboundEmail.objects.filter(topic__startswith="incident:").exclude(state=OutboundEmail.State.SENT).exists(),
        60, message="the incident emails to be sent",
    )
    it_wait_until(lambda: sum(1 for m in sink.snapshot() if TITLE in str(m["message"]["Subject"]))
                  >= expected_people, 30, message="the emails at the SMTP listener")
    return update


@pytest.mark.parametrize("size", sorted(SIZES))
def test_incident_declared_subscribed_linked_updated_resolved(size, chromium, live_server, outage, it_worker, it_smtp):
    from playwright.sync_api import expect

    viewport, phone = SIZES[size], size == "phone"
    base = live_server.url
    sink = it_smtp.recorder
    sink.clear()
    o = outage

    # 1. The engineer declares the incident.
    context, page = _session_page(chromium, live_server, o["erik"], viewport)
    page.goto(f"{base}/incidents/new/")
    page.get_by_label("Title (English)").fill(TITLE)
    page.get_by_label("Public status (English)").fill("Mail to external addresses is delayed. We are investigating.")
    page.get_by_label("Affects every customer").check()
    _axe(page, f"declare form at {size}")
    page.get_by_role("button", name="Declare").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    incident = Incident.objects.get()
    _axe(page, f"incident page at {size}")

    # 2. A second customer sees the banner above the KB suggestions and subscribes: no ticket.
    bea_context, bea = _session_page(chromium, live_server, o["bea"], viewport)
    bea.goto(f"{base}/tickets/new/")
    banner = bea.locator("#incident-banner")
    expect(banner).to_contain_text(TITLE)
    expect(banner).to_contain_text("We are investigating")
    _axe(bea, f"ticket form with the incident banner at {size}")
    banner.get_by_role("button", name="Notify me of updates").click()
    expect(bea.get_by_role("status").filter(has_text="No request was filed")).to_be_visible()
    expect(bea.locator(f"#incident-{incident.pk}-subscribed")).to_be_visible()
    assert IncidentSubscription.objects.filter(user=o["bea"], deflected=True).count() == 1
    assert not Ticket.objects.filter(requester=o["bea"]).exists()
    bea_context.close()

    # 3. Ten tickets linked in bulk from the queue.
    page.goto(f"{base}/workspace/?status=open&order=-created_at")
    for ticket in o["tickets"]:
        page.locator(f"#select-{ticket.number}").check()
    page.locator("#id_action").select_option("link")
    page.locator("#id_incident").select_option(str(incident.pk))
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("status").filter(has_text="10 tickets linked")).to_be_visible()
    assert IncidentTicket.objects.filter(incident=incident, source="bulk").count() == 10
    _axe(page, f"queue after the bulk link at {size}")

    # 4. A public update: each person gets exactly one email through the real worker and SMTP.
    page.goto(f"{base}/incidents/{incident.pk}/")
    page.locator("#panel-update > summary").click()
    page.locator("#id_update_state").select_option("identified")
    page.locator("#id_update_body_en").fill("A relay rejects our mail. Traffic is moved to a second relay.")
    page.get_by_role("button", name="Post the update").click()
    expect(page.get_by_role("status").filter(has_text="The update is posted")).to_be_visible()
    _delivered({"state": "identified"}, sink, 5)
    update_mail = [m for m in sink.snapshot() if "Identified" in str(m["message"]["Subject"])]
    per_person = Counter(rcpt for m in update_mail for rcpt in m["rcpt_tos"])
    assert per_person == Counter({r.email: 1 for r in o["requesters"]} | {o["bea"].email: 1}), per_person
    body = update_mail[0]["message"].get_body(preferencelist=("plain",)).get_content()
    assert "second relay" in body
    for ticket in o["tickets"]:
        assert Message.objects.filter(ticket=ticket, author=o["erik"], body__contains="second relay").count() == 1
        ticket.refresh_from_db()
        assert ticket.first_response_at is not None  # the tariff counts the update as the first response
    page.reload()
    expect(page.locator("#incident-state")).to_have_text("Identified")

    # 5. Resolve: the linked tickets are resolved with the summary; one email per person again.
    page.locator("#panel-resolve > summary").click()
    page.get_by_label("What was fixed").fill("The relay's blocklist entry was removed and the queue flushed.")
    page.get_by_label("How it is prevented").fill("An alert when the outbound queue grows; a standby relay.")
    page.get_by_role("button", name="Resolve with the linked tickets").click()
    expect(page.locator("#incident-state")).to_have_text("Resolved")
    _delivered({"state": "resolved"}, sink, 10)
    resolved_mail = [m for m in sink.snapshot() if str(m["message"]["Subject"]).startswith("Resolved")]
    assert Counter(r for m in resolved_mail for r in m["rcpt_tos"]) == Counter(
        {r.email: 1 for r in o["requesters"]} | {o["bea"].email: 1})
    statuses = set(Ticket.objects.filter(pk__in=[t.pk for t in o["tickets"]]).values_list("status", flat=True))
    assert statuses == {"resolved"}
    page.reload()  # the worker resolved them after the page was drawn
    expect(page.locator("#linked-tickets")).to_contain_text("Resolved")
    expect(page.locator("#linked-tickets")).not_to_contain_text("Open")
    _axe(page, f"resolved incident at {size}")

    # 6. A requester reads the update and the resolution in their ticket's conversation.
    req_context, req = _session_page(chromium, live_server, o["requesters"][0], viewport)
    req.goto(f"{base}/tickets/{o['tickets'][0].number}/")
    expect(req.get_by_role("main")).to_contain_text("second relay")
    expect(req.get_by_role("main")).to_contain_text("blocklist entry was removed")
    req_context.close()

    # 7. The public status page, without login: the incident's public text only.
    anon = chromium.new_context(viewport=viewport, locale="en-GB")
    public = anon.new_page()
    public.goto(f"{base}/status/")
    expect(public.get_by_role("main")).to_contain_text(TITLE)
    text = public.get_by_role("main").inner_text()
    for secret in (o["tickets"][0].reference, o["requesters"][0].organisation.name, o["erik"].full_name):
        assert secret not in text
    if phone:
        assert public.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _axe(public, f"status page at {size}")
    anon.close()
    context.close()
