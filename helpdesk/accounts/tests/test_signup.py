import re

import pytest
from django.test import Client
from django.urls import reverse

from helpdesk.accounts.models import Organisation, PersonalDataConsent, User
from helpdesk.mail.models import OutboundEmail

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "Maria Nowak",
    "email": "Maria@Example.com",
    "password": "correct horse battery",
    "organisation": "Nowak Sp. z o.o.",
    "consent": "on",
}


def _signup(client=None, **extra):
    client = client or Client()
    return client.post(reverse("accounts:signup"), {**FORM, **extra}, HTTP_USER_AGENT="Firefox/133.0")


def test_signup_creates_inactive_user_with_consent_and_sends_activation(settings):
    response = _signup()
    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(email="maria@example.com")
    assert not user.is_active
    assert user.organisation is None and not Organisation.objects.exists(), "made at activation"
    consent = PersonalDataConsent.objects.get(user=user)
    assert consent.version == settings.PERSONAL_DATA_AGREEMENT_VERSION
    assert consent.user_agent == "Firefox/133.0"
    email = OutboundEmail.objects.get(to="maria@example.com")
    link = re.search(r"http\S+/accounts/activate/\S+/", email.body_text).group(0)
    path = link.split(settings.SITE_URL)[1]
    client = Client()
    assert client.get(path).status_code == 200
    user.refresh_from_db()
    assert not user.is_active, "GET must not change state"
    assert client.post(path).status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert user.organisation.name == "Nowak Sp. z o.o." and user.requested_organisation == ""
    assert client.get(reverse("tickets:list")).status_code == 200, "signed in by the activation, no second login"
    assert client.post(path).status_code == 400, "links are single use"


def test_signup_without_consent_is_refused():
    response = _signup(consent="")
    assert response.status_code == 200
    assert not User.objects.exists()


def test_weak_password_is_refused_with_a_reason():
    response = _signup(password="123")
    assert response.status_code == 200
    assert "password" in response.content.decode().lower()
    assert not User.objects.exists()


def test_signup_does_not_reveal_registered_email():
    first = _signup()
    second = _signup(full_name="Someone Else", organisation="Another org")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert User.objects.count() == 1
    assert not Organisation.objects.filter(name="Another org").exists()
    warning = OutboundEmail.objects.filter(topic="signup-existing").get()
    assert warning.to == "maria@example.com"


def test_naming_an_existing_organisation_does_not_grant_membership():
    Organisation.objects.create(name="Acme Hosting")
    _signup(organisation="acme hosting")
    user = User.objects.get()
    assert user.organisation is None
    assert user.requested_organisation == "acme hosting"


def test_login_error_is_the_same_for_unknown_email_wrong_password_and_inactive(customer_a):
    inactive = User.objects.create_user(email="sleepy@example.com", password="secret-pass-123", full_name="S", is_active=False)
    answers = []
    for email, password in [
        ("nobody@example.com", "whatever-123"),
        (customer_a.email, "wrong-password"),
        (inactive.email, "secret-pass-123"),
    ]:
        response = Client().post(reverse("accounts:login"), {"username": email, "password": password})
        assert response.status_code == 200
        answers.append(re.sub(r'(value="[^"]*"|"X-CSRFToken": "[^"]*")', "", response.content.decode()))
    assert answers[0] == answers[1] == answers[2]


def test_login_by_email_any_case(customer_a):
    response = Client().post(reverse("accounts:login"), {"username": customer_a.email.upper(), "password": "secret-pass-123"})
    assert response.status_code == 302


def test_password_reset_does_not_reveal_registered_email(customer_a):
    known = Client().post(reverse("accounts:password_reset"), {"email": customer_a.email})
    unknown = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [customer_a.email]


def test_profile_language_choice_sets_cookie(client_for, customer_a):
    response = client_for(customer_a).post(
        reverse("accounts:profile"), {"full_name": "Anna", "language": "pl", "time_zone": "Europe/Warsaw"}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "pl"


def test_pages_follow_browser_language(db):
    page = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'lang="ru"' in page
