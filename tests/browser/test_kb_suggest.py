"""Knowledge-base suggestions in a real browser: a customer types a Russian question into
the ticket form, sees the right article beside it, and leaves with "This solved my
problem": a deflection is recorded and no ticket is filed.

Headless Chromium (Debian's ``chromium``; ``CHROMIUM_PATH`` for another) through
Playwright's sync API against pytest-django's live server.
"""

import os
import re
import shutil
import uuid

import pytest
from django.apps import apps

from helpdesk.accounts.models import Organisation, User
from knowledgebase import services
from knowledgebase.models import Deflection
from knowledgebase.search import engine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
PASSWORD = "kb-suggest-pass-123"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module", autouse=True)
def _allow_orm_next_to_playwright():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def chromium(_allow_orm_next_to_playwright):
    executable = CHROMIUM if os.path.isabs(CHROMIUM) else shutil.which(CHROMIUM)
    if not executable or not os.access(executable, os.X_OK):
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install -y chromium) "
            "or point CHROMIUM_PATH at a Chromium binary"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def kb_customer(transactional_db, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.KB_SUGGEST_RATE = (10_000, 60)
    for code in ("ru", "pl", "en"):
        engine.forget_document_count(code)
    org = Organisation.objects.create(name=f"KB Bakery {uuid.uuid4().hex[:4]}")
    customer = User.objects.create_user(
        email="kira@bakery.example", password=PASSWORD, full_name="Kira Customer",
        organisation=org, role=User.Role.CUSTOMER, language="ru",
    )
    article = services.article_create(
        author=None, language="ru", status="published", visibility="public",
        title="Как сменить пароль почтового ящика",
        body="Пароль почтового ящика меняется в панели управления хостингом, в разделе «Почта».",
    )
    services.article_create(
        author=None, language="ru", status="published", visibility="public",
        title="Резервные копии сайта", body="Резервная копия сайта создаётся каждую ночь.",
    )
    yield customer, article
    for code in ("ru", "pl", "en"):
        engine.forget_document_count(code)


def test_customer_sees_suggestion_and_leaves_without_a_ticket(page, live_server, kb_customer):
    from playwright.sync_api import expect

    customer, article = kb_customer
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username], input[name=email]").first.fill(customer.email)
    page.locator("input[type=password]").first.fill(PASSWORD)
    page.locator("main form button[type=submit], main form button").first.click()
    page.goto(f"{base}/tickets/new/")

    page.locator("#id_subject").press_sequentially("не могу поменять пароли почтовых ящиков", delay=20)
    suggestions = page.locator("#kb-suggestions")
    link = suggestions.get_by_role("link", name=re.compile("пароль почтового ящика"))
    expect(link).to_be_visible()
    assert link.get_attribute("target") == "_blank"  # opening it keeps what was typed
    expect(suggestions.locator("mark").first).to_be_visible()
    expect(suggestions).not_to_contain_text("Резервные копии")

    tickets = apps.get_model("tickets", "Ticket")
    before = tickets.objects.count()
    suggestions.get_by_role("button").first.click()
    expect(page).to_have_url(re.compile(r"/kb/solved/\?article=\d+$"))
    deflection = Deflection.objects.get()
    assert deflection.article_id == article.pk and deflection.user_id == customer.pk
    assert "пароли почтовых ящиков" in deflection.query
    assert tickets.objects.count() == before
