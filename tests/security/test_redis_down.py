"""Redis down must not take the site down. With a redis-server of the test's own first
stopped (connections refused) and then paused with SIGSTOP (connections accepted,
nothing answered: the worst case), every kind of request answers, within ~2 s: pages,
filing a ticket (its email waits in the outbox for the sweep), API calls (their
throttle fails open) and /kb/suggest/ (its rate limit fails open)."""

import os
import shutil
import time

import pytest
from django.test import Client
from django.urls import reverse

from api.services import api_token_create
from helpdesk.accounts.models import Organisation, User
from helpdesk.mail.models import OutboundEmail
from tickets import services as ticket_services
from tickets.models import Ticket

from ..conftest import ItRedisServer, it_switch_producer_broker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BUDGET_SECONDS = 2.0


@pytest.fixture
def redis_server():
    server = ItRedisServer()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.dir, ignore_errors=True)


@pytest.fixture
def site_on_our_redis(redis_server, settings):
    """The cache, the rate limits, the throttles and Celery publishing all use our server."""
    from helpdesk.celery import app

    previous = os.environ.get("CELERY_BROKER_URL")
    it_switch_producer_broker(app, redis_server.url)
    settings.REDIS_URL = redis_server.url
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": redis_server.url}}
    yield redis_server
    it_switch_producer_broker(app, previous)


@pytest.fixture
def customer(transactional_db):
    org = Organisation.objects.create(name="Redis Down Ltd")
    return User.objects.create_user(email="rd@example.com", password="redis-down-123", full_name="R D",
                                    organisation=org, role=User.Role.CUSTOMER)


def _requests(customer):
    """(name, callable returning a response) for one of each kind of request."""
    web = Client()
    web.force_login(customer)
    token = api_token_create(user=customer, name="rd")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    anonymous = Client()
    engineer = User.objects.create_user(email="eng.rd@example.com", password="redis-down-123", full_name="E",
                                        role=User.Role.ENGINEER, support_level="L1")
    desk = Client()
    desk.force_login(engineer)
    ticket = ticket_services.ticket_create(requester=customer, data={"kind": "question", "subject": "Q", "body": "?"})
    counter = iter(range(10**6))
    form = {"kind": "question", "body": "How do I export orders?", "customer_urgency": "normal"}
    return [
        # First, and not rate-limited: its email's publish is the first call to meet Redis.
        ("engineer reply", lambda: desk.post(reverse("workspace:work_reply", args=[ticket.number]),
                                             {"body": f"Looking {next(counter)}"})),
        ("login page", lambda: anonymous.get(reverse("accounts:login"))),
        ("ticket list", lambda: web.get(reverse("tickets:list"))),
        ("kb home", lambda: anonymous.get(reverse("kb:home"))),
        ("kb suggest", lambda: anonymous.post(reverse("kb:suggest"), {"subject": "export orders"})),
        ("file a ticket", lambda: web.post(reverse("tickets:new"), {**form, "subject": f"Web {next(counter)}"})),
        ("api me", lambda: api.get("/api/me/")),
        ("api tickets", lambda: api.get("/api/tickets/")),
        ("api file", lambda: api.post("/api/tickets/", {**form, "subject": f"API {next(counter)}"},
                                      content_type="application/json")),
    ]


def _assert_all_answer_quickly(requests, phase):
    slow, failed = [], []
    for name, call in requests:
        start = time.monotonic()
        response = call()
        elapsed = time.monotonic() - start
        if elapsed > BUDGET_SECONDS:
            slow.append(f"{name}: {elapsed:.1f} s")
        if response.status_code >= 500 or response.status_code == 429:
            failed.append(f"{name}: {response.status_code}")
    assert not slow and not failed, f"Redis {phase}: slow {slow}, failed {failed}"


def test_the_site_answers_quickly_with_redis_stopped_and_with_redis_paused(site_on_our_redis, customer, settings):
    from django.core.cache import cache

    settings.REDIS_DOWN_RETRY_SECONDS = 1.0
    requests = _requests(customer)
    _assert_all_answer_quickly(requests, "up")  # and the connections are made

    site_on_our_redis.stop()
    _assert_all_answer_quickly(requests, "stopped")

    site_on_our_redis.start()
    time.sleep(settings.REDIS_DOWN_RETRY_SECONDS + 0.2)  # the breaker lets Redis be tried again
    cache.set("redis-down-probe", "back")
    assert cache.get("redis-down-probe") == "back", "the site uses Redis again once it is back"
    _assert_all_answer_quickly(requests, "back")
    site_on_our_redis.pause()
    try:
        _assert_all_answer_quickly(requests, "paused")
    finally:
        site_on_our_redis.resume()

    tickets = Ticket.objects.filter(requester=customer).count()
    assert tickets == 1 + 8, "two tickets filed (web and API) in each of the four phases"
    # Filed while Redis was away: the confirmations wait in the outbox for the sweep.
    assert OutboundEmail.objects.filter(to=customer.email).count() == tickets + 4, "and the 4 replies"
