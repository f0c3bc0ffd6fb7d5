import time

from celery import shared_task

from . import health


@shared_task(time_limit=10, soft_time_limit=8, ignore_result=True, expires=60)
def heartbeat(sent_at=None):
    """Beat enqueues this (its send time in the payload, see ``helpdesk.celery``); the
    worker that runs it records when, and how long the task waited."""
    health.record_heartbeat(sent_at if sent_at is not None else time.time())
