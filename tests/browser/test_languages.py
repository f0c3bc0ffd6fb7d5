"""Every word in the customer's language, in a real browser (issue 13), in Russian and
Polish at desktop and phone sizes, axe-core clean: the re-accepted personal-data
agreement, the tariffs page with admin-entered text per language, the 404 page, and
closing a ticket with its confirmation."""

import re
import uuid

import pytest
from django.test import Client

from helpdesk.accounts.models import Organisation, PersonalDataConsent, User
from sla.tests.factories import TariffFactory
from tickets import services
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
SERIOUS = {"serious", "critical"}
WORDS = {
    "ru": {"changed": "Соглашение об обработке персональных данных изменилось", "agree": "Я даю согласие",
           "accept": "Принять и продолжить", "my_tickets": "Заявки организации", "description": "Поддержка по почте и через форму.",
           "not_found": "Страница не найдена", "close": "Закрыть", "confirm": "Да, закрыть заявку"},
    "pl": {"changed": "Umowa o przetwarzaniu danych osobowych uległa zmianie", "agree": "Wyrażam zgodę",
           "accept": "Akceptuję i kontynuuję", "my_tickets": "Zgłoszenia organizacji", "description": "Wsparcie przez e-mail i formularz.",
           "not_found": "Nie znaleziono strony", "close": "Zamknij", "confirm": "Tak, zamknij zgłoszenie"},
}


def _axe(page, what):
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    bad = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in violations if v["impact"] in SERIOUS]
    assert not bad, f"axe on {what}: {bad}"


def _session(chromium, live_server, user, viewport, language):
    client = Client()
    client.force_login(user)
    context = chromium.new_context(viewport=viewport, locale={"ru": "ru-RU", "pl": "pl-PL"}[language])
    context.set_default_timeout(15_000)
    host = re.sub(r"^https?://", "", live_server.url).split(":")[0]
    context.add_cookies([
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"},
        {"name": "django_language", "value": language, "domain": host, "path": "/"},
    ])
    return context, context.new_page()


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("language", ["ru", "pl"])
def test_customer_journey_in_their_language(language, size, chromium, live_server, settings, it_quiet_broker):
    from playwright.sync_api import expect

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    words = WORDS[language]
    TariffFactory(code="basic", name="Basic", is_default=True, description_en="Support by email and the web form.",
                  description_ru="Поддержка по почте и через форму.", description_pl="Wsparcie przez e-mail i formularz.")
    org = Organisation.objects.create(name=f"Org {uuid.uuid4().hex[:6]}")
    customer = User.objects.create_user(email=f"{uuid.uuid4().hex[:8]}@example.com", password="pass-12345",
                                        full_name="Anna Kowalska", organisation=org, language=language)
    PersonalDataConsent.objects.create(user=customer, version="2020-01")  # accepted an older version
    ticket = services.ticket_create(requester=customer, data={"kind": "question", "subject": "Domain", "body": "How?"})
    base = live_server.url
    context, page = _session(chromium, live_server, customer, SIZES[size], language)
    try:
        # The agreement changed: asked before any other page, in their language.
        page.goto(f"{base}/tickets/")
        expect(page.get_by_role("status")).to_contain_text(words["changed"])
        _axe(page, f"agreement page ({language}, {size})")
        page.get_by_label(re.compile(words["agree"])).check()
        page.get_by_role("button", name=words["accept"]).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(words["my_tickets"])
        consent = PersonalDataConsent.objects.filter(user=customer).order_by("-consented_at").first()
        assert consent.version == settings.PERSONAL_DATA_AGREEMENT_VERSION and consent.ip_address

        # Admin-entered text in their language.
        page.goto(f"{base}/support/plans/")
        expect(page.get_by_text(words["description"])).to_be_visible()
        _axe(page, f"tariffs page ({language}, {size})")

        # Closing asks first; the summary opens the confirmation.
        page.goto(f"{base}/tickets/{ticket.number}/")
        page.locator("#close-confirm summary").click()
        page.get_by_role("button", name=words["confirm"]).click()
        expect(page.locator("#close-confirm")).to_have_count(0)
        assert Ticket.objects.get(pk=ticket.pk).status == "closed"
        _axe(page, f"closed ticket ({language}, {size})")

        # A wrong address: a page in their language with the site around it.
        response = page.goto(f"{base}/no-such-page/")
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text(words["not_found"])
        expect(page.get_by_role("search")).to_be_visible()
        _axe(page, f"404 ({language}, {size})")
    finally:
        context.close()
