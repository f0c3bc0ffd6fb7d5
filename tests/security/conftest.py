"""Fixtures of the security suite: clients that come from a given IP address."""

import pytest
from django.test import Client


@pytest.fixture
def from_ip():
    """ip → a test client whose requests come from that address (REMOTE_ADDR)."""

    def make(ip, **defaults):
        return Client(REMOTE_ADDR=ip, **defaults)

    return make
