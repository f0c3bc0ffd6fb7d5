"""Double submit: the same ticket form posted twice at once files one ticket and sends
one email, and the repeat sees the first one's success page; an API client's
`Idempotency-Key` does the same. End to end: two concurrent requests (threads, each on
its own database connection), PostgreSQL, a real Celery worker and an SMTP listener."""

import re
import threading
import time
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from api.services import api_token_create
from helpdesk.accounts.models import Organisation, User
from helpdesk.mail.models import OutboundEmail
from tickets.models import Ticket

from ..conftest import it_wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customer(transactional_db):
    org = Organisation.objects.create(name=f"Double {uuid.uuid4().hex[:6]}")
    return User.objects.create_user(email=f"dbl.{uuid.uuid4().hex[:6]}@example.com", password="double-pass-123",
                                    full_name="D S", organisation=org, role=User.Role.CUSTOMER)


@pytest.fixture
def sink(it_worker, it_smtp):
    it_smtp.recorder.clear()
    yield it_smtp.recorder
    it_smtp.recorder.clear()


def _at_once(calls, spread=0.1):
    """Run the calls in threads started within ``spread`` seconds; their results."""
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i):
        try:
            barrier.wait()
            time.sleep(i * spread / max(1, len(calls) - 1))
            results[i] = calls[i]()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def _sent_to(sink, address, expected):
    it_wait_until(lambda: len([m for m in sink.snapshot() if address in m["rcpt_tos"]]) >= expected, 20,
                  message=f"{expected} email(s) to {address}")
    time.sleep(1.5)  # and no more arrive
    return [m for m in sink.snapshot() if address in m["rcpt_tos"]]


def test_the_same_form_posted_twice_within_a_tenth_of_a_second_files_one_ticket(customer, sink):
    browser = Client()
    browser.force_login(customer)
    page = browser.get(reverse("tickets:new")).content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', page).group(1)
    form = {"kind": "question", "subject": "Export fails", "body": "Orders export gives an empty file.",
            "customer_urgency": "normal", "submission_key": key}

    def post():
        client = Client()
        client.cookies = browser.cookies
        return client.post(reverse("tickets:new"), form)

    first, second = _at_once([post, post])
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"], "the repeat lands on the first one's success page"
    assert Ticket.objects.filter(requester=customer).count() == 1
    ticket = Ticket.objects.get(requester=customer)
    assert first["Location"] == reverse("tickets:created", args=[ticket.number])
    assert OutboundEmail.objects.filter(to=customer.email).count() == 1
    assert len(_sent_to(sink, customer.email, 1)) == 1

    # Later (back button, resubmit): still the same ticket, still no second email.
    third = post()
    assert third["Location"] == first["Location"]
    assert Ticket.objects.filter(requester=customer).count() == 1

    # A fresh rendering of the form is a new submission.
    fresh = re.search(r'name="submission_key" value="([0-9a-f]{32})"',
                      browser.get(reverse("tickets:new")).content.decode()).group(1)
    assert fresh != key
    browser.post(reverse("tickets:new"), {**form, "submission_key": fresh})
    assert Ticket.objects.filter(requester=customer).count() == 2


def test_api_idempotency_key_files_one_ticket_and_answers_the_same(customer, sink):
    token = api_token_create(user=customer, name="dbl")[1]
    body = {"kind": "question", "subject": "From our CRM", "body": "Sync stopped.", "customer_urgency": "normal"}

    def post(key):
        def call():
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=key)
            return client.post("/api/tickets/", body, format="json")
        return call

    first, second = _at_once([post("crm-4711"), post("crm-4711")])
    assert first.status_code == second.status_code == 201
    assert first.json()["number"] == second.json()["number"]
    assert first["Location"] == second["Location"]
    assert Ticket.objects.filter(requester=customer).count() == 1
    assert len(_sent_to(sink, customer.email, 1)) == 1

    other_user = User.objects.create_user(email=f"other.{uuid.uuid4().hex[:6]}@example.com", password="x-pass-1234",
                                          full_name="O", organisation=customer.organisation,
                                          role=User.Role.CUSTOMER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=other_user, name='o')[1]}",
                       HTTP_IDEMPOTENCY_KEY="crm-4711")
    assert client.post("/api/tickets/", body, format="json").json()["number"] != first.json()["number"], \
        "keys are per user"
    assert post("crm-4712")().json()["number"] != first.json()["number"]
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY="x" * 201)
    refused = bad.post("/api/tickets/", body, format="json")
    assert refused.status_code == 400 and "Idempotency-Key" in refused.json()["errors"]
