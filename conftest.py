"""Project-wide fixtures: factories and logged-in clients for each audience."""

import uuid

import pytest
from django.test import Client

from helpdesk.accounts.tests.factories import EngineerFactory, OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _attachments_in_tmp(settings, tmp_path):
    """Attachments of a test go to its own folder, never into var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        },
    }
    return tmp_path / "attachments"


@pytest.fixture(autouse=True)
def _default_language_per_test():
    """Each test starts in the default language: a request handled in a test (the
    LocaleMiddleware activates the visitor's language) leaves it active on the thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="Acme Hosting")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name="Globex Shop")


@pytest.fixture
def customer_a(org_a):
    return UserFactory(organisation=org_a, email="anna@acme.example", full_name="Anna Kowalska")


@pytest.fixture
def customer_a2(org_a):
    return UserFactory(organisation=org_a, email="jan@acme.example", full_name="Jan Nowak")


@pytest.fixture
def customer_b(org_b):
    return UserFactory(organisation=org_b, email="ivan@globex.example", full_name="Ivan Petrov")


@pytest.fixture
def engineer(db):
    return EngineerFactory(email="olga@helpdesk.example", full_name="Olga Engineer", support_level="L1")


@pytest.fixture
def engineer_l2(db):
    return EngineerFactory(email="piotr@helpdesk.example", full_name="Piotr Engineer", support_level="L2")


@pytest.fixture
def admin_user(db):
    return EngineerFactory(
        email="admin@helpdesk.example", full_name="Admin", support_level="L3", is_staff=True, is_superuser=True
    )


def _client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def client_for():
    return _client_for


@pytest.fixture(autouse=True)
def _rate_limits_of_this_test_only(settings):
    """Limits stay on in tests (settings_test keeps them), but counters live in Redis,
    which outlives a test: each test counts under its own key prefix. A test lowers a
    limit with ``settings.RATELIMITS = {**settings.RATELIMITS, "signup": "2/h"}``."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"
