"""The outbox's delivery guarantee, without a worker: one SMTP transaction per row at a
time (a live sender holds an advisory lock), an abandoned row is taken over at once,
and the one unavoidable duplicate carries the same Message-ID."""

import psycopg2
import pytest
from django.core import mail
from django.db import connection

from helpdesk.mail import services
from helpdesk.mail.models import OutboundEmail

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs in the worker."""


def _enqueue():
    return services.email_enqueue(
        to="anna@example.com", template="accounts/email/password_reset", context={"reset_url": "http://x/reset"}
    )


def _other_session():
    params = connection.get_connection_params()
    return psycopg2.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")})


def _wait_until_lock_released(email_id, timeout=5.0):
    """The server ends a closed session's backend (and drops its locks) a moment later."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s", [email_id])
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.05)
    raise AssertionError("the dead session's lock was never released")


def test_a_row_another_live_worker_is_sending_is_left_alone():
    email = _enqueue()
    other = _other_session()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [services.LOCK_NAMESPACE, email.pk])
        assert services.email_deliver(email.pk) is False
        assert mail.outbox == []
    finally:
        other.close()  # the "worker" dies: its lock goes with its session
    _wait_until_lock_released(email.pk)
    assert services.email_deliver(email.pk) is True
    assert len(mail.outbox) == 1


def test_an_abandoned_row_is_due_at_once_and_sent_again_with_the_same_message_id(monkeypatch):
    email = _enqueue()
    real_send = services._send

    def dies_after_the_server_accepted(row):
        real_send(row)
        raise Killed

    monkeypatch.setattr(services, "_send", dies_after_the_server_accepted)
    with pytest.raises(Killed):
        services.email_deliver(email.pk)
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.SENDING
    assert email.pk in services.outbox_due_ids(), "no lease to wait for: the sweep takes it now"

    monkeypatch.setattr(services, "_send", real_send)
    assert services.email_deliver(email.pk) is True
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (OutboundEmail.State.SENT, 2, "")
    # The window between the server's 250 and our commit: two copies, one Message-ID.
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [email.message_id] * 2


def test_a_killed_send_before_acceptance_is_sent_once(monkeypatch):
    email = _enqueue()

    def dies_mid_data(row):
        raise Killed

    monkeypatch.setattr(services, "_send", dies_mid_data)
    with pytest.raises(Killed):
        services.email_deliver(email.pk)
    monkeypatch.undo()
    assert services.email_deliver(email.pk) is True
    assert services.email_deliver(email.pk) is False
    assert len(mail.outbox) == 1
