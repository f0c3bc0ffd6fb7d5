"""Values that used to give a 500 or a dead end: profile values, activation, sign-up races."""

import importlib
import re
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from helpdesk.accounts import services as account_services
from helpdesk.accounts.models import Organisation, User
from helpdesk.mail.models import OutboundEmail
from tickets import services

pytestmark = pytest.mark.django_db
SIGNUP = {
    "full_name": "Maria Nowak", "email": "maria@example.com", "password": "correct horse battery",
    "organisation": "Nowak Sp. z o.o.", "consent": "on",
}


def _link(email, settings):
    return re.search(r"http\S+/accounts/activate/\S+/", email.body_text).group(0).split(settings.SITE_URL)[1]


@pytest.mark.parametrize(
    "field,value",
    [("time_zone", "Foo/Bar"), ("time_zone", "../../etc/passwd"), ("language", "xx"), ("language", "en-pirate")],
)
def test_profile_refuses_values_that_are_not_on_the_lists(client_for, customer_a, field, value):
    data = {"full_name": "Anna", "language": "pl", "time_zone": "Europe/Warsaw", field: value}
    response = client_for(customer_a).post(reverse("accounts:profile"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    customer_a.refresh_from_db()
    assert getattr(customer_a, field) != value


def test_profile_offers_the_iana_time_zones_as_a_list(client_for, customer_a):
    page = client_for(customer_a).get(reverse("accounts:profile")).content.decode()
    assert '<select name="time_zone"' in page
    assert '<option value="America/Argentina/Buenos_Aires"' in page and '<option value="Europe/Warsaw"' in page


def test_model_validation_refuses_bad_time_zone_and_language(customer_a):
    from django.core.exceptions import ValidationError

    customer_a.time_zone, customer_a.language = "Foo/Bar", "xx"
    with pytest.raises(ValidationError) as exc:
        customer_a.full_clean()
    assert set(exc.value.message_dict) >= {"time_zone", "language"}


def test_bad_stored_time_zone_is_migrated_and_no_longer_breaks_engineers_actions(customer_a, engineer):
    ticket = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "s", "body": "b"})
    User.objects.filter(pk=customer_a.pk).update(time_zone="Foo/Bar", language="klingon")
    migration = importlib.import_module("helpdesk.accounts.migrations.0004_profile_values_validated")
    migration.fix_profile_values(apps, None)
    customer_a.refresh_from_db()
    assert (customer_a.time_zone, customer_a.language) == ("Europe/Moscow", "")
    from workspace.services import ticket_commit

    before = OutboundEmail.objects.filter(to=customer_a.email).count()
    ticket_commit(ticket=ticket, actor=engineer, planned_at=timezone.now() + timedelta(days=2))
    assert OutboundEmail.objects.filter(to=customer_a.email).count() == before + 1


def test_expired_activation_link_offers_a_new_one_that_works(settings):
    Client().post(reverse("accounts:signup"), SIGNUP)
    old = _link(OutboundEmail.objects.get(to="maria@example.com"), settings)
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)):
        page = Client().get(old)
        assert page.status_code == 400
        content = page.content.decode()
        assert reverse("accounts:activation_resend") in content and "Send me a new link" in content
        done = Client().post(reverse("accounts:activation_resend"), {"email": "Maria@Example.com"})
        assert done.status_code == 200
        fresh = OutboundEmail.objects.filter(to="maria@example.com").order_by("-pk").first()
        new = _link(fresh, settings)
        assert new != old
        assert Client().post(new).status_code == 302
    assert User.objects.get(email="maria@example.com").is_active


def test_resend_answers_the_same_and_sends_nothing_for_unknown_or_active_accounts(customer_a):
    answers = [
        Client().post(reverse("accounts:activation_resend"), {"email": email}).content.decode()
        for email in ("nobody@example.com", customer_a.email)
    ]
    strip = lambda page: re.sub(r'value="[^"]*"|"X-CSRFToken": "[^"]*"', "", page)  # noqa: E731
    assert strip(answers[0]) == strip(answers[1])
    assert not OutboundEmail.objects.exists()


def test_contact_created_from_email_sets_a_password_through_the_reset_form(settings):
    organisation = Organisation.objects.create(name="ola@example.org (unverified)")
    contact = User.objects.create_user(email="ola@example.org", password=None, full_name="Ola", organisation=organisation, is_active=False)
    assert not contact.has_usable_password()
    Client().post(reverse("accounts:password_reset"), {"email": "ola@example.org"})
    link = _link(OutboundEmail.objects.get(to="ola@example.org"), settings)
    client = Client()
    page = client.get(link).content.decode()
    assert 'name="new_password1"' in page
    weak = client.post(link, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200
    contact.refresh_from_db()
    assert not contact.is_active
    done = client.post(link, {"new_password1": "a long new passphrase", "new_password2": "a long new passphrase"})
    assert done.status_code == 302
    login = Client().post(reverse("accounts:login"), {"username": "ola@example.org", "password": "a long new passphrase"})
    assert login.status_code == 302
    assert client.post(link, {"new_password1": "x another pass 1", "new_password2": "x another pass 1"}).status_code == 400


def test_an_account_an_admin_deactivated_gets_no_link(customer_a):
    customer_a.last_login = timezone.now()
    customer_a.is_active = False
    customer_a.save()
    Client().post(reverse("accounts:password_reset"), {"email": customer_a.email})
    Client().post(reverse("accounts:activation_resend"), {"email": customer_a.email})
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_double_submitted_signup_does_not_raise():
    """The second submission checks for the address before the first commits, then
    waits on the unique index: it must end quietly, not with IntegrityError."""
    first_inserted, outcome = threading.Event(), {}

    def first():
        with transaction.atomic():
            User.objects.create_user(email="maria@example.com", password="x", full_name="Maria", is_active=False)
            first_inserted.set()
            time.sleep(1.0)  # the second submission is now blocked on our row
        connection.close()

    def second():
        first_inserted.wait(5)
        try:
            outcome["user"] = account_services.user_signup(
                full_name="Maria", email="maria@example.com", password="correct horse battery",
                organisation_name="Nowak", language="en", ip_address="127.0.0.1", user_agent="t",
            )
        except Exception as exc:  # noqa: BLE001 - asserted below
            outcome["error"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["user"] is None
    assert User.objects.filter(email="maria@example.com").count() == 1
    assert not Organisation.objects.filter(name="Nowak").exists()


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)"])
def test_bulk_action_never_redirects_off_site(client_for, engineer, target):
    client = client_for(engineer)
    invalid = client.post(reverse("workspace:bulk"), {"action": "nonsense", "next": target})
    assert invalid.status_code == 302 and invalid["Location"] == reverse("workspace:queue")
    valid = client.post(reverse("workspace:bulk"), {"action": "take", "tickets": ["99999"], "next": target})
    assert valid["Location"] == reverse("workspace:queue")
    ok = client.post(reverse("workspace:bulk"), {"action": "nonsense", "next": "/workspace/?view=mine"})
    assert ok["Location"] == "/workspace/?view=mine"
