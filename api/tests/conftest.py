"""API test fixtures: clients that call with a Bearer token, as integrations do."""

import uuid

import pytest
from rest_framework.test import APIClient

from api.services import api_token_create

_RUN = uuid.uuid4().hex[:12]


@pytest.fixture(autouse=True)
def _throttle_counters_of_this_run_only(settings):
    """Throttle counters live in Redis, which outlives the test database (token ids are
    reused by the next run): give this run its own key prefix."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"apitest-{_RUN}"},
    }


@pytest.fixture
def token_for(db):
    """user → the raw secret of a fresh token of theirs."""

    def make(user, name="tests"):
        return api_token_create(user=user, name=name)[1]

    return make


@pytest.fixture
def api_for(token_for):
    """user (or None) → an APIClient authenticated with a Bearer token of that user."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return client

    return make
