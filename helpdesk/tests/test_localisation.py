"""Every word in the visitor's language: error pages, the admin's header, dates, emails."""

import datetime

import pytest
from django.db import connection
from django.template import loader
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, translation

from helpdesk.mail.models import OutboundEmail
from helpdesk.mail.services import email_language


def test_polish_and_russian_short_dates_read_as_people_write_them():
    day = datetime.date(2026, 12, 3)
    with translation.override("pl"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "03.12.2026"
        assert formats.date_format(datetime.datetime(2026, 12, 3, 9, 5), "SHORT_DATETIME_FORMAT") == "03.12.2026 09:05"
    with translation.override("ru"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "03.12.2026"
    with translation.override("pl"):  # what is not overridden still comes from Django's Polish formats
        assert formats.date_format(day, "DATE_FORMAT") == "3 grudnia 2026"


@pytest.mark.django_db
@pytest.mark.parametrize("language, text", [("pl", "Nie znaleziono strony"), ("ru", "Страница не найдена")])
def test_404_is_localised_with_the_sites_navigation(language, text):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert text in page and f'lang="{language}"' in page
    assert reverse("kb:home") in page and 'role="search"' in page  # navigation and a way on


@pytest.mark.django_db
def test_403_is_localised(client_for, customer_a):
    client = client_for(customer_a)
    response = client.get(reverse("workspace:queue"), HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 403
    assert "Brak dostępu" in response.content.decode()


@pytest.mark.django_db
def test_a_refused_form_gets_a_localised_page_saying_what_to_do(customer_a):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(customer_a)
    response = client.post(reverse("accounts:profile"), {"full_name": "X"})
    assert response.status_code == 403
    assert "обновите страницу и отправьте форму ещё раз" in response.content.decode()


@pytest.mark.django_db
def test_500_renders_without_the_database_or_context_processors():
    """Django's server_error renders 500.html with an empty context: no user, no request
    processors. The page must not touch the database (it may be what failed)."""
    from django.views.defaults import server_error

    request = RequestFactory().get("/")
    with translation.override("pl"), CaptureQueriesContext(connection) as queries:
        response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500 and not queries.captured_queries
    assert "Coś poszło nie tak" in page and 'lang="pl"' in page and reverse("kb:home") in page


def test_500_template_needs_no_context():
    with translation.override("ru"):
        assert "Что-то пошло не так" in loader.get_template("500.html").render()


@pytest.mark.django_db
def test_admin_header_is_the_products_name_in_the_admins_language():
    page = Client(HTTP_ACCEPT_LANGUAGE="ru").get(reverse("admin:login")).content.decode()
    assert "Администрирование службы поддержки" in page and "Django" not in page.split("<body")[1]


def test_email_language_takes_the_first_portal_language():
    assert email_language("", None, "pl-PL", "ru") == "pl"
    assert email_language("de", "ru") == "ru"
    assert email_language(None, "") == "en"


@pytest.mark.django_db
def test_password_reset_goes_out_in_the_language_of_the_page_it_was_asked_from(customer_a):
    """A user with no saved language asks from the Polish UI: the email is Polish."""
    customer_a.language = ""
    customer_a.save()
    Client(HTTP_ACCEPT_LANGUAGE="pl").post(reverse("accounts:password_reset"), {"email": customer_a.email})
    email = OutboundEmail.objects.get(to=customer_a.email, topic="password-reset")
    with translation.override("en"):
        english = loader.render_to_string("accounts/email/password_reset_subject.txt").strip()
    assert email.subject != english
    assert "hasł" in (email.subject + email.body_text).lower()


@pytest.mark.django_db
def test_a_saved_language_wins_over_the_page(customer_a):
    customer_a.language = "ru"
    customer_a.save()
    Client(HTTP_ACCEPT_LANGUAGE="pl").post(reverse("accounts:password_reset"), {"email": customer_a.email})
    email = OutboundEmail.objects.get(to=customer_a.email, topic="password-reset")
    assert "парол" in (email.subject + email.body_text).lower()


@pytest.mark.django_db
def test_home_page_has_a_knowledge_base_search_box():
    page = Client(HTTP_ACCEPT_LANGUAGE="pl").get(reverse("home")).content.decode()
    assert f'action="{reverse("kb:search")}"' in page and "Znajdź odpowiedź w bazie wiedzy" in page


@pytest.mark.django_db
def test_a_person_without_a_language_gets_what_caused_the_email_then_the_organisations(django_assert_num_queries):
    from helpdesk.accounts.models import User
    from helpdesk.accounts.tests.factories import OrganisationFactory, UserFactory

    org = OrganisationFactory(language="pl")
    person = User.objects.get(pk=UserFactory(organisation=org, language="").pk)
    assert person.email_language("ru") == "ru"  # the request or the ticket that caused it
    assert person.email_language() == "pl"  # else the organisation's
    person.language = "ru"
    with django_assert_num_queries(0):  # the organisation is read only when needed
        assert person.email_language("pl") == "ru"
    assert User.objects.get(pk=UserFactory(organisation=OrganisationFactory(), language="").pk).email_language() == "en"
