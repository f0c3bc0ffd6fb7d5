"""Every write to a ticket goes through here: views, admin, API, email and tasks alike."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing.selectors import tariff_charges_points
from billing.services import wallet_charge_callback, wallet_charge_ticket
from helpdesk.mail.services import email_enqueue, email_enqueue_deferred
from sla.channels import channel_check
from sla.selectors import default_tariff, entitlement_for

from . import email_contexts, sla_clock, workflow
from .attachments import attached_bytes, check_uploads, file_sha256
from .models import (
    Attachment,
    CallbackRequest,
    Channel,
    Event,
    Message,
    SlaTarget,
    Status,
    Ticket,
    TicketSubmission,
    Urgency,
)
from .models.ticket import TICKET_NUMBER_SEQUENCE
from .reply_address import ticket_email_headers, ticket_reply_address  # noqa: F401 - part of the services API (inbound, tests)
from .satisfaction import satisfaction_request
from .search import ticket_search_append, ticket_vector
from .selectors import engineer_recipient, engineers_on_duty, ticket_customer_recipients
from .signals import ticket_filed


def next_ticket_number():
    """Draw from a PostgreSQL sequence: never reused, even if the transaction rolls back."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [TICKET_NUMBER_SEQUENCE])
        return cursor.fetchone()[0]


class _StoredFiles:
    """Delete files written during a transaction that then fails: no orphans on disk."""

    def __init__(self):
        self.names = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            for name in self.names:
                default_storage.delete(name)
        return False


def _attach(ticket, message, user, accepted, stored):
    for upload, content_type in accepted:
        attachment = Attachment(
            ticket=ticket,
            message=message,
            uploaded_by=user,
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
            sha256=file_sha256(upload),
        )
        attachment.file.save(upload.name, upload, save=False)
        stored.names.append(attachment.file.name)
        attachment.save()
    if accepted:
        Event.objects.create(
            ticket=ticket, actor=user, kind=Event.Kind.ATTACHED, new_value=str(len(accepted)),
            is_internal=message is not None and message.is_internal,
        )


def _portal_url(ticket):
    return reverse("tickets:detail", args=[ticket.number])


def ticket_create(
    *, requester, data, files=(), channel=Channel.WEB, language="en", organisation=None, basic_terms=False,
    entitlement=None, submission_key="", confirm=True,
):
    """A customer files a ticket for their organisation. An inactive organisation cannot
    file; a channel the organisation's tariff does not sell is refused (``ChannelNotAllowed``).

    Under a tariff that charges support points the ticket is paid from the organisation's
    wallet in the same transaction (``billing.services.wallet_charge_ticket``); too few points
    raise ``NotEnoughPoints`` and nothing is filed. ``basic_terms`` files it on the default
    tariff instead, at no charge. ``entitlement`` is ``entitlement_for(organisation, license)``
    when the caller has already looked it up (the ticket form has), to save the lookup.
    ``confirm=False``: no confirmation email (inbound mail from an unverified contact gets
    its own, without the subject, or none at all).

    All files are checked before anything is written; if anything fails, nothing stays:
    no ticket, no file on disk, no email. The confirmation email is queued in the same
    transaction and published after commit.

    One submission is one ticket: with a ``submission_key`` (the form's one-time key,
    an API client's ``Idempotency-Key``) the first request claims the key with a unique
    row; a repeat (a double click, a retried request), even one arriving while the
    first is still being written, waits for it and gets the first one's ticket back,
    with nothing created and nothing sent. If the first one failed, the key is free.
    """
    if requester.organisation_id is None:
        raise PermissionDenied(_("Your account is not linked to an organisation yet."))
    organisation = organisation or requester.organisation
    if organisation.pk != requester.organisation_id and organisation.dealer_id != requester.organisation_id:
        raise PermissionDenied(_("You cannot file requests for this organisation."))
    organisation_check_active(organisation)
    if entitlement is None:
        entitlement = entitlement_for(organisation, data.get("license"), explain=False)
    tariff = entitlement.tariff if entitlement is not None else None
    if basic_terms and tariff is not None and tariff_charges_points(tariff):
        tariff = default_tariff()
    # Every channel is checked against the tariff before anything is written.
    channel_check(tariff, channel)
    accepted = check_uploads(files)
    # The customer declares an urgency; the SLA urgency is the tariff's default until triage.
    data = {key: value for key, value in data.items() if key not in ("urgency", "triaged_at")}
    with _StoredFiles() as stored, transaction.atomic():
        claim = None
        if submission_key:
            claim = _submission_claim(requester, submission_key)
            if isinstance(claim, Ticket):
                return claim
        ticket = Ticket(
            organisation=organisation,
            requester=requester,
            channel=channel,
            language=language,
            urgency=Urgency.NORMAL,
            awaiting_reply_since=timezone.now(),
            **data,
        )
        # The clocks are computed before the row is written, so the ticket is inserted once
        # with its tariff revision and nearest deadline, and its targets in one statement.
        targets = sla_clock.clock_prepare(ticket, tariff) if tariff is not None else []
        ticket.search = ticket_vector(ticket.subject, ticket.body, ticket.language)
        ticket.save(force_insert=True)
        Event.objects.create(ticket=ticket, actor=requester, kind=Event.Kind.CREATED, new_value=Status.NEW)
        if tariff is not None:
            wallet_charge_ticket(
                organisation=organisation, tariff=tariff, ticket_number=ticket.number,
                kind=ticket.kind, urgency=ticket.customer_urgency,
            )
        for target in targets:
            target.ticket = ticket
        SlaTarget.objects.bulk_create(targets)
        _attach(ticket, None, requester, accepted, stored)
        if claim is not None:
            claim.ticket = ticket
            claim.save(update_fields=["ticket"])
        if ticket.is_declared_emergency:
            _notify_declared_emergency(ticket)
        if confirm:
            _confirm(ticket, requester, language, targets)
        transaction.on_commit(lambda: ticket_filed.send_robust(sender=Ticket, ticket=ticket))
    return ticket


def _confirm(ticket, requester, language, targets):
    """The confirmation is rendered by the worker (after commit), not while the customer
    waits; it promises the deadlines computed at filing (``email_contexts.created_params``)."""
    email_enqueue_deferred(
        to=requester.email,
        template="tickets/email/created",
        builder=email_contexts.CREATED,
        params=email_contexts.created_params(ticket, requester, targets),
        language=requester.email_language(language),
        topic=f"ticket:{ticket.number}",
        headers=ticket_email_headers(ticket),
    )


def _submission_claim(requester, key):
    """The new claim row, or the ticket an earlier request with this key made.

    The insert waits on the unique index while another transaction holding the same
    key is open; when that one commits, ours fails and its ticket is returned."""
    try:
        with transaction.atomic():
            return TicketSubmission.objects.create(requester=requester, key=key[:200])
    except IntegrityError:
        earlier = TicketSubmission.objects.select_related("ticket").get(requester=requester, key=key[:200])
        return earlier.ticket


def _notify_declared_emergency(ticket):
    """A customer-declared emergency reaches every engineer on duty now (their schedule's
    hours, days off excepted), or the queue address when nobody is."""
    recipients = [(e.email, e.language or settings.LANGUAGE_CODE) for e in engineers_on_duty(ticket.created_at)]
    for address, language in recipients or [(settings.SUPPORT_QUEUE_EMAIL, settings.LANGUAGE_CODE)]:
        email_enqueue(
            to=address,
            template="tickets/email/declared_emergency",
            context={"ticket": ticket, "url": reverse("workspace:work", args=[ticket.number])},
            language=language,
            topic=f"ticket:{ticket.number}",
            headers=ticket_email_headers(ticket),
        )


def ticket_mark_triaged(ticket, now):
    """The first triage of a ticket ends its "declared emergency, awaiting triage" state."""
    if ticket.triaged_at is None:
        ticket.triaged_at = now


def ticket_filing_refusal(organisation, channel):
    """Why the organisation cannot file through this channel now, or '' if it can (for
    pages that show the refusal instead of a form nobody may send)."""
    try:
        organisation_check_active(organisation)
        if channel is not None:
            entitlement = entitlement_for(organisation)
            channel_check(entitlement.tariff if entitlement else None, channel)
    except PermissionDenied as exc:
        return str(exc)
    return ""


def organisation_check_active(organisation):
    """A deactivated organisation keeps read access to its history but files nothing new."""
    if not organisation.is_active:
        raise PermissionDenied(
            _("Your organisation's support account is inactive: you can read your requests, but not file or "
              "change them. Contact us to reactivate it.")
        )


def channel_refusal_tell(user, refusal, language):
    """Tell someone whose request came through a channel their tariff lacks (e.g. by email)
    why nothing was opened and how to upgrade, in their language; returns the message."""
    with translation.override(user.language or language):
        message = str(refusal)
    email_enqueue(
        to=user.email, template="tickets/email/channel_refused", context={"user": user, "message": message},
        language=user.email_language(language), topic=f"channel-refused:{user.pk}",
    )
    return message


def ticket_lock(ticket):
    """The ticket's row, locked for the rest of the caller's transaction (fresh state)."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def ticket_set_status(ticket, new_status, actor, now):
    """Change a locked ticket's status without the workflow check (callers have checked it),
    write the status event and move the SLA clocks; False when nothing changed."""
    old = ticket.status
    if old == new_status:
        return False
    ticket.status = new_status
    if new_status == Status.RESOLVED:
        ticket.resolved_at = now
    elif new_status == Status.CLOSED:
        ticket.closed_at = now
    elif new_status == Status.OPEN:
        ticket.resolved_at = ticket.closed_at = None
    Event.objects.create(
        ticket=ticket, actor=actor, kind=Event.Kind.STATUS, field="status",
        old_value=old, new_value=new_status, created_at=now,
    )
    sla_clock.on_status_change(ticket, old, new_status)
    if new_status == Status.RESOLVED:
        satisfaction_request(ticket, now)
    return True


def tickets_set_status_many(tickets, new_status, actor, now):
    """``ticket_set_status`` for many locked tickets in a fixed number of statements (an
    incident's update opening its new tickets, its resolution resolving them all), with the
    same rules: a status event each, resolution and commitment met by resolving (late is a
    breach), clocks paused on entering a paused status; the rare moves out of one fall back
    to the one-by-one path. No survey email (the incident tells each person once). Sets the
    fields on the objects; the caller saves them. Returns the tickets that changed."""
    changed = [t for t in tickets if t.status != new_status]
    if not changed:
        return []
    Event.objects.bulk_create([
        Event(ticket=t, actor=actor, kind=Event.Kind.STATUS, field="status", old_value=t.status, new_value=new_status,
              created_at=now)
        for t in changed
    ])
    paused = sla_clock.PAUSED_STATUSES
    leaving = [(t, t.status) for t in changed if t.status in paused and new_status not in paused]
    entering = [t for t in changed if t.status not in paused and new_status in paused]
    for ticket in changed:
        ticket.status = new_status
        if new_status == Status.RESOLVED:
            ticket.resolved_at = now
        elif new_status == Status.CLOSED:
            ticket.closed_at = now
        elif new_status == Status.OPEN:
            ticket.resolved_at = ticket.closed_at = None
    if new_status == Status.RESOLVED:
        sla_clock.targets_meet_many(changed, "resolution", now)
        sla_clock.targets_meet_many(changed, "commitment", now)
    if entering:
        sla_clock.clocks_pause_many(entering)
    for ticket, old in leaving:
        sla_clock.on_status_change(ticket, old, new_status)
    return changed


def transition_check(ticket, actor, to_status):
    """Raise ValidationError unless ``actor`` may move ``ticket`` to ``to_status`` now."""
    merged_refusal(ticket)
    if to_status not in workflow.allowed_transitions(actor, ticket.status):
        raise ValidationError(
            _("A ticket that is “%(old)s” cannot become “%(new)s”.")
            % {"old": Status(ticket.status).label, "new": Status(to_status).label}
        )
    if to_status == Status.WAITING and ticket.first_response_at is None:
        raise ValidationError(
            _("Reply to the customer first: a ticket waits for the customer only after support has said what it needs.")
        )
    if to_status == Status.RESOLVED and ticket.kind == "error" and not ticket.resolution_summary:
        raise ValidationError(
            _("Resolve a system error with the resolution form: say what was fixed and how to prevent it.")
        )


def merged_refusal(ticket):
    """A merged ticket is a closed pointer: its conversation continues on the target."""
    if ticket.merged_into_id is not None:
        raise ValidationError(
            _("%(ref)s is merged into another ticket: continue the conversation there.") % {"ref": ticket.reference}
        )


def ticket_transition(*, ticket, actor, to_status):
    """Change status along the workflow (``workflow.py``); anything else is refused.

    "Waiting for customer" pauses the clocks, so it needs a public reply first: a new
    ticket gets there only through ``ticket_reply(wait_for_customer=True)``.
    """
    to_status = Status(to_status)
    if not actor.is_engineer:
        organisation_check_active(ticket.organisation)
    with transaction.atomic():
        ticket = ticket_lock(ticket)
        transition_check(ticket, actor, to_status)
        now = timezone.now()
        ticket_set_status(ticket, to_status, actor, now)
        ticket.updated_at = now
        ticket.save()
        # "Waiting for you" always goes out (the customer must act); resolved and closed
        # are optional notifications each customer (requester or watcher) may switch off.
        if actor.is_engineer and to_status in (Status.WAITING, Status.RESOLVED, Status.CLOSED):
            for person in ticket_customer_recipients(ticket):
                if to_status != Status.WAITING and not person.wants_notification("status_changes"):
                    continue
                email_enqueue(
                    to=person.email,
                    template="tickets/email/status",
                    context={"ticket": ticket, "user": person, "url": _portal_url(ticket)},
                    language=person.email_language(ticket.language),
                    topic=f"ticket:{ticket.number}",
                    headers=ticket_email_headers(ticket),
                )
    return ticket


def ticket_reply(
    *, ticket, author, body, files=(), internal=False, channel=Channel.WEB, then_status=None, wait_for_customer=False,
):
    """Add to the conversation.

    Only an engineer's public reply may put the ticket into "waiting for customer"
    (``wait_for_customer``); the reply itself is the message that asks them to act.

    A customer's reply to a ticket waiting for them, or already resolved, reopens it;
    a closed ticket must be reopened first. An engineer's first public reply is the
    ticket's first response and opens a new ticket. Internal notes are for engineers
    only and never reach the customer. The customer hears of an engineer's public reply;
    the assignee (or the queue) hears of a customer's.

    ``then_status`` (engineers' public replies only: waiting or resolved) changes the
    status in the same transaction, and the customer gets one email saying both.
    A customer's public reply marks the ticket as awaiting a reply (``awaiting_reply_since``,
    the time of their latest message); an engineer's public reply clears it.
    """
    if internal and not author.is_engineer:
        raise PermissionDenied(_("Only engineers can add internal notes."))
    if not author.is_engineer:
        organisation_check_active(ticket.organisation)
    if wait_for_customer:
        if internal or not author.is_engineer:
            raise ValidationError(_("Only a public reply from support can wait for the customer's answer."))
    if then_status is not None:
        then_status = Status(then_status)
        if internal or not author.is_engineer or then_status not in (Status.WAITING, Status.RESOLVED):
            raise ValidationError(_("Only an engineer's public reply can also set the ticket waiting or resolved."))
    with _StoredFiles() as stored, transaction.atomic():
        ticket = ticket_lock(ticket)
        merged_refusal(ticket)
        if ticket.status == Status.CLOSED and not author.is_engineer:
            raise ValidationError(_("This ticket is closed. Reopen it to continue the conversation."))
        accepted = check_uploads(files, already_attached_bytes=attached_bytes(ticket))
        now = timezone.now()
        visibility = Message.Visibility.INTERNAL if internal else Message.Visibility.PUBLIC
        message = Message.objects.create(
            ticket=ticket, author=author, body=body, visibility=visibility, channel=channel, created_at=now
        )
        ticket_search_append(ticket, body, internal=internal)
        Event.objects.create(
            ticket=ticket, actor=author, kind=Event.Kind.NOTE if internal else Event.Kind.REPLIED,
            is_internal=internal, created_at=now,
        )
        _attach(ticket, message, author, accepted, stored)
        if not internal:
            if author.is_engineer:
                if ticket.first_response_at is None:
                    ticket.first_response_at = now
                    ticket.first_response_business_seconds = sla_clock.business_seconds_since_filing(ticket, now)
                    sla_clock.target_meet(ticket, "first_response", now)
                if wait_for_customer and ticket.status in (Status.NEW, Status.OPEN):
                    ticket_set_status(ticket, Status.WAITING, author, now)
                elif ticket.status == Status.NEW:
                    ticket_set_status(ticket, Status.OPEN, author, now)
                ticket.awaiting_reply_since = None
                if then_status is not None and then_status != ticket.status:
                    transition_check(ticket, author, then_status)
                    ticket_set_status(ticket, then_status, author, now)
                for person in ticket_customer_recipients(ticket):
                    email_enqueue(
                        to=person.email,
                        template="tickets/email/reply",
                        context={"ticket": ticket, "message": message, "user": person, "url": _portal_url(ticket),
                                 "new_status": then_status},
                        language=person.email_language(ticket.language),
                        topic=f"ticket:{ticket.number}",
                        headers=ticket_email_headers(ticket),
                    )
            else:
                if ticket.status in (Status.WAITING, Status.RESOLVED):
                    ticket_set_status(ticket, Status.OPEN, author, now)
                ticket.awaiting_reply_since = now
                _notify_customer_replied(ticket, message)
        ticket.updated_at = now
        ticket.save()
    return message


def _notify_customer_replied(ticket, message):
    """Engineers hear of a customer's reply: the assignee (unless they switched it off),
    or the queue address while nobody has the ticket."""
    if ticket.assignee_id and not ticket.assignee.wants_notification("customer_replied"):
        return
    recipient, language = engineer_recipient(ticket)
    email_enqueue(
        to=recipient,
        template="tickets/email/customer_replied",
        context={"ticket": ticket, "message": message, "url": reverse("workspace:work", args=[ticket.number])},
        language=language,
        topic=f"ticket:{ticket.number}",
        headers=ticket_email_headers(ticket, engineer_address=recipient),
    )


def ticket_note_system(*, ticket, body):
    """An internal note written by the system, not a person (e.g. attachments refused
    on an emailed message). Engineers see it; customers never do, and nobody is emailed."""
    with transaction.atomic():
        now = timezone.now()
        message = Message.objects.create(
            ticket=ticket, author=None, body=body, visibility=Message.Visibility.INTERNAL,
            channel=Channel.EMAIL, created_at=now,
        )
        ticket_search_append(ticket, body, internal=True)
        Event.objects.create(ticket=ticket, actor=None, kind=Event.Kind.NOTE, is_internal=True, created_at=now)
    return message


def ticket_assign(*, ticket, actor, assignee):
    """Engineers take a ticket or hand it to another engineer; a new ticket becomes open.
    An engineer given a ticket by someone else is emailed (an optional notification)."""
    if not actor.is_engineer or (assignee is not None and not assignee.is_engineer):
        raise PermissionDenied(_("Only engineers can be assigned to tickets."))
    with transaction.atomic():
        ticket = ticket_lock(ticket)
        if ticket.assignee_id == (assignee.pk if assignee else None):
            return ticket
        now = timezone.now()
        old = ticket.assignee
        Event.objects.create(
            ticket=ticket, actor=actor, kind=Event.Kind.ASSIGNED, field="assignee",
            old_value=old.full_name if old else "", new_value=assignee.full_name if assignee else "", created_at=now,
        )
        ticket.assignee = assignee
        if ticket.status == Status.NEW and assignee is not None:
            ticket_set_status(ticket, Status.OPEN, actor, now)
        ticket.updated_at = now
        ticket.save()
        if assignee is not None and assignee.pk != actor.pk and assignee.wants_notification("assigned_to_me"):
            email_enqueue(
                to=assignee.email,
                template="tickets/email/assigned",
                context={"ticket": ticket, "actor": actor, "user": assignee,
                         "url": reverse("workspace:work", args=[ticket.number])},
                language=assignee.language or settings.LANGUAGE_CODE,
                topic=f"ticket:{ticket.number}",
                headers=ticket_email_headers(ticket, engineer_address=assignee.email),
            )
    return ticket


def ticket_set_urgency(*, ticket, actor, urgency):
    """Engineers set the urgency at triage; the SLA clocks follow the new urgency's targets,
    recomputed from the filing time."""
    if not actor.is_engineer:
        raise PermissionDenied(_("Only engineers can set the urgency."))
    with transaction.atomic():
        ticket = ticket_lock(ticket)
        if ticket.urgency == urgency:
            if ticket.triaged_at is None:
                ticket_mark_triaged(ticket, timezone.now())
                ticket.save(update_fields=["triaged_at"])
            return ticket
        ticket_mark_triaged(ticket, timezone.now())
        Event.objects.create(
            ticket=ticket, actor=actor, kind=Event.Kind.FIELD, field="urgency",
            old_value=ticket.urgency, new_value=urgency,
        )
        ticket.urgency = urgency
        ticket.updated_at = timezone.now()
        ticket.save()
        sla_clock.clock_recompute(ticket)
    return ticket


def callback_request(*, ticket, user, phone, preferred_time=""):
    """A customer asks to be called about a ticket; only tariffs with phone support allow
    it, and never on a closed ticket (there is nothing left to discuss on it)."""
    if ticket.status == Status.CLOSED:
        raise PermissionDenied(_("This request is closed. To discuss it by phone, file a new request."))
    if ticket.tariff is None:
        raise PermissionDenied(_("Your tariff does not include phone support."))
    channel_check(ticket.tariff, Channel.PHONE)
    organisation_check_active(ticket.organisation)
    with transaction.atomic():
        request = CallbackRequest.objects.create(
            ticket=ticket, requested_by=user, phone=phone, preferred_time=preferred_time
        )
        wallet_charge_callback(
            organisation=ticket.organisation, tariff=ticket.tariff, callback_id=request.pk, ticket_number=ticket.number,
        )
        Event.objects.create(ticket=ticket, actor=user, kind=Event.Kind.CALLBACK, new_value=phone[:200])
        recipient, language = engineer_recipient(ticket)
        email_enqueue(
            to=recipient,
            template="tickets/email/callback",
            context={"ticket": ticket, "callback": request, "url": reverse("workspace:work", args=[ticket.number])},
            language=language,
            topic=f"ticket:{ticket.number}",
        )
    return request
