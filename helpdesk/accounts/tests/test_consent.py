"""A new personal-data agreement version is accepted at the next sign-in (helpdesk/accounts/consent.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from helpdesk.accounts.models import PersonalDataConsent

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_version(settings):
    settings.PERSONAL_DATA_AGREEMENT_VERSION = "2027-01"
    return "2027-01"


def _accepted(user, version):
    return PersonalDataConsent.objects.create(user=user, version=version, ip_address="10.0.0.9")


def _login(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_customer_who_accepted_an_old_version_is_asked_before_any_page(customer_a, new_version):
    _accepted(customer_a, "2026-11")
    client = _login(customer_a)
    response = client.get(reverse("tickets:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:consent") + "?next=")
    assert "next=%2Ftickets%2F" in response["Location"] or "next=/tickets/" in response["Location"]


def test_the_agreement_page_is_in_the_visitors_language_and_shows_the_history(customer_a, new_version):
    _accepted(customer_a, "2026-11")
    page = _login(customer_a, "pl").get(reverse("accounts:consent")).content.decode()
    assert "Umowa o przetwarzaniu danych osobowych uległa zmianie (wersja 2027-01)" in page
    assert "Zaakceptowane wersje" in page and "2026-11" in page and "10.0.0.9" in page


def test_accepting_records_version_ip_browser_and_goes_on(customer_a, new_version):
    _accepted(customer_a, "2026-11")
    client = _login(customer_a)
    response = client.post(
        reverse("accounts:consent"), {"accept": "on", "next": reverse("tickets:list")},
        HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302 and response["Location"] == reverse("tickets:list")
    latest = PersonalDataConsent.objects.filter(user=customer_a).order_by("-consented_at").first()
    assert (latest.version, str(latest.ip_address), latest.user_agent) == ("2027-01", "203.0.113.7", "Firefox/140")
    assert PersonalDataConsent.objects.filter(user=customer_a).count() == 2  # the history is kept
    assert client.get(reverse("tickets:list")).status_code == 200


def test_submitting_without_the_tick_records_nothing_and_says_why(customer_a, new_version):
    _accepted(customer_a, "2026-11")
    response = _login(customer_a, "ru").post(reverse("accounts:consent"), {})
    assert response.status_code == 400
    assert "Чтобы продолжить работу с порталом, примите соглашение" in response.content.decode()
    assert not PersonalDataConsent.objects.filter(user=customer_a, version="2027-01").exists()


def test_next_outside_the_site_is_ignored(customer_a, new_version):
    _accepted(customer_a, "2026-11")
    response = _login(customer_a).post(reverse("accounts:consent"), {"accept": "on", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_personal_data_rights_and_logout_stay_open_without_accepting(customer_a, new_version):
    _accepted(customer_a, "2026-11")
    client = _login(customer_a)
    assert client.get(reverse("privacy:page")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_a_session_opened_before_the_version_changed_is_asked_on_its_next_request(customer_a, settings):
    _accepted(customer_a, settings.PERSONAL_DATA_AGREEMENT_VERSION)
    client = _login(customer_a)
    assert client.get(reverse("tickets:list")).status_code == 200
    settings.PERSONAL_DATA_AGREEMENT_VERSION = "2027-02"
    assert client.get(reverse("tickets:list"))["Location"].startswith(reverse("accounts:consent"))


def test_people_who_never_accepted_a_version_and_engineers_are_not_asked(customer_a, engineer, new_version):
    _accepted(engineer, "2026-11")
    assert _login(customer_a).get(reverse("tickets:list")).status_code == 200
    assert _login(engineer).get(reverse("workspace:queue")).status_code == 200


def test_htmx_requests_are_sent_to_the_page_with_hx_redirect(customer_a, new_version):
    _accepted(customer_a, "2026-11")
    response = _login(customer_a).get(reverse("tickets:list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("accounts:consent"))


def test_the_check_costs_no_query_on_pages_once_accepted(customer_a, settings):
    """The check is made at login and kept in the session: a page after it runs no consent query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _accepted(customer_a, settings.PERSONAL_DATA_AGREEMENT_VERSION)
    client = _login(customer_a)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("tickets:list"))
    assert not [q for q in queries.captured_queries if "personaldataconsent" in q["sql"]]
