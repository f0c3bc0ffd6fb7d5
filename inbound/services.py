"""Inbound email: store what was fetched, then turn each message into a ticket, a
reply, or a recorded refusal. The rules are in inbound/README.md; in short:

* machine mail (bounces, auto-replies, read receipts, complaints) and our own mail
  coming back are *ignored*: recorded, never answered, never (re)opening a ticket;
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

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
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

from . import parsing, routing
from .models import InboundMessage, Mailbox
from .quotes import strip_reply

log = logging.getLogger(__name__)

INSTRUCTIONS_INTERVAL = timedelta(hours=24)
SUBJECT_MAX = 200
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
    A message over INBOUND_MAX_MESSAGE_BYTES (``size`` as the server reported it, when
    only its headers were fetched) is recorded as rejected without its bytes.
    """
    size = size or len(raw)
    message_id = _header_message_id(raw)
    key = parsing.message_key(raw, message_id)
    too_big = size > settings.INBOUND_MAX_MESSAGE_BYTES
    fields = {"message_id": message_id[:1000], "remote_uid": str(remote_uid)[:200], "raw": raw, "size": size}
    if too_big:
        fields.update(
            raw=b"",
            state=InboundMessage.State.REJECTED,
            reason=_("Too large: %(size)s, the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.INBOUND_MAX_MESSAGE_BYTES)},
            processed_at=timezone.now(),
        )
        try:
            headers = parsing.parse(raw)
            fields.update(from_address=headers.from_address[:254], subject=headers.subject[:300])
        except parsing.ParseError:
            pass
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
        row.outcome, row.ticket, row.reason = InboundMessage.Outcome.NONE, None, ""
        try:
            with transaction.atomic():
                _handle(row)
        except Exception as exc:
            log.exception("inbound message %s parked", row.pk)
            row.state = InboundMessage.State.PARKED
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


def _handle(row):
    try:
        parsed = parsing.parse(bytes(row.raw))
    except parsing.ParseError as exc:
        row.state, row.reason = InboundMessage.State.PARKED, _("Malformed: %(error)s") % {"error": exc}
        return
    row.from_address = parsed.from_address[:254]
    row.from_name = parsed.from_name[:200]
    row.subject = parsed.subject[:300]
    if not parsed.from_address:
        row.state, row.reason = InboundMessage.State.PARKED, _("Malformed: no sender address.")
        return
    if _is_ours(parsed):
        row.state, row.reason = InboundMessage.State.IGNORED, _("Our own message came back (mail loop).")
        return
    ticket = routing.find_ticket(parsed)
    if parsed.verdict.is_machine:
        row.state = InboundMessage.State.IGNORED
        row.reason = parsed.verdict.reason
        row.ticket = ticket  # shown to admins; the ticket itself is not touched
        return
    sender = User.objects.filter(email__iexact=parsed.from_address).select_related("organisation").first()
    if sender is not None and routing.sender_failed_authentication(parsed):
        row.state = InboundMessage.State.REJECTED
        row.reason = _("The sender's domain failed DMARC: the From address is forged.")
        return
    if ticket is not None and routing.may_post(sender, ticket):
        _add_reply(row, parsed, ticket, sender)
        return
    if ticket is not None:
        log.info("inbound %s: %s may not post on %s; handled as new mail", row.pk, parsed.from_address, ticket.pk)
    if sender is not None and sender.is_active and sender.is_customer and sender.organisation_id:
        _open_ticket(row, parsed, sender)
    elif sender is not None and sender.is_active and sender.is_engineer:
        row.state = InboundMessage.State.REJECTED
        row.reason = _("Engineers cannot open tickets by email; file it in the workspace.")
    elif row.mailbox.unknown_senders == Mailbox.UnknownSenders.CONTACT and (
        sender is None or (not sender.is_active and sender.role == User.Role.CUSTOMER)
    ):
        _open_ticket(row, parsed, sender or _unverified_contact(parsed, row.mailbox))
    else:
        _answer_with_instructions(row, parsed, sender)


def _language(parsed, user, mailbox):
    if user is not None and user.language:
        return user.language
    primary = parsed.language.split("-")[0]
    return primary if primary in LANGUAGE_CODES else mailbox.language


def _unverified_contact(parsed, mailbox):
    """A new inactive customer in an organisation of their own (never an existing one:
    a From address proves nothing). An admin verifies them by moving them to the
    right organisation and activating the account."""
    email = parsed.from_address
    with translation.override(mailbox.language):
        org_name = _("%(email)s (unverified)") % {"email": email}
    organisation, _created = Organisation.objects.get_or_create(name=org_name[:200])
    return User.objects.create_user(
        email=email,
        password=None,
        full_name=parsed.from_name or email.split("@")[0],
        organisation=organisation,
        language=_language(parsed, None, mailbox),
        is_active=False,
    )


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


def _report_refused(ticket, recipient, refused, language):
    if not refused:
        return
    with translation.override(ticket.language or language):
        lines = "\n".join(f"• {reason}" for _name, reason in refused)
        note = _("Files refused from the emailed message (the sender was told):") + "\n" + lines
    ticket_services.ticket_note_system(ticket=ticket, body=note)
    email_enqueue(
        to=recipient.email,
        template="inbound/email/files_refused",
        context={"ticket": ticket, "user": recipient, "refused": refused,
                 "url": reverse("tickets:detail", args=[ticket.number])},
        language=recipient.language or language,
        topic=f"ticket:{ticket.number}",
        headers=ticket_services.ticket_email_headers(ticket),
    )


def _add_reply(row, parsed, ticket, sender):
    """A reply joins the conversation, quoted history and signature removed; a reply to
    a closed ticket reopens it (the workflow lets customers reopen)."""
    language = _language(parsed, sender, row.mailbox)
    accepted, refused = _sort_files(parsed.files, attached_bytes(ticket))
    body = strip_reply(parsed.text)
    if not body.strip():
        with translation.override(ticket.language or language):
            body = _("(no text, only files)") if accepted else _("(empty message)")
    if ticket.status == Status.CLOSED and not sender.is_engineer:
        ticket = ticket_services.ticket_transition(ticket=ticket, actor=sender, to_status=Status.OPEN)
    ticket_services.ticket_reply(ticket=ticket, author=sender, body=body, files=accepted, channel=Channel.EMAIL)
    _report_refused(ticket, sender, refused, language)
    row.state, row.outcome, row.ticket = InboundMessage.State.IMPORTED, InboundMessage.Outcome.REPLY, ticket
    if refused:
        row.reason = ngettext("%(count)d file refused.", "%(count)d files refused.", len(refused)) % {
            "count": len(refused)}


def _open_ticket(row, parsed, requester):
    language = _language(parsed, requester, row.mailbox)
    accepted, refused = _sort_files(parsed.files, 0)
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
        )
    except ChannelNotAllowed as refusal:
        # The organisation's tariff does not sell email: nothing is opened; the sender is told how to upgrade.
        row.state = InboundMessage.State.REJECTED
        row.reason = ticket_services.channel_refusal_tell(requester, refusal, language)
        return
    except PermissionDenied as exc:
        row.state, row.reason = InboundMessage.State.REJECTED, str(exc)
        return
    _report_refused(ticket, requester, refused, language)
    row.state, row.outcome, row.ticket = InboundMessage.State.IMPORTED, InboundMessage.Outcome.NEW_TICKET, ticket
    if refused:
        row.reason = ngettext("%(count)d file refused.", "%(count)d files refused.", len(refused)) % {
            "count": len(refused)}


def _answer_with_instructions(row, parsed, sender):
    """Nothing is opened; the sender learns how to reach support, once a day at most
    (a robot without auto-reply headers cannot make us loop)."""
    row.state = InboundMessage.State.REJECTED
    row.reason = _("Unknown sender: nothing was opened.")
    recent = InboundMessage.objects.filter(
        from_address=parsed.from_address,
        outcome=InboundMessage.Outcome.INSTRUCTIONS,
        processed_at__gte=timezone.now() - INSTRUCTIONS_INTERVAL,
    ).exclude(pk=row.pk)
    if recent.exists():
        row.reason += " " + _("Instructions were already sent in the last 24 hours.")
        return
    language = _language(parsed, sender, row.mailbox)
    email_enqueue(
        to=parsed.from_address,
        template="inbound/email/instructions",
        context={
            "mailbox": row.mailbox,
            "subject": parsed.subject,
            "signup_url": reverse("accounts:signup"),
            "login_url": reverse("accounts:login"),
        },
        language=language,
        topic=f"inbound:{row.pk}",
    )
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
    """Process stored messages not processed yet (e.g. after a crash); returns the count."""
    qs = InboundMessage.objects.filter(state=InboundMessage.State.NEW)
    if mailbox is not None:
        qs = qs.filter(mailbox=mailbox)
    ids = list(qs.order_by("fetched_at", "pk").values_list("pk", flat=True)[:limit])
    for pk in ids:
        inbound_process(pk)
    return len(ids)

