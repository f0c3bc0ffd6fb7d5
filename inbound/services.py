"""Inbound email: store what was fetched, then turn each message into a ticket, a
reply, or a recorded refusal. The rules are in inbound/README.md; in short:

* machine mail (bounces, auto-replies, read receipts, complaints) and our own mail
  coming back are *ignored*: recorded, never answered, never (re)opening a ticket;
* mail that failed SPF, DKIM or DMARC at our own server, floods and engineer replies
  without proof are *parked* for review (``trust``, ``authresults``); nothing is ever
  sent to a sender who is neither a registered active user nor verified by our server;
* a reply threads by the ticket's token or our Message-ID (``routing``) and only when
  its sender may post on that ticket;
* new mail from a known customer opens a ticket under their organisation's tariff;
  from an unknown sender, what the mailbox says: a ticket for a new unverified contact,
  or an answer with instructions (at most one a day per address) and nothing opened;
* attachments pass the web form's checks; refused ones are noted on the ticket (an
  internal note) and told to the sender, and the message is imported all the same;
* anything that fails is *parked* with its reason; the next message goes on.
"""

import logging
from datetime import timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from helpdesk.accounts.models import Organisation, User
from helpdesk.mail.services import email_enqueue
from sla.channels import ChannelNotAllowed
from tickets import services as ticket_services
from tickets.attachments import attached_bytes, check_uploads
from tickets.models import Channel, Kind, Status

from . import parsing, routing, trust
from .authresults import authentication
from .models import InboundMessage, Mailbox, UnverifiedContact
from .quotes import strip_reply

log = logging.getLogger(__name__)

INSTRUCTIONS_INTERVAL = timedelta(hours=24)
SUBJECT_MAX = 200
KEY_LOCK_NAMESPACE = 0x696E6B  # "ink": advisory locks on a message key while it is processed
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


# ------------------------------------------------------------------ storing


def _header_message_id(raw):
    try:
        headers = BytesHeaderParser(policy=default_policy).parsebytes(parsing.strip_mbox_line(raw)[:256 * 1024])
        ids = parsing._ids(str(headers.get("Message-ID", "") or ""))
    except Exception:
        return ""
    return ids[0] if ids else ""


def inbound_store(mailbox, raw, *, remote_uid="", size=None):
    """Record fetched bytes once per mailbox; return (row, created).

    Runs in its own transaction and commits before the caller flags or deletes the
    message on the server, so a crash in between means "fetched again, stored once".
    Of a message over INBOUND_MAX_MESSAGE_BYTES (``size`` as the server reported it,
    when only its beginning was fetched) the first INBOUND_KEEP_BYTES_OF_LARGE are
    kept; processing parks it and tells the sender.
    """
    size = size or len(raw)
    message_id = _header_message_id(raw)
    key = parsing.message_key(raw, message_id)
    if size > settings.INBOUND_MAX_MESSAGE_BYTES:
        raw = raw[:settings.INBOUND_KEEP_BYTES_OF_LARGE]
    fields = {"message_id": message_id[:1000], "remote_uid": str(remote_uid)[:200], "raw": raw, "size": size}
    try:
        with transaction.atomic():
            return InboundMessage.objects.get_or_create(mailbox=mailbox, message_key=key, defaults=fields)
    except IntegrityError:  # stored concurrently by another poller
        return InboundMessage.objects.get(mailbox=mailbox, message_key=key), False


# ------------------------------------------------------------------ processing


def inbound_process(message_id, *, again=False):
    """Process one stored message (state "new"; with ``again`` also a parked, rejected
    or ignored one, for the admin's "process again"). Never raises for a bad message:
    it ends parked with the reason. Safe to run twice: the row is claimed under a lock.
    """
    with transaction.atomic():
        row = InboundMessage.objects.select_for_update(skip_locked=True).select_related("mailbox").filter(
            pk=message_id
        ).first()
        if row is None:
            return None
        allowed = [InboundMessage.State.NEW]
        if again:
            allowed += [InboundMessage.State.PARKED, InboundMessage.State.REJECTED, InboundMessage.State.IGNORED]
        if row.state not in allowed or (again and not row.raw):
            return row
        row.attempts += 1
        row.outcome, row.ticket, row.reason, row.hold = InboundMessage.Outcome.NONE, None, "", ""
        try:
            with transaction.atomic():
                _handle(row, again=again)
                # Deferred constraints (every foreign key, e.g. the audit log's) are
                # checked here, in the savepoint, not at COMMIT: a violation there would
                # escape this function and leave the row "new" for the next poll to trip on.
                connection.check_constraints()
        except SoftTimeLimitExceeded:
            raise  # the poll ran out of time, not this message's fault: it stays "new"
        except Exception as exc:
            log.exception("inbound message %s parked", row.pk)
            row.state, row.hold = InboundMessage.State.PARKED, ""
            row.outcome, row.ticket = InboundMessage.Outcome.NONE, None
            row.reason = _("Processing failed: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"[:1500]}
        row.processed_at = timezone.now()
        row.save()
    return row


def _own_addresses():
    from email.utils import parseaddr

    own = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1], parseaddr(settings.SERVER_EMAIL)[1],
           settings.SUPPORT_QUEUE_EMAIL, *Mailbox.objects.values_list("address", flat=True)}
    return {a.lower() for a in own if a}


def _is_ours(parsed):
    """Mail from our own addresses (with or without a +tag) or with our Message-ID."""
    local, _at, domain = parsed.from_address.partition("@")
    untagged = f"{local.split('+')[0]}@{domain}"
    if parsed.from_address in _own_addresses() or untagged in _own_addresses():
        return True
    return parsed.message_id.lower().endswith("@helpdesk>")


def _park(row, hold, reason):
    row.state, row.hold, row.reason = InboundMessage.State.PARKED, hold, reason


def _same_message_elsewhere(row):
    """The same message (by Message-ID or content hash) already handled through another
    mailbox: imported, parked or rejected (not ignored: a copy ignored as a duplicate
    must not make the first one a duplicate when an admin processes it again).
    Processing of one key is serialised by an advisory lock held to the end of the
    transaction, so two pollers cannot both import it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [KEY_LOCK_NAMESPACE, row.message_key])
    handled = [InboundMessage.State.IMPORTED, InboundMessage.State.PARKED, InboundMessage.State.REJECTED]
    return (
        InboundMessage.objects.filter(message_key=row.message_key, state__in=handled)
        .exclude(mailbox_id=row.mailbox_id).select_related("mailbox").order_by("pk").first()
    )


def _handle(row, again=False):
    try:
        parsed = parsing.parse(bytes(row.raw), max_parts=settings.INBOUND_MAX_MIME_PARTS,
                               auth_header=settings.INBOUND_AUTH_RESULTS_HEADER)
    except parsing.ParseError as exc:
        row.state, row.reason = InboundMessage.State.PARKED, _("Malformed: %(error)s") % {"error": exc}
        return
    row.from_address = parsed.from_address[:254]
    row.from_domain = parsed.from_address.rpartition("@")[2][:254]
    row.from_name = parsed.from_name[:200]
    row.subject = parsed.subject[:300]
    if not parsed.from_address:
        row.state, row.reason = InboundMessage.State.PARKED, _("Malformed: no sender address.")
        return
    if _is_ours(parsed):
        row.state, row.reason = InboundMessage.State.IGNORED, _("Our own message came back (mail loop).")
        return
    auth = authentication(parsed.authentication_results, parsed.from_address)
    if auth.failed:
        _park(row, InboundMessage.Hold.AUTHENTICATION,
              _("The sender failed %(check)s at our mail server: the From address may be forged. Parked: "
                "nothing was opened, added or answered.") % {"check": auth.failed.upper()})
        return
    ticket = routing.find_ticket(parsed)
    if parsed.verdict.is_machine:
        row.state = InboundMessage.State.IGNORED
        row.reason = parsed.verdict.reason
        row.ticket = ticket  # shown to admins; the ticket itself is not touched
        return
    first = _same_message_elsewhere(row)
    if first is not None:
        row.state, row.ticket = InboundMessage.State.IGNORED, first.ticket
        row.reason = _("The same message already arrived through mailbox “%(mailbox)s” (#%(id)d).") % {
            "mailbox": first.mailbox.name, "id": first.pk}
        return
    limited = "" if again else trust.over_limit(row)
    if limited:
        _park(row, InboundMessage.Hold.RATE, limited)
        return
    sender = User.objects.filter(email__iexact=parsed.from_address).select_related("organisation").first()
    if row.size > settings.INBOUND_MAX_MESSAGE_BYTES:
        _too_large(row, parsed, sender, auth)
        return
    if ticket is not None and sender is not None and sender.role == User.Role.ENGINEER:
        if not trust.engineer_has_proof(parsed, sender, ticket, auth):
            _park(row, InboundMessage.Hold.ENGINEER,
                  _("From an engineer's address, but neither sent to that engineer's signed reply address nor "
                    "DKIM-verified for the support domain: parked for review, not posted."))
            row.ticket = ticket
            return
    # The signature proves the address of the ticket it was made for; the mail is
    # posted where that ticket's conversation lives now.
    ticket = routing.thread_target(ticket)
    if ticket is not None and routing.may_post(sender, ticket):
        _add_reply(row, parsed, ticket, sender, auth)
        return
    if ticket is not None:
        log.info("inbound %s: %s may not post on %s; handled as new mail", row.pk, parsed.from_address, ticket.pk)
    if sender is not None and sender.is_active and sender.is_customer and sender.organisation_id:
        _open_ticket(row, parsed, sender, auth)
    elif sender is not None and sender.is_active and sender.is_engineer:
        row.state = InboundMessage.State.REJECTED
        row.reason = _("Engineers cannot open tickets by email; file it in the workspace.")
    elif sender is not None and not sender.is_active and not trust.is_unverified_contact(sender):
        # A deactivated account: never its former organisation or tariff, and no answer.
        row.state = InboundMessage.State.REJECTED
        row.reason = _("The sender's account is deactivated: nothing was opened and nothing was sent.")
    elif row.mailbox.unknown_senders == Mailbox.UnknownSenders.CONTACT and (
        sender is None or sender.role == User.Role.CUSTOMER
    ):
        requester = sender or _contact_create(parsed, row.mailbox, _language(parsed, None, row.mailbox))
        _open_ticket(row, parsed, requester, auth)
    else:
        _answer_with_instructions(row, parsed, sender, auth)


def _contact_create(parsed, mailbox, language):
    """A new inactive customer in an organisation of their own (never an existing one:
    a From address proves nothing). An admin verifies them by moving them to the
    right organisation and activating the account."""
    email = parsed.from_address
    with translation.override(mailbox.language):
        org_name = _("%(email)s (unverified)") % {"email": email}
    organisation, _created = Organisation.objects.get_or_create(name=org_name[:200])
    user = User.objects.create_user(
        email=email,
        password=None,
        full_name=parsed.from_name or email.split("@")[0],
        organisation=organisation,
        language=language,
        is_active=False,
    )
    UnverifiedContact.objects.create(user=user, organisation=organisation)
    return user


def _language(parsed, user, mailbox):
    if user is not None and user.language:
        return user.language
    primary = parsed.language.split("-")[0]
    return primary if primary in LANGUAGE_CODES else mailbox.language


def _system_email(**kwargs):
    """Every mail this app sends to a sender goes through here: the outbox, and its
    per-recipient hourly cap once the outbox has one (issue 16: ``email_enqueue`` then
    returns None for a dropped email)."""
    return email_enqueue(**kwargs)


def _too_large(row, parsed, sender, auth):
    """Parked with its first bytes (the text, usually); the sender is told, if we may
    write to them at all."""
    limit = filesizeformat(settings.INBOUND_MAX_MESSAGE_BYTES)
    _park(row, InboundMessage.Hold.SIZE,
          _("Too large: %(size)s, the limit is %(limit)s. The first %(kept)s are kept here for review.")
          % {"size": filesizeformat(row.size), "limit": limit,
             "kept": filesizeformat(settings.INBOUND_KEEP_BYTES_OF_LARGE)})
    if not trust.may_write_to(sender, auth):
        row.reason += " " + _("The sender was not told: their address is not verified.")
        return
    told = _system_email(
        to=sender.email if sender is not None and sender.is_active else parsed.from_address,
        template="inbound/email/too_large",
        context={"mailbox": row.mailbox, "size": filesizeformat(row.size), "limit": limit,
                 "login_url": reverse("accounts:login")},
        language=_language(parsed, sender, row.mailbox),
        topic=f"inbound:{row.pk}",
    )
    if told is not None:
        row.reason += " " + _("The sender was told.")


def _uploads(files):
    return [SimpleUploadedFile(f.name or "attachment", f.data, content_type=f.content_type) for f in files]


def _sort_files(files, already_attached):
    """Split into (accepted uploads, [(name, reason)]) with the web form's checks, file by
    file, so one refused file does not cost the others."""
    accepted, refused = [], []
    total = already_attached
    for upload in _uploads(files):
        try:
            check_uploads([upload])
        except ValidationError as exc:
            refused.append((upload.name, " ".join(exc.messages)))
            continue
        if total + upload.size > settings.ATTACHMENT_MAX_TICKET_BYTES:
            refused.append((upload.name, _("“%(name)s” does not fit: a ticket may hold at most %(limit)s of attachments.")
                            % {"name": upload.name, "limit": filesizeformat(settings.ATTACHMENT_MAX_TICKET_BYTES)}))
            continue
        total += upload.size
        accepted.append(upload)
    return accepted, refused


def _report_refused(ticket, recipient, refused, language, auth):
    """Refused files (and MIME parts over the cap) are an internal note; the sender is
    told unless we may not write to them (their file names are their own text)."""
    if not refused:
        return
    with translation.override(ticket.language or language):
        lines = "\n".join(f"• {reason}" for _name, reason in refused)
        note = _("Files refused from the emailed message (the sender was told):") + "\n" + lines
        if not trust.may_write_to(recipient, auth):
            note = _("Files refused from the emailed message (the sender was not told: unverified address):") + (
                "\n" + lines)
    ticket_services.ticket_note_system(ticket=ticket, body=note)
    if not trust.may_write_to(recipient, auth):
        return
    _system_email(
        to=recipient.email,
        template="inbound/email/files_refused",
        context={"ticket": ticket, "user": recipient, "refused": refused,
                 "url": reverse("tickets:detail", args=[ticket.number])},
        language=recipient.email_language(language),
        topic=f"ticket:{ticket.number}",
        headers=ticket_services.ticket_email_headers(ticket),
    )


def _refusals(parsed, refused):
    if parsed.parts_dropped:
        refused = [*refused, ("", ngettext(
            "%(count)d more part of the message was not read: a message may have at most %(limit)d parts.",
            "%(count)d more parts of the message were not read: a message may have at most %(limit)d parts.",
            parsed.parts_dropped) % {"count": parsed.parts_dropped, "limit": settings.INBOUND_MAX_MIME_PARTS})]
    return refused


def _add_reply(row, parsed, ticket, sender, auth):
    """A reply joins the conversation, quoted history and signature removed; a reply to
    a closed ticket reopens it (the workflow lets customers reopen)."""
    language = _language(parsed, sender, row.mailbox)
    accepted, refused = _sort_files(parsed.files, attached_bytes(ticket))
    refused = _refusals(parsed, refused)
    body = strip_reply(parsed.text)
    if not body.strip():
        with translation.override(ticket.language or language):
            body = _("(no text, only files)") if accepted else _("(empty message)")
    if ticket.status == Status.CLOSED and not sender.is_engineer:
        ticket = ticket_services.ticket_transition(ticket=ticket, actor=sender, to_status=Status.OPEN)
    ticket_services.ticket_reply(ticket=ticket, author=sender, body=body, files=accepted, channel=Channel.EMAIL)
    _report_refused(ticket, sender, refused, language, auth)
    row.state, row.outcome, row.ticket = InboundMessage.State.IMPORTED, InboundMessage.Outcome.REPLY, ticket
    if refused:
        row.reason = ngettext("%(count)d file refused.", "%(count)d files refused.", len(refused)) % {
            "count": len(refused)}


def _open_ticket(row, parsed, requester, auth):
    """A ticket for a known customer (confirmed to their registered address, subject
    and all) or for an unverified contact: that one's confirmation repeats nothing
    the sender wrote, and goes out only if our mail server verified the From."""
    language = _language(parsed, requester, row.mailbox)
    accepted, refused = _sort_files(parsed.files, 0)
    refused = _refusals(parsed, refused)
    with translation.override(language):
        subject = parsed.subject.strip() or _("(no subject)")
        body = parsed.text.strip() or (_("(no text, only files)") if parsed.files else _("(empty message)"))
    try:
        ticket = ticket_services.ticket_create(
            requester=requester,
            data={"kind": Kind.QUESTION, "subject": subject[:SUBJECT_MAX], "body": body},
            files=accepted,
            channel=Channel.EMAIL,
            language=language,
            confirm=requester.is_active,
        )
    except ChannelNotAllowed as refusal:
        # The organisation's tariff does not sell email: nothing is opened; the sender is told how to upgrade.
        row.state = InboundMessage.State.REJECTED
        row.reason = ticket_services.channel_refusal_tell(requester, refusal, language)
        return
    except PermissionDenied as exc:
        row.state, row.reason = InboundMessage.State.REJECTED, str(exc)
        return
    row.state, row.outcome, row.ticket = InboundMessage.State.IMPORTED, InboundMessage.Outcome.NEW_TICKET, ticket
    if refused:
        row.reason = ngettext("%(count)d file refused.", "%(count)d files refused.", len(refused)) % {
            "count": len(refused)}
    _report_refused(ticket, requester, refused, language, auth)
    if requester.is_active:
        return
    if not auth.verified:
        row.reason = " ".join([row.reason, _("No confirmation: the sender's address is not verified.")]).strip()
        return
    _system_email(
        to=requester.email,
        template="inbound/email/contact_confirmation",
        context={"ticket": ticket, "mailbox": row.mailbox},
        language=language,
        topic=f"ticket:{ticket.number}",
        headers=ticket_services.ticket_email_headers(ticket),
    )


def _answer_with_instructions(row, parsed, sender, auth):
    """Nothing is opened; the sender learns how to reach support, once a day at most
    (a robot without auto-reply headers cannot make us loop), and only if our mail
    server verified the From address (else we would answer whoever a forger names)."""
    row.state = InboundMessage.State.REJECTED
    row.reason = _("Unknown sender: nothing was opened.")
    if not auth.verified:
        row.reason += " " + _("No answer: the sender's address is not verified.")
        return
    recent = InboundMessage.objects.filter(
        from_address=parsed.from_address,
        outcome=InboundMessage.Outcome.INSTRUCTIONS,
        processed_at__gte=timezone.now() - INSTRUCTIONS_INTERVAL,
    ).exclude(pk=row.pk)
    if recent.exists():
        row.reason += " " + _("Instructions were already sent in the last 24 hours.")
        return
    language = _language(parsed, sender, row.mailbox)
    answered = _system_email(
        to=parsed.from_address,
        template="inbound/email/instructions",
        context={
            "mailbox": row.mailbox,
            "signup_url": reverse("accounts:signup"),
            "login_url": reverse("accounts:login"),
        },
        language=language,
        topic=f"inbound:{row.pk}",
    )
    if answered is not None:
        row.outcome = InboundMessage.Outcome.INSTRUCTIONS
        row.reason += " " + _("Answered with instructions.")


def inbound_reprocess(rows):
    """Admin action: process again; imported messages are never imported twice."""
    done = []
    for row in rows:
        if row.state == InboundMessage.State.IMPORTED:
            continue
        done.append(inbound_process(row.pk, again=True))
    return done


def inbound_process_pending(mailbox=None, limit=500):
    """Process stored messages not processed yet (e.g. after a crash); returns the count.

    One message that cannot be processed never holds up the ones behind it: what
    ``inbound_process`` lets escape (the database refusing the commit or the row's own
    save) is logged and counted on the row, which stays "new" for the next poll (a
    passing fault) and is parked with the error after ``MAX_ATTEMPTS``. Only a lost
    database connection (nothing after it could be processed either) or the task's
    time limit stops the loop.
    """
    qs = InboundMessage.objects.filter(state=InboundMessage.State.NEW)
    if mailbox is not None:
        qs = qs.filter(mailbox=mailbox)
    ids = list(qs.order_by("fetched_at", "pk").values_list("pk", flat=True)[:limit])
    for pk in ids:
        try:
            inbound_process(pk)
        except SoftTimeLimitExceeded:
            raise  # the rest waits for the next poll
        except Exception as exc:
            if not connection.is_usable():
                raise
            log.exception("inbound message %s failed; going on with the next one", pk)
            _count_failure(pk, exc)
    return len(ids)


MAX_ATTEMPTS = 3


def _count_failure(pk, exc):
    with transaction.atomic():
        row = InboundMessage.objects.select_for_update(skip_locked=True).filter(
            pk=pk, state=InboundMessage.State.NEW
        ).first()
        if row is None:
            return
        row.attempts += 1
        row.reason = _("Processing failed: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"[:1500]}
        if row.attempts >= MAX_ATTEMPTS:
            row.state, row.hold, row.outcome, row.ticket = InboundMessage.State.PARKED, "", "", None
            row.processed_at = timezone.now()
        row.save(update_fields=["attempts", "reason", "state", "hold", "outcome", "ticket", "processed_at"])

