"""SLA warnings and breaches end to end: a real Celery beat sends ``tickets.tasks.sla_sweep``
every second (SLA_SWEEP_SECONDS=1) and a real worker runs it against the test database.

Time is controlled through the data, not the clock: the ticket's first-response target is
set to warn 2 s and breach 8 s from now. The test then checks that the warning comes
first, that the breach escalates L1 → L2, that each is recorded exactly once (even after
several more sweeps) and that exactly one warning and one breach email go out.
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from helpdesk.accounts.models import Organisation, User
from helpdesk.accounts.tests.factories import OrganisationFactory, UserFactory
from helpdesk.mail.models import OutboundEmail
from sla.tests.factories import CalendarFactory, TariffFactory
from tickets import services
from tickets.models import Event, SlaTarget, Ticket

from ..conftest import it_database_url, it_wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SWEEP_DONE = re.compile(r"Task tickets\.tasks\.sla_sweep\[[^\]]+\] succeeded")


def _read(path):
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def _stop_group(proc):
    """SIGTERM the process group, then SIGKILL whatever is left of it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture
def beat(transactional_db, it_worker, it_broker, tmp_path):
    """``celery -A helpdesk beat`` with SLA_SWEEP_SECONDS=1, publishing to the worker's
    Redis database. Function-scoped and depending on ``transactional_db``, so it stops
    before the test's tables are flushed. Returns once beat has sent its first sweep."""
    from django.db import connection

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"{it_database_url(connection.settings_dict)}?application_name=hd-it-beat",
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": it_broker,
        "CELERY_BROKER_URL": it_broker,
        "EMAIL_URL": "consolemail://",
        "SLA_SWEEP_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    celery = Path(sys.executable).with_name("celery")
    log_path = tmp_path / "beat.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(celery), "-A", "helpdesk", "beat", "--schedule", str(tmp_path / "beat-schedule"),
             "--loglevel", "INFO", "--max-interval", "1"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 20
        while "Sending due task sla-sweep" not in _read(log_path):
            if proc.poll() is not None:
                pytest.fail(f"celery beat exited with {proc.returncode}:\n{_read(log_path)[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"celery beat sent no sla-sweep within 20 s:\n{_read(log_path)[-3000:]}")
            time.sleep(0.1)
        proc.log = log_path
        yield proc
    finally:
        _stop_group(proc)


@pytest.fixture
def smtp_messages(it_smtp):
    it_smtp.recorder.clear()
    yield it_smtp.recorder
    it_smtp.recorder.clear()


def _sweeps_done(worker):
    return len(SWEEP_DONE.findall(_read(worker.log)))


def _events(ticket, kind):
    return Event.objects.filter(ticket=ticket, kind=kind).count()


def _file_ticket(customer, subject):
    return services.ticket_create(
        requester=customer, data={"kind": "error", "subject": subject, "body": "Export fails."}
    )


def test_beat_and_worker_warn_then_breach_exactly_once(it_worker, beat, smtp_messages):
    calendar = CalendarFactory(name=f"24x7 {uuid.uuid4().hex[:6]}", always_open=True)
    TariffFactory(code="basic", is_default=True, calendar=calendar, first_response_minutes=60,
                  commitment_minutes=120, resolution_minutes=None, warn_at_percent=75)
    org = OrganisationFactory(name=f"SLA Org {uuid.uuid4().hex[:6]}", kind=Organisation.Kind.CLIENT)
    customer = UserFactory(organisation=org, email=f"sla.{uuid.uuid4().hex[:6]}@customer.example",
                           role=User.Role.CUSTOMER)
    ticket = _file_ticket(customer, "Export is broken")
    control = _file_ticket(customer, "Nothing due here")
    assert ticket.level == "L1"
    assert set(ticket.sla_targets.values_list("kind", flat=True)) == {"first_response", "commitment"}

    # Control the time: only the first response runs, warning in 2 s, breach in 8 s.
    now = timezone.now()
    SlaTarget.objects.filter(ticket=ticket).exclude(kind="first_response").update(met_at=now)
    SlaTarget.objects.filter(ticket=ticket, kind="first_response").update(
        warn_at=now + timedelta(seconds=2), due_at=now + timedelta(seconds=8)
    )
    Ticket.objects.filter(pk=ticket.pk).update(next_due_at=now + timedelta(seconds=8))
    target = SlaTarget.objects.get(ticket=ticket, kind="first_response")

    def refreshed():
        target.refresh_from_db()
        return target

    warned = it_wait_until(lambda: refreshed().warned_at, 15, message="the SLA warning")
    assert target.breached_at is None, "the breach was recorded before (or instead of) the warning"
    assert now + timedelta(seconds=2) <= warned < target.due_at
    assert _events(ticket, Event.Kind.SLA_WARNING) == 1

    breached = it_wait_until(lambda: refreshed().breached_at, 15, message="the SLA breach")
    assert breached >= target.due_at and target.warned_at == warned
    ticket.refresh_from_db()
    assert ticket.level == "L2"
    escalation = Event.objects.get(ticket=ticket, kind=Event.Kind.ESCALATED)
    assert (escalation.old_value, escalation.new_value) == ("L1", "L2")

    def counts():
        return {k: _events(ticket, k) for k in (Event.Kind.SLA_WARNING, Event.Kind.SLA_BREACH, Event.Kind.ESCALATED)}

    assert counts() == {"sla_warning": 1, "sla_breach": 1, "escalated": 1}

    # Several more beat cycles (checked in the worker's log): still exactly once each.
    sweeps = _sweeps_done(it_worker)
    time.sleep(4)
    assert _sweeps_done(it_worker) >= sweeps + 2, "beat/worker stopped sweeping"
    assert counts() == {"sla_warning": 1, "sla_breach": 1, "escalated": 1}
    target.refresh_from_db()
    assert (target.warned_at, target.breached_at) == (warned, breached)
    ticket.refresh_from_db()
    assert ticket.level == "L2"
    assert not Event.objects.filter(ticket=control).exclude(kind=Event.Kind.CREATED).exists()
    assert not SlaTarget.objects.filter(ticket=control).exclude(warned_at=None, breached_at=None).exists()

    # The outbox: exactly one warning and one breach email, both delivered once.
    sla_mail = OutboundEmail.objects.filter(topic=f"ticket:{ticket.number}", subject__contains="SLA")
    subjects = sorted(sla_mail.values_list("subject", flat=True))
    assert len(subjects) == 2, subjects
    assert "SLA deadline missed" in subjects[0] and "SLA deadline near" in subjects[1], subjects
    assert all(ticket.reference in s for s in subjects)
    it_wait_until(lambda: sla_mail.filter(state=OutboundEmail.State.SENT).count() == 2, 15,
                  message="the SLA emails to be sent")
    delivered = sorted(m["message"]["Subject"] for m in smtp_messages.snapshot() if "SLA" in m["message"]["Subject"])
    assert delivered == subjects
    assert not OutboundEmail.objects.filter(topic=f"ticket:{control.number}", subject__contains="SLA").exists()
