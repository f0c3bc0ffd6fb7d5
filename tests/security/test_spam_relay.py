"""Sign-up is no spam relay: nothing an attacker types reaches an unconfirmed address,
nothing is created for them, and every system email is capped per recipient per hour.

End to end: the web views in this process, PostgreSQL, Redis as the broker, a real
Celery worker and an SMTP listener that records what actually leaves.
"""

import logging
import time
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from helpdesk.accounts.models import Organisation, User
from helpdesk.mail.models import OutboundEmail

from ..conftest import it_wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SPAM = "Cheap pills at spam.example"


@pytest.fixture
def sink(it_worker, it_smtp):
    it_smtp.recorder.clear()
    yield it_smtp.recorder
    it_smtp.recorder.clear()


@pytest.fixture(autouse=True)
def _generous_view_limits(settings):
    """These tests are about the mail cap, not the per-IP view limits."""
    settings.RATELIMITS = {**settings.RATELIMITS, "signup": "1000/h", "password_reset": "1000/h"}


def _signup(email, **extra):
    form = {"full_name": SPAM, "email": email, "password": "correct horse battery",
            "organisation": f"{SPAM} {uuid.uuid4().hex[:6]}", "consent": "on", **extra}
    response = Client().post(reverse("accounts:signup"), form)
    assert response.status_code == 302, response.content.decode()[:500]


def _body(message):
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def _all_sent(sink, expected, timeout=20):
    it_wait_until(lambda: len(sink.snapshot()) >= expected, timeout, message=f"{expected} messages at the SMTP sink")
    time.sleep(1)  # and nothing more arrives
    return sink.snapshot()


def test_signup_mails_no_attacker_text_to_an_unconfirmed_address(sink):
    victim = f"victim.{uuid.uuid4().hex[:6]}@example.com"
    _signup(victim)
    (sent,) = _all_sent(sink, 1)
    assert sent["rcpt_tos"] == [victim]
    message = sent["message"]
    assert SPAM not in str(message["Subject"])
    assert "pills" not in _body(message).lower()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "pills" not in html.lower()


def test_signup_for_a_registered_address_mails_no_attacker_text(sink):
    owner = User.objects.create_user(email=f"owner.{uuid.uuid4().hex[:6]}@example.com", password="x-pass-1234",
                                     full_name="Inactive", is_active=False)
    User.objects.filter(pk=owner.pk).update(full_name=SPAM)  # an earlier attacker's sign-up
    _signup(owner.email, full_name="Another name")
    (sent,) = _all_sent(sink, 1)
    assert "pills" not in _body(sent["message"]).lower()


def test_organisation_is_created_at_activation_not_at_signup(sink):
    for _ in range(3):
        _signup(f"someone.{uuid.uuid4().hex[:6]}@example.com")
    assert not Organisation.objects.exists(), "sign-ups alone create no organisations"
    user = User.objects.filter(is_active=False).first()
    named = user.requested_organisation
    from helpdesk.accounts.services import user_activate

    user_activate(user)
    user.refresh_from_db()
    assert user.organisation.name == named and user.requested_organisation == ""
    assert Organisation.objects.count() == 1


def test_account_emails_are_capped_per_recipient_per_hour(sink, settings, caplog):
    settings.EMAIL_CAPS_PER_HOUR = {**settings.EMAIL_CAPS_PER_HOUR, "account": 3}
    victim = f"victim.{uuid.uuid4().hex[:6]}@example.com"
    _signup(victim)  # creates the inactive account: one activation email
    User.objects.filter(email=victim).update(is_active=True)
    with caplog.at_level(logging.WARNING, logger="helpdesk.mail.services"):
        for _ in range(4):  # "someone tried to sign up with your address"
            _signup(victim.upper())
        for _ in range(4):  # password resets (the account is active by now)
            Client().post(reverse("accounts:password_reset"), {"email": victim})
    sent = _all_sent(sink, 3)
    assert len(sent) == 3, [m["message"]["Subject"] for m in sent]
    assert OutboundEmail.objects.filter(to__iexact=victim).count() == 3, "the excess is never queued"
    assert sum("email cap: dropped" in r.getMessage() for r in caplog.records) == 9 - 3


def test_notifications_are_capped_too_and_our_queue_is_exempt(settings, org_a, customer_a):
    from helpdesk.mail.services import email_enqueue

    settings.EMAIL_CAPS_PER_HOUR = {**settings.EMAIL_CAPS_PER_HOUR, "notification": 2}
    settings.EMAIL_CAP_EXEMPT = ["queue@helpdesk.localhost"]
    for to in [customer_a.email] * 4 + ["Queue@helpdesk.localhost"] * 4:
        email_enqueue(to=to, template="accounts/email/password_reset", context={"reset_url": "x"})
    assert OutboundEmail.objects.filter(to=customer_a.email).count() == 2
    assert OutboundEmail.objects.filter(to__iexact="queue@helpdesk.localhost").count() == 4
