import pytest
from django.core import mail
from django.db import transaction

from helpdesk.mail import services
from helpdesk.mail.models import OutboundEmail

pytestmark = pytest.mark.django_db


def _enqueue(**extra):
    return services.email_enqueue(
        to="anna@example.com",
        template="accounts/email/password_reset",
        context={"reset_url": "http://x/reset"},
        **extra,
    )


def test_delivery_sends_once_with_stable_message_id_and_auto_submitted():
    email = _enqueue()
    assert services.email_deliver(email.pk) is True
    assert services.email_deliver(email.pk) is False
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.extra_headers["Message-ID"] == email.message_id
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert sent.alternatives and sent.alternatives[0][1] == "text/html"
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.SENT and email.sent_at


def test_failed_send_is_retried_with_back_off(monkeypatch):
    email = _enqueue()

    def broken(_email):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "_send", broken)
    assert services.email_deliver(email.pk) is False
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.PENDING
    assert email.attempts == 1 and "smtp down" in email.last_error
    assert email.pk not in services.outbox_due_ids(), "back-off: not due again at once"


def test_gives_up_after_max_attempts(monkeypatch):
    email = _enqueue()
    monkeypatch.setattr(services, "_send", lambda e: (_ for _ in ()).throw(OSError("x")))
    OutboundEmail.objects.filter(pk=email.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    services.email_deliver(email.pk)
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.FAILED


def test_header_injection_is_impossible():
    email = services.email_enqueue(
        to="anna@example.com\r\nBcc: victim@example.com",
        template="accounts/email/password_reset",
        context={"reset_url": "x"},
        headers={"X-Ref": "a\r\nBcc: evil@example.com"},
    )
    assert "\n" not in email.to and "\r" not in email.to
    assert "\n" not in email.headers["X-Ref"]


def test_publish_happens_only_after_commit(monkeypatch):
    published = []
    monkeypatch.setattr(services, "_publish", lambda pk: published.append(pk))
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            _enqueue()
            raise RuntimeError("rolled back")
    assert published == [] and not OutboundEmail.objects.exists()


def test_publish_failure_leaves_row_for_the_sweep(monkeypatch, django_capture_on_commit_callbacks):
    from helpdesk.mail import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(tasks.deliver_email, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        email = _enqueue()
    assert email.pk in services.outbox_due_ids()
    tasks.sweep_outbox()
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.SENT


def test_email_is_rendered_in_recipients_language():
    email = _enqueue(language="ru")
    assert "пароль" in email.subject.lower()
