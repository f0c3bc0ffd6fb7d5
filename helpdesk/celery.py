"""The one Celery app. Configured from Django settings (namespace CELERY)."""

import os
import time

from celery import Celery
from celery.schedules import crontab
from celery.signals import before_task_publish

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

from django.conf import settings  # noqa: E402

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.imports = ("helpdesk.tasks",)

HEARTBEAT_TASK = "helpdesk.tasks.heartbeat"


@before_task_publish.connect
def stamp_heartbeat(sender=None, body=None, **_kwargs):
    """As the heartbeat is published (by beat), put the sender's clock in its payload and
    record it as beat's heartbeat: /healthz then sees beat by beat's own clock, even while
    the worker is busy with a backlog."""
    if sender != HEARTBEAT_TASK or body is None:
        return
    kwargs = body[1] if isinstance(body, (tuple, list)) else body.setdefault("kwargs", {})
    kwargs.setdefault("sent_at", time.time())
    from . import health

    try:
        health.record_beat(kwargs["sent_at"])
    except Exception:  # noqa: BLE001 - Redis down: the publish fails anyway; /healthz says redis
        pass


# One beat schedule, in code. Each entry says why and how often.
app.conf.beat_schedule = {
    # /healthz reports whether beat and a worker were seen recently; beat enqueues this
    # every 30 s, stamping its own send time (stamp_heartbeat), and the worker that runs
    # it records when it ran and the queue delay.
    "heartbeat": {"task": "helpdesk.tasks.heartbeat", "schedule": 30.0},
    # Emails whose publish failed (Redis down), whose send failed (back-off) or whose
    # worker died mid-send; every 30 s keeps the delay after an outage short.
    "sweep-outbox": {"task": "helpdesk.mail.tasks.sweep_outbox", "schedule": 30.0},
    # SLA warnings and breaches. Deadlines live in the database (indexed due times), so a
    # sweep every minute costs only the due rows; SLA_SWEEP_SECONDS shortens it in tests.
    "sla-sweep": {"task": "tickets.tasks.sla_sweep", "schedule": settings.SLA_SWEEP_SECONDS},
    # Inbound email: fetch the support mailboxes (IMAP/POP3) and turn messages into
    # tickets and replies. Every minute by default (INBOUND_POLL_SECONDS): customers
    # expect an answer within business hours, and an idle poll is one login per mailbox.
    "poll-mailboxes": {"task": "inbound.tasks.poll_mailboxes", "schedule": settings.INBOUND_POLL_SECONDS},
    # Selling support: invoices whose task was lost, points of new periods, expiries and
    # renewal reminders are all about days, so hourly is prompt enough; each step is
    # idempotent (unique rows), so a rerun or two beats change nothing.
    # Personal-data exports whose task was lost (Redis down): every 5 minutes is prompt
    # enough for a copy promised by email.
    # Incident updates whose delivery task was lost (Redis down): every minute, since the
    # customers of an outage are waiting for that news; delivery is idempotent.
    "incident-updates": {"task": "incidents.tasks.sweep_incident_updates", "schedule": 60.0},
    "privacy-exports": {"task": "privacy.tasks.sweep_exports", "schedule": 300.0},
    "billing-daily": {"task": "billing.tasks.billing_daily", "schedule": 3600.0},
    # The reports' daily roll-up: the days whose tickets changed since the last run
    # (found through the event log). Every 5 minutes (REPORTS_ROLLUP_SECONDS) keeps the
    # days the page must aggregate live to a handful; a late run costs speed, not accuracy.
    "reports-rollup": {"task": "workspace.tasks.reports_rollup", "schedule": settings.REPORTS_ROLLUP_SECONDS},
    # Once a day, everything again: the one change that writes no event (an admin
    # recomputing deadlines with the current tariff) reaches the old days by the morning.
    "reports-rollup-nightly": {"task": "workspace.tasks.reports_rollup", "schedule": crontab(hour=3, minute=17),
                               "kwargs": {"full": True}},
}
