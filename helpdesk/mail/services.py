"""Queue and deliver outgoing email through the outbox."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboundEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A row stuck in "sending" longer than this belongs to a worker that died mid-send.
SENDING_LEASE = timedelta(minutes=5)


def _clean_header(value):
    """Header injection is impossible: no CR/LF survives into a header value."""
    return " ".join(str(value).replace("\r", " ").replace("\n", " ").split())


def email_enqueue(*, to, template, context, language=None, topic="", headers=None):
    """Render ``<template>_subject.txt``, ``.txt`` and ``.html`` in the recipient's language
    and store the email in the outbox; delivery is enqueued after the transaction commits.
    """
    lang = language or settings.LANGUAGE_CODE
    ctx = {"site_url": settings.SITE_URL, **context}
    with translation.override(lang):
        subject = _clean_header(render_to_string(f"{template}_subject.txt", ctx))
        text = render_to_string(f"{template}.txt", ctx)
        html = render_to_string(f"{template}.html", ctx)
    email = OutboundEmail.objects.create(
        to=_clean_header(to),
        subject=subject[:300],
        body_text=text,
        body_html=html,
        topic=topic,
        headers={k: _clean_header(v) for k, v in (headers or {}).items()},
    )
    transaction.on_commit(lambda: _publish(email.pk))
    return email


def _publish(email_id):
    """Hand the row to a worker. If Redis is down the row stays pending for the sweep."""
    from .tasks import deliver_email

    try:
        deliver_email.apply_async((email_id,), retry=False)
    except Exception:  # noqa: BLE001 - any broker failure; the beat sweep retries
        log.warning("could not publish outbox email %s; the sweep will send it", email_id)


def email_deliver(email_id):
    """Send one outbox row exactly once.

    The row is claimed under a row lock (pending → sending); a second worker running the
    same id finds it claimed or sent and does nothing. A row left in "sending" by a dead
    worker is retried after SENDING_LEASE with the same Message-ID, so the receiving
    server can recognise a duplicate.
    """
    now = timezone.now()
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update(skip_locked=True).filter(pk=email_id).first()
        if email is None or email.state in (OutboundEmail.State.SENT, OutboundEmail.State.FAILED):
            return False
        if email.state == OutboundEmail.State.SENDING and email.next_attempt_at > now:
            return False
        email.state = OutboundEmail.State.SENDING
        email.attempts += 1
        email.next_attempt_at = now + SENDING_LEASE
        email.save(update_fields=["state", "attempts", "next_attempt_at"])
    try:
        _send(email)
    except Exception as exc:  # noqa: BLE001 - SMTP can fail in many ways; all are retried
        delay = timedelta(seconds=min(3600, 30 * 2 ** (email.attempts - 1)))
        state = OutboundEmail.State.FAILED if email.attempts >= MAX_ATTEMPTS else OutboundEmail.State.PENDING
        OutboundEmail.objects.filter(pk=email.pk).update(
            state=state, last_error=repr(exc)[:2000], next_attempt_at=timezone.now() + delay
        )
        log.warning("sending outbox email %s failed (attempt %s): %r", email.pk, email.attempts, exc)
        return False
    OutboundEmail.objects.filter(pk=email.pk).update(
        state=OutboundEmail.State.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def _send(email):
    headers = {
        "Message-ID": email.message_id,
        # Every message we send is automatic: mail clients and servers must not auto-reply.
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        **email.headers,
    }
    msg = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers=headers,
        connection=get_connection(),
    )
    if email.body_html:
        msg.attach_alternative(email.body_html, "text/html")
    msg.send(fail_silently=False)


def outbox_due_ids(limit=500):
    """Rows whose delivery is due (never published, failed with back-off, or abandoned)."""
    return list(
        OutboundEmail.objects.filter(
            state__in=[OutboundEmail.State.PENDING, OutboundEmail.State.SENDING],
            next_attempt_at__lte=timezone.now(),
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
