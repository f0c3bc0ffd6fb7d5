"""Schemathesis fuzzes every operation of the live schema, as a customer and as an
admin engineer: no request may cause a 5xx, and every response must match the schema."""

import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ = hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


# Loaded at import: the schema view needs no database. (schemathesis.pytest.from_fixture
# would be lazier but relies on a pytest internal that pytest 9 removed.)
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _in_process_app(db, settings):
    # The WSGI app runs in the test's thread and transaction: keep Django from closing
    # the connection at the end of each request (the test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.RATELIMITS = dict.fromkeys(settings.RATELIMITS)  # no limits: the fuzz must reach the views
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _aim(case, world):
    """Point two of three generated path parameters at objects that exist, so the fuzzing
    reaches past the 404s into the views; the choice follows the generated value, so
    Hypothesis replays a failing example exactly."""
    real = {
        "number": world.ticket.number,
        "attachment_id": world.public_file.pk,
        "code": world.tariff.code,
        "serial": world.license.serial,
    }
    for name, value in list((case.path_parameters or {}).items()):
        if name in real and zlib.crc32(repr(value).encode()) % 3:
            case.path_parameters[name] = real[name]


@pytest.fixture
def as_customer(customer_a, token_for):
    return {"Authorization": f"Bearer {token_for(customer_a)}"}


@pytest.fixture
def as_admin(admin_user, token_for):
    return {"Authorization": f"Bearer {token_for(admin_user)}"}


@schema.parametrize()
@FUZZ
def test_api_as_customer(case, world, as_customer):
    _aim(case, world)
    case.call_and_validate(headers=as_customer, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_api_as_admin_engineer(case, world, as_admin):
    _aim(case, world)
    case.call_and_validate(headers=as_admin, checks=CHECKS)

