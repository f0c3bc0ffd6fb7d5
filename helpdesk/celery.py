"""The one Celery app. Configured from Django settings (namespace CELERY)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

from django.conf import settings  # noqa: E402

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.imports = ("helpdesk.tasks",)

# One beat schedule, in code. Each entry says why and how often.
app.conf.beat_schedule = {
    # /healthz reports whether beat and a worker were seen recently; beat enqueues this
    # every 30 s and the worker that runs it records both times.
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
    "privacy-exports": {"task": "privacy.tasks.sweep_exports", "schedule": 300.0},
    "billing-daily": {"task": "billing.tasks.billing_daily", "schedule": 3600.0},
}
