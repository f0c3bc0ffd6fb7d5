"""Rule 10: /healthz sees beat by beat's own clock, so a worker backlog is not a dead beat."""

import time

import pytest
import redis
from celery.signals import before_task_publish

from helpdesk import health, tasks


@pytest.fixture
def heartbeat_redis(settings):
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(health.HEARTBEAT_KEY)
    yield client
    client.delete(health.HEARTBEAT_KEY)


def _publish_heartbeat():
    """What Celery does in beat's process when it sends the scheduled heartbeat."""
    body = ((), {}, {})
    before_task_publish.send(sender="helpdesk.tasks.heartbeat", body=body, headers={}, exchange="", routing_key="")
    return body[1]


def test_publishing_the_heartbeat_records_beats_clock_and_puts_it_in_the_payload(heartbeat_redis):
    before = time.time()
    kwargs = _publish_heartbeat()
    assert before <= kwargs["sent_at"] <= time.time()
    assert float(heartbeat_redis.hget(health.HEARTBEAT_KEY, "beat")) == kwargs["sent_at"]


def test_a_worker_backlog_shows_as_queue_delay_not_as_a_dead_beat(heartbeat_redis, db):
    from django.db import connection

    kwargs = _publish_heartbeat()  # beat is alive and sending
    # The worker runs an older heartbeat only now: it waited ten minutes in the queue.
    tasks.heartbeat.run(sent_at=kwargs["sent_at"] - 600)
    report = health.check(connection)
    assert report["beat"] == "ok" and report["beat_seen_seconds_ago"] < 5
    assert report["queue_delay_seconds"] >= 599
    assert report["worker"] == "backlogged" and report["ok"] is False


def test_other_tasks_are_left_alone(heartbeat_redis):
    body = ((), {}, {})
    before_task_publish.send(sender="tickets.tasks.sla_sweep", body=body, headers={}, exchange="", routing_key="")
    assert body[1] == {} and heartbeat_redis.hget(health.HEARTBEAT_KEY, "beat") is None
