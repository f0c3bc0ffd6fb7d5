"""Rate limits count per token, in the shared cache."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_minute(settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "api": "3/m"}


def test_a_token_over_its_rate_gets_429_with_retry_after(api_for, customer_a, three_a_minute):
    client = api_for(customer_a)
    assert [client.get("/api/me/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/me/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"


def test_each_token_has_its_own_bucket(api_for, customer_a, three_a_minute):
    first, second = api_for(customer_a), api_for(customer_a)
    for _ in range(3):
        first.get("/api/me/")
    assert first.get("/api/me/").status_code == 429
    assert second.get("/api/me/").status_code == 200


def test_schema_is_not_throttled(client, three_a_minute):
    assert all(client.get("/api/schema/").status_code == 200 for _ in range(5))
