"""Queue and deliver outgoing email through the outbox."""

import contextvars
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from helpdesk.redis_guard import redis_is_down, redis_mark_down

from .models import OutboundEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def _clean_header(value):
    """Header injection is impossible: no CR/LF survives into a header value."""
    return " ".join(str(value).replace("\r", " ").replace("\n", " ").split())


class Kind:
    """What an email is, for the per-recipient caps (``settings.EMAIL_CAPS_PER_HOUR``).

    ``ACCOUNT``: activation, password reset, "someone tried to sign up with your
    address", which anyone can trigger for any address from a public form.
    ``NOTIFICATION``: everything else the system sends (confirmations, replies, status,
    auto-replies to inbound mail).
    """

    ACCOUNT = "account"
    NOTIFICATION = "notification"


# Advisory-lock namespace for counting a recipient's recent emails (see email_allowed).
CAP_LOCK_NAMESPACE = 0x636170  # "cap"


def email_allowed(to, kind=Kind.NOTIFICATION):
    """May one more email of ``kind`` go to ``to`` now? Call inside a transaction.

    The rule: at most ``settings.EMAIL_CAPS_PER_HOUR[kind]`` emails of one kind to one
    address (case-insensitive) in any sliding hour, counted in the outbox, so the cap
    holds across web processes and workers and does not depend on Redis. Addresses in
    ``settings.EMAIL_CAP_EXEMPT`` (our own queue address) are never capped. The count
    and the caller's insert are serialised per address by a transaction-scoped advisory
    lock, so concurrent requests cannot all slip under the cap.

    A refused email is to be dropped (never queued for later) and is logged here.
    ``email_enqueue`` applies the same rule as it inserts (``_insert_capped``); other senders (inbound auto-replies) may ask
    first to skip building an email that would be dropped.
    """
    address = _clean_header(to).lower()
    if address in {a.lower() for a in settings.EMAIL_CAP_EXEMPT}:
        return True
    limit = settings.EMAIL_CAPS_PER_HOUR.get(kind, settings.EMAIL_CAPS_PER_HOUR[Kind.NOTIFICATION])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [CAP_LOCK_NAMESPACE, address])
    recent = OutboundEmail.objects.filter(
        to__iexact=address, kind=kind, created_at__gte=timezone.now() - timedelta(hours=1)
    ).count()
    if recent >= limit:
        if not _in_dry_run.get():
            log.warning("email cap: dropped a %s email to %s (%s in the last hour, limit %s)",
                        kind, address, recent, limit)
        return False
    return True


def _insert_capped(email, kind, *, keep=True):
    """Insert the unsaved row unless the recipient's cap is reached (the rule of
    ``email_allowed``); True if inserted. After the advisory lock (its own statement: a
    statement's snapshot predates a lock it takes), the count and the insert are one
    ``INSERT … SELECT … WHERE count < limit``: one round trip fewer per email."""
    address = email.to.lower()
    if keep and address in {a.lower() for a in settings.EMAIL_CAP_EXEMPT}:
        email.save(force_insert=True)
        return True
    # ``keep=False`` (a dry run): the very same statements with a cap of zero insert nothing.
    limit = settings.EMAIL_CAPS_PER_HOUR.get(kind, settings.EMAIL_CAPS_PER_HOUR[Kind.NOTIFICATION]) if keep else 0
    fields = [f for f in OutboundEmail._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    values = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
    table = quote(OutboundEmail._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) SELECT {values} "
        f"WHERE (SELECT count(*) FROM {table} WHERE UPPER({quote('to')}) = UPPER(%s) AND kind = %s "
        f"AND created_at >= %s) < %s RETURNING id"
    )
    params = [f.get_db_prep_save(f.pre_save(email, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [CAP_LOCK_NAMESPACE, address])
        cursor.execute(sql, [*params, address, kind, timezone.now() - timedelta(hours=1), limit])
        row = cursor.fetchone()
    if row is None:
        if not _in_dry_run.get():
            log.warning("email cap: dropped a %s email to %s (limit %s an hour)", kind, address, limit)
        return False
    email.pk = row[0]
    email._state.adding = False
    return True


def email_enqueue(*, to, template, context, language=None, topic="", headers=None, kind=Kind.NOTIFICATION):
    """Render ``<template>_subject.txt``, ``.txt`` and ``.html`` in the recipient's language
    and store the email in the outbox; delivery is enqueued after the transaction commits.

    Returns the outbox row, or None when the recipient's hourly cap for ``kind`` is
    reached (``email_allowed``): the email is dropped and logged, never queued. It is
    rendered all the same, so a dropped email costs what a stored one does (a reset for
    a capped address must not answer faster than one for a fresh address).
    """
    return _enqueue(to, template, context, language, topic, headers, kind, keep=True)


def email_enqueue_dry_run(**kwargs):
    """Spend what ``email_enqueue(**kwargs)`` spends and keep nothing: the same rendering,
    advisory lock and capped ``INSERT … SELECT`` statement, run with a cap of zero so it
    inserts no row (no savepoint either: both paths send the same statements). For an
    answer that must not be told apart by its timing from one that sends, e.g. a password
    reset for an unknown address."""
    token = _in_dry_run.set(True)  # nothing is dropped for real: nothing to log
    try:
        _enqueue(kwargs.pop("to"), kwargs.pop("template"), kwargs.pop("context"), kwargs.pop("language", None),
                 kwargs.pop("topic", ""), kwargs.pop("headers", None), kwargs.pop("kind", Kind.NOTIFICATION),
                 keep=False, **kwargs)
    finally:
        _in_dry_run.reset(token)


def _enqueue(to, template, context, language, topic, headers, kind, *, keep):
    subject, text, html = email_render(template, context, language)
    email = OutboundEmail(
        to=_clean_header(to),
        subject=subject[:300],
        body_text=text,
        body_html=html,
        topic=topic,
        kind=kind,
        headers={k: _clean_header(v) for k, v in (headers or {}).items()},
    )
    # A transaction for the cap's advisory lock; inside the caller's, no savepoint of its
    # own (two statements fewer): a failure here fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        if not _insert_capped(email, kind, keep=keep):
            return None
    transaction.on_commit(lambda: _publish(email.pk))
    return email


# Context builders for emails the worker renders (email_enqueue_deferred): name → function
# taking the JSON params stored with the row and returning the template context. The app
# that owns the data registers them in its AppConfig.ready(), so this app imports nothing
# above it.
_CONTEXT_BUILDERS = {}


def email_context_builder(name):
    """Decorator: register ``function(**params) -> context`` under ``name``."""

    def register(function):
        _CONTEXT_BUILDERS[name] = function
        return function

    return register


def email_enqueue_deferred(*, to, template, builder, params, language=None, topic="", headers=None,
                           kind=Kind.NOTIFICATION):
    """Queue an email that the worker renders, not the request: the rule of
    ``email_enqueue`` (outbox row in the caller's transaction, per-recipient cap, publish
    after commit), without rendering three templates while the user waits.

    ``builder`` names a function registered with ``email_context_builder``; ``params``
    (JSON: ids, and facts that must be worded as they are now, e.g. deadlines) are what it
    builds the context from at delivery. Returns the row, or None when the cap drops it.
    """
    email = OutboundEmail(
        to=_clean_header(to), subject="", body_text="", topic=topic, kind=kind,
        headers={k: _clean_header(v) for k, v in (headers or {}).items()},
        deferred={"template": template, "builder": builder, "params": params,
                  "language": language or settings.LANGUAGE_CODE},
    )
    # A transaction for the cap's advisory lock; inside the caller's, no savepoint of its
    # own (two statements fewer): a failure here fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        if not _insert_capped(email, kind):
            return None
    transaction.on_commit(lambda: _publish(email.pk))
    return email


def email_render_deferred(email):
    """Render a deferred row's subject and bodies and store them, once: a rendered row
    keeps them (a retry sends the same message) and drops the params it was built from
    (the row then weighs what an email rendered in the request does). Returns the row."""
    spec = email.deferred
    if spec is None or spec.get("params") is None:
        return email
    with translation.override(spec["language"]):  # what the builder words, in the recipient's language
        context = _CONTEXT_BUILDERS[spec["builder"]](**spec["params"])
    subject, email.body_text, email.body_html = email_render(spec["template"], context, spec["language"])
    email.subject = subject[:300]
    email.deferred = {**spec, "params": None}
    OutboundEmail.objects.filter(pk=email.pk).update(
        subject=email.subject, body_text=email.body_text, body_html=email.body_html, deferred=email.deferred
    )
    return email


_in_dry_run = contextvars.ContextVar("email_dry_run", default=False)


def email_language(*candidates, default=None):
    """The language an email goes out in: the first of ``candidates`` that is a portal
    language (callers pass the recipient's saved language, then what caused the email:
    the request's language, the ticket's, the order's), else ``LANGUAGE_CODE``.
    "pl-PL" counts as "pl"; empty or unknown values are skipped. ``default`` replaces
    ``LANGUAGE_CODE`` when given (``""``: tell the caller nothing matched)."""
    known = {code for code, _name in settings.LANGUAGES}
    for candidate in candidates:
        if not candidate:
            continue
        code = str(candidate).lower().replace("_", "-")
        for option in (code, code.split("-")[0]):
            if option in known:
                return option
    return settings.LANGUAGE_CODE if default is None else default


def email_render(template, context, language=None):
    """(subject, text, html) of ``template`` in ``language`` (``email_language``); no side effects."""
    ctx = {"site_url": settings.SITE_URL, **context}
    with translation.override(email_language(language)):
        subject = _clean_header(render_to_string(f"{template}_subject.txt", ctx))
        text = render_to_string(f"{template}.txt", ctx)
        html = render_to_string(f"{template}.html", ctx)
    return subject, text, html


def _publish(email_id):
    """Hand the row to a worker. If Redis is down the row stays pending for the sweep."""
    from .tasks import deliver_email

    if redis_is_down():  # seen failing moments ago: do not wait for it again
        log.info("Redis is down; outbox email %s waits for the sweep", email_id)
        return
    try:
        deliver_email.apply_async((email_id,), retry=False)
    except Exception as error:  # noqa: BLE001 - any broker failure; the beat sweep retries
        redis_mark_down(error)
        log.warning("could not publish outbox email %s; the sweep will send it", email_id)


# Advisory-lock ids of outbox rows: (namespace, row id). Held by the sending worker's
# database session for the whole SMTP exchange; PostgreSQL drops it the moment that
# session ends, which is how a dead sender is told from a slow one.
LOCK_NAMESPACE = 0x6F7574  # "out"


def _try_lock(email_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, email_id % 2**31])
        return cursor.fetchone()[0]


def _unlock(email_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, email_id % 2**31])


def email_deliver(email_id):
    """Send one outbox row; at most one SMTP transaction per row at any moment.

    The sender holds a PostgreSQL advisory lock on the row for the whole SMTP exchange.
    A second worker (the published task redelivered, the sweep) cannot take it and does
    nothing. If the sender dies (SIGKILL, lost host), its database session ends and the
    lock goes with it: the next sweep finds the row still "sending", unlocked, and sends
    it again at once, with the same Message-ID, rather than after a lease.

    The listener therefore gets exactly one message per row, except when the sender
    dies in the instant between the server's "250 OK" and our commit of "sent": then
    the message goes out twice, with the same Message-ID, which receiving clients
    treat as one message. (No SMTP client can close that window: the server's
    acceptance and our record of it are two systems.)
    """
    if not _try_lock(email_id):
        return False  # another live worker is sending it right now
    try:
        return _deliver_locked(email_id)
    finally:
        _unlock(email_id)


def _deliver_locked(email_id):
    now = timezone.now()
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.state in (OutboundEmail.State.SENT, OutboundEmail.State.FAILED):
            return False
        if email.state == OutboundEmail.State.PENDING and email.next_attempt_at > now:
            return False  # backing off after a failure
        if email.state == OutboundEmail.State.SENDING:
            # We hold the lock, so its last sender is gone: the outcome of that attempt
            # is unknown. Send again (same Message-ID) and say so for admins.
            email.last_error = "previous attempt interrupted (worker died mid-send)"
        email.state = OutboundEmail.State.SENDING
        email.attempts += 1
        try:
            email_render_deferred(email)
        except Exception as exc:  # noqa: BLE001 - a broken template or builder: retried like SMTP
            _failed(email, exc)
            return False
        # Due at once for the sweep: a live sender is recognised by its lock, not a lease.
        email.next_attempt_at = now
        email.save(update_fields=["state", "attempts", "next_attempt_at", "last_error"])
    try:
        _send(email)
    except Exception as exc:  # noqa: BLE001 - SMTP can fail in many ways; all are retried
        _failed(email, exc)
        return False
    OutboundEmail.objects.filter(pk=email.pk).update(
        state=OutboundEmail.State.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def _failed(email, exc):
    """Back off exponentially; give up after MAX_ATTEMPTS."""
    delay = timedelta(seconds=min(3600, 30 * 2 ** (email.attempts - 1)))
    state = OutboundEmail.State.FAILED if email.attempts >= MAX_ATTEMPTS else OutboundEmail.State.PENDING
    OutboundEmail.objects.filter(pk=email.pk).update(
        state=state, attempts=email.attempts, last_error=repr(exc)[:2000], next_attempt_at=timezone.now() + delay
    )
    log.warning("sending outbox email %s failed (attempt %s): %r", email.pk, email.attempts, exc)


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
