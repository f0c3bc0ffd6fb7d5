"""Abuse by volume: every public or costly action is limited (django-ratelimit, one
mechanism, settings.RATELIMITS) and login locks out (django-axes). A refusal is a 429
in the user's language saying when to retry, with Retry-After; the API answers in its
own error shape. Counters are the real Redis cache."""

import logging
import re

import pytest
from django.urls import reverse

from api.services import api_token_create
from helpdesk.accounts.models import User
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # the factories' password


def _login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def _limit(settings, **rates):
    settings.RATELIMITS = {**settings.RATELIMITS, **rates}


def _retry_after(response):
    assert response.status_code == 429, response.status_code
    seconds = int(response["Retry-After"])
    assert seconds > 0
    return seconds


# --- login --------------------------------------------------------------------------


def test_wrong_passwords_lock_the_account_even_for_the_right_one_and_are_logged(
        customer_a, from_ip, settings, caplog):
    settings.AXES_FAILURE_LIMIT = 5
    with caplog.at_level(logging.WARNING):
        # A new address each time: the account's own counter locks, not the IP's.
        codes = [_login(from_ip(f"203.0.113.{n + 1}"), customer_a.email.upper(), "wrong").status_code
                 for n in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    refused = _login(from_ip("198.51.100.7"), customer_a.email, PASSWORD)
    assert _retry_after(refused) == 15 * 60
    assert "_auth_user_id" not in refused.client.session
    assert sum("AXES: New login failure" in r.getMessage() for r in caplog.records) >= 5
    from axes.models import AccessFailureLog

    assert AccessFailureLog.objects.filter(username=customer_a.email).count() == 6  # and the locked-out one


def test_many_accounts_tried_from_one_ip_lock_that_ip(customer_a, customer_b, from_ip, settings):
    settings.AXES_FAILURE_LIMIT = 5
    attacker = from_ip("192.0.2.50")
    for n in range(5):
        _login(attacker, f"guess{n}@example.com", "wrong")
    _retry_after(_login(attacker, customer_b.email, PASSWORD))
    assert _login(from_ip("192.0.2.51"), customer_b.email, PASSWORD).status_code == 302, "others still log in"


def test_admin_login_is_locked_out_too(admin_user, from_ip, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = from_ip("192.0.2.60")
    url = reverse("admin:login")
    for _ in range(3):
        client.post(url, {"username": admin_user.email, "password": "wrong"})
    response = client.post(url, {"username": admin_user.email, "password": PASSWORD})
    _retry_after(response)


def test_a_successful_login_resets_the_count(customer_a, from_ip, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = from_ip("192.0.2.70")
    for _ in range(2):
        _login(client, customer_a.email, "wrong")
    assert _login(client, customer_a.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        _login(client, customer_a.email, "wrong")
    assert _login(client, customer_a.email, PASSWORD).status_code == 302


# --- sign-up, password reset: per IP, answered in the visitor's language --------------


def test_signup_is_limited_per_ip_with_a_page_in_the_visitors_language(from_ip, settings):
    _limit(settings, signup="3/h")
    client = from_ip("192.0.2.80", HTTP_ACCEPT_LANGUAGE="ru")
    for n in range(3):
        response = client.post(reverse("accounts:signup"), {
            "full_name": "A", "email": f"a{n}@example.com", "password": "correct horse battery",
            "organisation": "Org", "consent": "on"})
        assert response.status_code == 302
    refused = client.post(reverse("accounts:signup"), {
        "full_name": "A", "email": "a9@example.com", "password": "correct horse battery",
        "organisation": "Org", "consent": "on"})
    seconds = _retry_after(refused)
    assert seconds <= 3600
    page = refused.content.decode()
    assert 'lang="ru"' in page and "Слишком много запросов" in page
    assert re.search(r"Попробуйте ещё раз через \d+ (минут|минуту|минуты)", page), page
    assert User.objects.count() == 3
    assert from_ip("192.0.2.81").get(reverse("accounts:signup")).status_code == 200, "others may sign up"


def test_password_reset_is_limited_per_ip(customer_a, from_ip, settings):
    _limit(settings, password_reset="3/h")
    client = from_ip("192.0.2.90", HTTP_ACCEPT_LANGUAGE="pl")
    codes = [client.post(reverse("accounts:password_reset"), {"email": customer_a.email}).status_code
             for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    refused = client.post(reverse("accounts:password_reset"), {"email": customer_a.email})
    _retry_after(refused)
    assert "Spróbuj ponownie za" in refused.content.decode()


def test_the_client_ip_comes_from_the_trusted_proxy_not_from_what_the_client_says(customer_a, settings):
    from django.test import Client

    _limit(settings, password_reset="2/h")
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.5"
    # One client behind our proxy, inventing a new X-Forwarded-For each time: the proxy
    # appends the real address, and only that one counts.
    codes = []
    for n in range(3):
        client = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 198.51.100.20")
        codes.append(client.post(reverse("accounts:password_reset"), {"email": "x@example.com"}).status_code)
    assert codes == [302, 302, 429]
    other = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.21")
    assert other.post(reverse("accounts:password_reset"), {"email": "x@example.com"}).status_code == 302
    # Without a trusted proxy the header is ignored: REMOTE_ADDR is the client.
    settings.TRUSTED_PROXY_COUNT = 0
    codes = [Client(REMOTE_ADDR="198.51.100.30", HTTP_X_FORWARDED_FOR=f"9.9.9.{n}").post(
        reverse("accounts:password_reset"), {"email": "x@example.com"}).status_code for n in range(3)]
    assert codes == [302, 302, 429]


# --- tickets: web and API share one limit per user ----------------------------------


def _form(subject):
    return {"kind": "question", "subject": subject, "body": "How do I export orders?", "customer_urgency": "normal"}


def test_filing_tickets_is_limited_per_user_across_web_and_api(customer_a, client_for, settings):
    _limit(settings, ticket_create="4/h")
    web = client_for(customer_a)
    assert all(web.post(reverse("tickets:new"), _form(f"Web {n}")).status_code == 302 for n in range(2))
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=customer_a, name='t')[1]}",
                    HTTP_ACCEPT_LANGUAGE="pl")
    assert all(api.post("/api/tickets/", _form(f"API {n}"), format="json").status_code == 201 for n in range(2))
    refused = api.post("/api/tickets/", _form("API 3"), format="json")
    _retry_after(refused)
    body = refused.json()
    assert body["code"] == "throttled" and body["errors"] == {}
    assert re.search(r"\d+", body["detail"])
    _retry_after(web.post(reverse("tickets:new"), _form("Web 3")))
    assert Ticket.objects.count() == 4


def test_walking_ticket_ids_gets_429(customer_a, client_for, settings):
    _limit(settings, ticket_page="20/10m")
    ticket = services.ticket_create(requester=customer_a, data=_form("Mine"))
    client = client_for(customer_a)
    codes = [client.get(reverse("tickets:detail", args=[number])).status_code
             for number in range(ticket.number - 30, ticket.number)]
    assert codes[:20] == [404] * 20 and set(codes[20:]) == {429}
    _retry_after(client.get(reverse("tickets:detail", args=[ticket.number])))


def test_attachment_downloads_are_limited(customer_a, client_for, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..conftest import it_png

    _limit(settings, attachment="3/10m")
    ticket = services.ticket_create(requester=customer_a, data=_form("Shot"),
                                    files=[SimpleUploadedFile("a.png", it_png(), content_type="image/png")])
    url = reverse("tickets:attachment", args=[ticket.number, ticket.attachments.get().pk])
    client = client_for(customer_a)
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_replies_and_callback_requests_are_limited(customer_a, client_for, settings):
    _limit(settings, reply="2/h", callback="1/h")
    ticket = services.ticket_create(requester=customer_a, data=_form("Talk"))
    client = client_for(customer_a)
    url = reverse("tickets:reply", args=[ticket.number])
    assert [client.post(url, {"body": f"more {n}"}).status_code for n in range(3)] == [302, 302, 429]
    assert ticket.messages.count() == 2
    url = reverse("tickets:callback", args=[ticket.number])
    codes = [client.post(url, {"phone": "+48 600 000 000"}).status_code for _ in range(2)]
    assert codes[1] == 429


def test_kb_search_and_suggest_are_limited(from_ip, settings, db):
    _limit(settings, kb_search="3/m", kb_suggest="3/m")
    client = from_ip("192.0.2.99")
    assert [client.get(reverse("kb:search"), {"q": "export"}).status_code for _ in range(4)] == [200] * 3 + [429]
    assert [client.post(reverse("kb:suggest"), {"subject": "export"}).status_code for _ in range(4)][-1] == 429


def test_activation_resend_is_limited_per_ip(from_ip, settings):
    _limit(settings, activation_resend="2/h")
    client = from_ip("192.0.2.120")
    codes = [client.post(reverse("accounts:activation_resend"), {"email": f"x{n}@example.com"}).status_code
             for n in range(3)]
    assert codes[:2] == [200, 200] and codes[2] == 429
