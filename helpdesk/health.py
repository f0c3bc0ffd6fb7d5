"""What /healthz reports. Beat and the worker are seen through the heartbeat task, each by
its own clock: the publisher (beat) records the send time when it sends the task
(``record_beat``, from Celery's ``before_task_publish`` in ``helpdesk.celery``) and the
payload carries it; the worker records when it ran it and how long the task waited. So a
worker backlog shows as queue delay, never as a dead beat."""

import time

import redis
from django.conf import settings

HEARTBEAT_KEY = "helpdesk:heartbeat"
# Beat sends the heartbeat every 30 s; allow a few missed beats before alarming.
STALE_AFTER_SECONDS = 120


def _redis():
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def record_beat(sent_at):
    """Called in the publishing process (beat) as it sends the heartbeat: beat's own clock."""
    _redis().hset(HEARTBEAT_KEY, mapping={"beat": sent_at})


def record_heartbeat(sent_at):
    """Called by the worker running the heartbeat that was sent at ``sent_at``: when the
    worker ran it, and how long it waited in the queue."""
    now = time.time()
    _redis().hset(HEARTBEAT_KEY, mapping={"worker": now, "queue_delay": max(0.0, now - sent_at)})


def check(connection):
    report = {"ok": True, "database": "ok", "redis": "ok", "worker": "ok", "beat": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        report["database"] = f"error: {exc.__class__.__name__}"
    try:
        beats = _redis().hgetall(HEARTBEAT_KEY)
    except Exception as exc:  # noqa: BLE001
        report["redis"] = f"error: {exc.__class__.__name__}"
        beats = None
    now = time.time()
    if beats is not None:
        # A worker answering a ping is alive even if beat is not sending heartbeats.
        try:
            from .celery import app

            if app.control.ping(timeout=1.0):
                beats[b"worker"] = str(now).encode()
        except Exception:  # noqa: BLE001 - no answer means not seen
            pass
    for role in ("worker", "beat"):
        if beats is None:
            report[role] = "unknown"
            continue
        seen = beats.get(role.encode())
        age = now - float(seen) if seen else None
        report[f"{role}_seen_seconds_ago"] = round(age, 1) if age is not None else None
        if age is None or age > STALE_AFTER_SECONDS:
            report[role] = "not seen recently"
    if beats is not None:
        delay = beats.get(b"queue_delay")
        report["queue_delay_seconds"] = round(float(delay), 1) if delay else None
        if delay and float(delay) > STALE_AFTER_SECONDS:
            report["worker"] = "backlogged"
    report["ok"] = all(report[k] == "ok" for k in ("database", "redis", "worker", "beat"))
    return report
