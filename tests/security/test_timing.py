"""Enumeration by timing: whether an address is registered must not show in how long
sign-up or a password reset takes. With the real password hasher (the test settings'
MD5 would hide the very cost that differed: hashing only on the new-address path)."""

import statistics
import time
import uuid

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.test import Client
from django.urls import reverse

from helpdesk.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TRIES = 25
MAX_DIFFERENCE = 0.2


class PBKDF2ForTests(PBKDF2PasswordHasher):
    """The production hasher with a tenth of its rounds: hashing still dominates a
    sign-up (~100 ms here), so a path that skips it shows, and 40 sign-ups stay quick."""

    iterations = PBKDF2PasswordHasher.iterations // 10


@pytest.fixture(autouse=True)
def _real_hasher_and_no_limits(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.PBKDF2ForTests"]
    settings.RATELIMITS = {**settings.RATELIMITS, "signup": "10000/h", "password_reset": "10000/h"}
    make_password("warm up")


def _timed(post):
    start = time.perf_counter()
    response = post()
    elapsed = time.perf_counter() - start
    assert response.status_code == 302, response.status_code
    return elapsed


def _assert_same_cost(known, new):
    """Compared pair by pair (each pair ran back to back, so a burst of load on the
    machine hits both of a pair alike), the first pair left out (it warms caches)."""
    ratio = statistics.median(n / k for k, n in zip(known[1:], new[1:]))
    a, b = statistics.median(known[1:]), statistics.median(new[1:])
    assert abs(ratio - 1) <= MAX_DIFFERENCE, (
        f"registered {a * 1000:.1f} ms vs new {b * 1000:.1f} ms (paired ratio {ratio:.2f})")


def test_signup_costs_the_same_for_a_registered_and_a_new_address():
    registered = UserFactory(email="taken@example.com", password="md5$not$checked")
    client = Client()

    def signup(email):
        return lambda: client.post(reverse("accounts:signup"), {
            "full_name": "Probe", "email": email, "password": "correct horse battery",
            "organisation": "Probe Ltd", "consent": "on"})

    known, new = [], []
    for _ in range(TRIES):  # interleaved, so load on the machine hits both alike
        known.append(_timed(signup(registered.email)))
        new.append(_timed(signup(f"new.{uuid.uuid4().hex[:8]}@example.com")))
    _assert_same_cost(known, new)


def test_password_reset_costs_the_same_for_a_registered_and_an_unknown_address():
    users = [UserFactory(email=f"user{n}@example.com", password="md5$not$checked")
             for n in range(TRIES)]
    client = Client()

    def reset(email):
        return lambda: client.post(reverse("accounts:password_reset"), {"email": email})

    known, new = [], []
    for user in users:
        known.append(_timed(reset(user.email)))
        new.append(_timed(reset(f"nobody.{uuid.uuid4().hex[:8]}@example.com")))
    _assert_same_cost(known, new)
