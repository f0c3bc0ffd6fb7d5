"""The reports page in a real browser, in Russian at 1366×768 and in Polish at 390×844:
charts with their tables, the period and time zone printed, a tariff picked, a CSV
downloaded (BOM, the locale's delimiter, translated headers), axe-core clean."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from helpdesk.accounts.models import Organisation, User
from sla.models import BusinessCalendar, Tariff, WorkingInterval
from tickets import services
from tickets.models import EngineerSchedule, Ticket
from workspace import rollup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
SERIOUS = {"serious", "critical"}
CASES = {"desktop": "ru", "phone": "pl"}
HEADERS = {"ru": "Среднее, рабочих минут", "pl": "Średnia, minuty robocze"}


@pytest.fixture
def reports_world(settings):
    settings.REPORTS_TIME_ZONE = "Europe/Moscow"
    office = BusinessCalendar.objects.create(name="Office", time_zone="Europe/Moscow")
    for day in range(5):
        WorkingInterval.objects.create(calendar=office, weekday=day, start="09:00", end="18:00")
    basic = Tariff.objects.create(code="basic", name="Basic", is_default=True, calendar=office,
                                  first_response_minutes=120, commitment_minutes=240)
    Tariff.objects.create(code="premium", name="Premium", calendar=office, first_response_minutes=30,
                          commitment_minutes=60)
    lead = User.objects.create_user(email="lead@helpdesk.example", password="x-long-password-1", full_name="Lena Lead",
                                    role=User.Role.ENGINEER, support_level="L3")
    idle = User.objects.create_user(email="idle@helpdesk.example", password="x-long-password-1", full_name="Ivan Idle",
                                    role=User.Role.ENGINEER, support_level="L1")
    for engineer in (lead, idle):
        EngineerSchedule.objects.create(engineer=engineer, calendar=office)
    now = timezone.now()
    for n in range(6):
        org = Organisation.objects.create(name=f"Klient {n}")
        customer = User.objects.create_user(email=f"c{n}@example.com", password="x-long-password-1",
                                            organisation=org, role=User.Role.CUSTOMER)
        for _ in range(1 + (5 if n == 0 else 0)):
            ticket = services.ticket_create(requester=customer, data={"kind": "question", "subject": "s", "body": "b"})
            services.ticket_reply(ticket=ticket, author=lead, body="ok")
            Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(days=3 * n + 1),
                                                       first_response_business_seconds=(20 + 7 * n) * 60)
    services.ticket_assign(ticket=ticket, actor=idle, assignee=idle)
    rollup.rollup_refresh()
    return {"lead": lead, "basic": basic}


def _page(chromium, live_server, user, viewport, language):
    client = Client()
    client.force_login(user)
    context = chromium.new_context(viewport=viewport, locale=language, accept_downloads=True)
    context.set_default_timeout(15_000)
    host = re.sub(r"^https?://", "", live_server.url).split(":")[0]
    context.add_cookies([
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"},
        {"name": "django_language", "value": language, "domain": host, "path": "/"},
    ])
    return context, context.new_page()


def _axe(page, what):
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    bad = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in violations if v["impact"] in SERIOUS]
    assert not bad, f"axe on {what}: {bad}"


@pytest.mark.parametrize("size", sorted(SIZES))
def test_lead_reads_charts_picks_a_tariff_and_downloads_a_csv(size, chromium, live_server, reports_world):
    from playwright.sync_api import expect

    language = CASES[size]
    context, page = _page(chromium, live_server, reports_world["lead"], SIZES[size], language)
    page.goto(f"{live_server.url}/workspace/reports/")
    charts = page.get_by_role("img")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 6
    assert "Europe/Moscow" in page.locator("#report-scope").inner_text()
    # Every chart has its numbers beside it; the idle engineer's load reads 0 %, not "—".
    assert page.locator("section table").count() >= 6
    expect(page.locator("#chart-load-t")).to_be_attached()
    assert "0 %" in page.locator("svg#chart-load, svg[aria-labelledby^='chart-load']").inner_html()
    wide = page.evaluate("""() => Array.from(document.querySelectorAll("body *"))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".report-numbers, .table-responsive"))
        .map(e => e.tagName + "#" + e.id + "." + e.className).slice(0, 8)""")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"scrolls sideways: {wide}"
    _axe(page, f"reports ({size}, {language})")

    page.locator("#id_tariff").select_option(label="Basic")
    page.locator("form[method=get] button").click()
    page.wait_for_url(re.compile(r"tariff="))
    assert "Basic" in page.locator("#report-scope").inner_text()

    with page.expect_download() as info:
        page.locator("#r-frt a", has_text="CSV").click()
    raw = open(info.value.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert HEADERS[language] in header.split(";")
    context.close()
