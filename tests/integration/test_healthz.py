"""/healthz against real services: 503 naming what is missing, 200 once a worker runs and
beat's heartbeat has been handled.

The order of the tests matters: the module's worker starts when the first test that
needs it runs, so "nothing running" comes first.
"""

import pytest

from ..conftest import HEARTBEAT_KEY, it_redis, it_wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def health_redis(settings, it_broker):
    """/healthz reads the heartbeat from the integration Redis database, emptied first."""
    settings.REDIS_URL = it_broker
    client = it_redis(it_broker)
    client.delete(HEARTBEAT_KEY)
    yield client
    client.delete(HEARTBEAT_KEY)


def test_without_worker_and_beat_healthz_is_503_and_names_them(health_redis, client):
    from helpdesk.celery import app

    assert app.control.ping(timeout=0.5) == [], "a worker is listening on the integration Redis database"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert "no-store" in response["Cache-Control"]
    report = response.json()
    assert report["ok"] is False
    assert report["database"] == "ok"
    assert report["redis"] == "ok"
    assert report["worker"] == "not seen recently"
    assert report["beat"] == "not seen recently"
    assert report["worker_seen_seconds_ago"] is None
    assert report["beat_seen_seconds_ago"] is None


def test_with_worker_and_heartbeat_healthz_is_200(it_worker, health_redis, client):
    from helpdesk.tasks import heartbeat

    heartbeat.delay()  # what beat sends every 30 s
    it_wait_until(lambda: health_redis.hget(HEARTBEAT_KEY, "beat"), 15, message="the worker to record the heartbeat")

    response = client.get("/healthz")

    report = response.json()
    assert response.status_code == 200, report
    assert report["ok"] is True
    assert {k: report[k] for k in ("database", "redis", "worker", "beat")} == {
        "database": "ok", "redis": "ok", "worker": "ok", "beat": "ok"
    }
    assert 0 <= report["beat_seen_seconds_ago"] < 15
    assert 0 <= report["worker_seen_seconds_ago"] < 15


def test_worker_alone_without_beat_is_503_for_beat_only(it_worker, health_redis, client):
    """A worker answering pings is "ok" even before any heartbeat; beat is then missing."""
    response = client.get("/healthz")

    report = response.json()
    assert response.status_code == 503, report
    assert report["worker"] == "ok"
    assert report["beat"] == "not seen recently"
    assert report["database"] == report["redis"] == "ok"
