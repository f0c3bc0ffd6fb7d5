"""Inbound mail through the services: tickets, replies, refusals, loops, spoofing."""

import pytest
from django.test import override_settings

from helpdesk.accounts.models import User
from helpdesk.mail.models import OutboundEmail
from helpdesk.mail.services import email_render_deferred
from inbound import services
from inbound.models import InboundMessage
from tickets import services as ticket_services
from tickets.models import Channel, Status, Ticket

from .conftest import TRUSTED_ID, build_mail, refuse_tickets_at_commit, verified
from .fixtures import creates_ticket, raw, rfc822_names

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WINDOWS_PE = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 64


def _ticket_for(customer, subject="Import fails"):
    return ticket_services.ticket_create(
        requester=customer, data={"kind": "error", "subject": subject, "body": "Error 500"}
    )


def _reply_address(ticket):
    return ticket_services.ticket_reply_address(ticket)


# ---------------------------------------------------------------- new tickets


def test_known_customer_opens_a_ticket_by_email_and_gets_a_confirmation(deliver, customer_a):
    row = deliver(build_mail(sender="Anna@Acme.example", name="Anna", subject="Export fails with 500"))
    assert (row.state, row.outcome) == (InboundMessage.State.IMPORTED, InboundMessage.Outcome.NEW_TICKET)
    ticket = row.ticket
    assert ticket.requester == customer_a and ticket.organisation == customer_a.organisation
    assert ticket.channel == Channel.EMAIL and ticket.subject == "Export fails with 500"
    assert ticket.body == "Error 500 on export."
    confirmation = OutboundEmail.objects.get(topic=f"ticket:{ticket.number}", to=customer_a.email)
    confirmation = email_render_deferred(confirmation)  # as the worker renders it
    assert ticket.reference in confirmation.subject
    assert confirmation.headers["Reply-To"] == f"support+{ticket.token.hex}@helpdesk.localhost"
    assert "reply to this email" in confirmation.body_text


def test_new_mail_keeps_the_whole_text_including_a_forward(deliver, customer_a):
    mail = _addressed(raw("djangohelpdesk__forwarded-message.eml"), customer_a.email, "support@helpdesk.localhost")
    row = deliver(mail)
    assert row.outcome == InboundMessage.Outcome.NEW_TICKET
    assert "This is email body" in row.ticket.body and "Hello there!" in row.ticket.body


def test_mail_without_subject_or_text_still_opens_a_ticket(deliver, customer_a):
    row = deliver(build_mail(sender=customer_a.email, subject="", body="", files=[("shot.png", PNG, "image/png")]))
    assert row.state == InboundMessage.State.IMPORTED
    assert row.ticket.subject == "(no subject)" and row.ticket.attachments.count() == 1


def test_unknown_sender_gets_instructions_once_a_day_and_nothing_is_opened(deliver):
    first = deliver(build_mail(sender="stranger@example.org", headers=verified("example.org")))
    second = deliver(build_mail(sender="stranger@example.org", headers=verified("example.org")))
    assert first.state == second.state == InboundMessage.State.REJECTED
    assert first.outcome == InboundMessage.Outcome.INSTRUCTIONS and second.outcome == ""
    assert not Ticket.objects.exists()
    assert OutboundEmail.objects.filter(to="stranger@example.org").count() == 1
    instructions = OutboundEmail.objects.get(to="stranger@example.org")
    assert "/accounts/signup/" in instructions.body_text and "Reply-To" not in instructions.headers


def test_unknown_sender_on_a_contact_mailbox_becomes_an_unverified_contact(contact_mailbox, deliver):
    row = deliver(build_mail(sender="new.person@example.org", name="New Person"))
    ticket = row.ticket
    contact = ticket.requester
    assert row.outcome == InboundMessage.Outcome.NEW_TICKET
    assert (contact.email, contact.full_name, contact.is_active) == ("new.person@example.org", "New Person", False)
    assert not contact.has_usable_password()
    assert contact.organisation.name == "new.person@example.org (unverified)"
    # The contact cannot see anything: inactive users see no tickets.
    again = deliver(build_mail(sender="new.person@example.org", subject="Another one"))
    assert again.ticket.requester == contact and User.objects.filter(email="new.person@example.org").count() == 1


def test_an_unverified_contact_never_joins_an_existing_organisation(contact_mailbox, deliver, customer_a):
    row = deliver(build_mail(sender="someone@acme.example"))
    assert row.ticket.organisation != customer_a.organisation


def test_engineer_cannot_open_a_ticket_by_email(deliver, engineer):
    row = deliver(build_mail(sender=engineer.email))
    assert row.state == InboundMessage.State.REJECTED and not Ticket.objects.exists()


# ---------------------------------------------------------------- replies


def test_reply_to_the_token_address_joins_the_ticket_stripped(deliver, customer_a, engineer):
    ticket = _ticket_for(customer_a)
    ticket_services.ticket_reply(ticket=ticket, author=engineer, body="Which version?")
    ticket_services.ticket_transition(ticket=ticket, actor=engineer, to_status=Status.WAITING)
    body = "Version 3.2.1.\n\nOn Mon, 1 May 2023 at 10:00, Support <support@helpdesk.localhost> wrote:\n> Which version?\n"
    row = deliver(build_mail(sender=customer_a.email, to=_reply_address(ticket), subject=f"Re: [{ticket.reference}]", body=body))
    assert (row.state, row.outcome, row.ticket) == (InboundMessage.State.IMPORTED, InboundMessage.Outcome.REPLY, ticket)
    message = ticket.messages.order_by("-pk").first()
    assert (message.author, message.body, message.channel) == (customer_a, "Version 3.2.1.", Channel.EMAIL)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # waiting → open on the customer's reply
    # The engineers hear of it: nobody has the ticket, so the queue address.
    note = OutboundEmail.objects.filter(topic=f"ticket:{ticket.number}", to="queue@helpdesk.localhost")
    assert note.count() == 1 and "Version 3.2.1." in note.get().body_text


def test_reply_threads_by_our_message_id_when_the_plus_address_is_lost(deliver, customer_a):
    ticket = _ticket_for(customer_a)
    confirmation = OutboundEmail.objects.get(topic=f"ticket:{ticket.number}")
    row = deliver(build_mail(sender=customer_a.email, body="More details.",
                             headers={"In-Reply-To": confirmation.message_id, "References": confirmation.message_id}))
    assert row.ticket == ticket and row.outcome == InboundMessage.Outcome.REPLY


def test_reference_in_the_subject_alone_does_not_thread(deliver, customer_a):
    ticket = _ticket_for(customer_a)
    row = deliver(build_mail(sender=customer_a.email, subject=f"Re: [{ticket.reference}] Import fails"))
    assert row.outcome == InboundMessage.Outcome.NEW_TICKET and row.ticket != ticket


def test_a_colleague_of_the_organisation_may_reply(deliver, customer_a, customer_a2):
    ticket = _ticket_for(customer_a)
    row = deliver(build_mail(sender=customer_a2.email, to=_reply_address(ticket), body="I can add: it fails for me too."))
    assert row.ticket == ticket and ticket.messages.get().author == customer_a2


def test_mail_from_another_organisation_quoting_the_token_never_joins_the_ticket(deliver, customer_a, customer_b):
    ticket = _ticket_for(customer_a)
    row = deliver(build_mail(sender=customer_b.email, to=_reply_address(ticket), body="Let me in"))
    assert row.outcome == InboundMessage.Outcome.NEW_TICKET
    assert row.ticket != ticket and row.ticket.organisation == customer_b.organisation
    assert not ticket.messages.exists()


def test_unknown_sender_quoting_the_token_gets_instructions_only(deliver, customer_a):
    ticket = _ticket_for(customer_a)
    row = deliver(build_mail(sender="attacker@evil.example", to=_reply_address(ticket), headers=verified("evil.example")))
    assert row.state == InboundMessage.State.REJECTED and not ticket.messages.exists()
    instructions = OutboundEmail.objects.get(to="attacker@evil.example")
    assert ticket.reference not in instructions.body_text and ticket.subject not in instructions.body_text


def test_forged_sender_failing_dmarc_is_parked(deliver, customer_a):
    ticket = _ticket_for(customer_a)
    row = deliver(build_mail(sender=customer_a.email, to=_reply_address(ticket), headers={
        "Authentication-Results": f"{TRUSTED_ID}; spf=fail smtp.mailfrom=acme.example; dmarc=fail header.from=acme.example",
    }))
    assert (row.state, row.hold) == (InboundMessage.State.PARKED, InboundMessage.Hold.AUTHENTICATION)
    assert not ticket.messages.exists() and row.ticket is None


def test_engineer_reply_by_email_is_a_public_reply_sent_to_the_customer(deliver, customer_a, engineer):
    ticket = _ticket_for(customer_a)
    signed = ticket_services.ticket_reply_address(ticket, engineer.email)  # as in the engineer's notifications
    row = deliver(build_mail(sender=engineer.email, to=signed, body="Fixed in 3.2.2."))
    assert row.outcome == InboundMessage.Outcome.REPLY
    message = ticket.messages.get()
    assert message.author == engineer and not message.is_internal
    assert OutboundEmail.objects.filter(to=customer_a.email, subject__contains="New reply").count() == 1


def test_reply_to_a_closed_ticket_reopens_it(deliver, customer_a):
    ticket = _ticket_for(customer_a)
    ticket_services.ticket_transition(ticket=ticket, actor=customer_a, to_status=Status.CLOSED)
    row = deliver(build_mail(sender=customer_a.email, to=_reply_address(ticket), body="It is back."))
    ticket.refresh_from_db()
    assert row.outcome == InboundMessage.Outcome.REPLY and ticket.status == Status.OPEN


@pytest.mark.parametrize("name", ["zammad__ooo_exchange_1.eml", "zammad__ooo_zimbra.eml", "zammad__ooo_cloud.eml",
                                  "zammad__ooo_gmail.eml"])
def test_out_of_office_to_a_closed_ticket_neither_reopens_nor_answers(deliver, customer_a, name):
    ticket = _ticket_for(customer_a)
    ticket_services.ticket_transition(ticket=ticket, actor=customer_a, to_status=Status.CLOSED)
    emails_before = OutboundEmail.objects.count()
    mail = _addressed(raw(name), customer_a.email, _reply_address(ticket))
    row = deliver(mail)
    ticket.refresh_from_db()
    assert row.state == InboundMessage.State.IGNORED and row.ticket == ticket
    assert ticket.status == Status.CLOSED and not ticket.messages.exists()
    assert OutboundEmail.objects.count() == emails_before


def test_ordinary_exchange_follow_up_to_a_closed_ticket_reopens_it(deliver, customer_a):
    ticket = _ticket_for(customer_a)
    ticket_services.ticket_transition(ticket=ticket, actor=customer_a, to_status=Status.CLOSED)
    row = deliver(_addressed(raw("zammad__not_ooo_exchange_followup.eml"), customer_a.email, _reply_address(ticket)))
    ticket.refresh_from_db()
    assert row.outcome == InboundMessage.Outcome.REPLY and ticket.status == Status.OPEN


def _addressed(mail, sender, to):
    lines = mail.replace(b"\r\n", b"\n").split(b"\n")
    out = []
    for line in lines:
        if line.lower().startswith(b"from:"):
            line = b"From: " + sender.encode()
        elif line.lower().startswith(b"to:"):
            line = b"To: " + to.encode()
        out.append(line)
    return b"\n".join(out)


# ---------------------------------------------------------------- attachments


def test_refused_attachment_still_imports_the_message_notes_it_and_tells_the_sender(deliver, customer_a):
    ticket = _ticket_for(customer_a)
    row = deliver(build_mail(sender=customer_a.email, to=_reply_address(ticket), body="Screens attached",
                             files=[("shot.png", PNG, "image/png"), ("tool.exe", WINDOWS_PE, "application/octet-stream")]))
    assert row.state == InboundMessage.State.IMPORTED and "1 file" in row.reason
    public, note = ticket.messages.order_by("pk")
    assert public.body == "Screens attached" and [a.original_name for a in public.attachments.all()] == ["shot.png"]
    assert note.is_internal and note.author is None and "tool.exe" in note.body
    told = OutboundEmail.objects.get(to=customer_a.email, subject__contains="Files not accepted")
    assert "tool.exe" in told.body_text and told.headers["Reply-To"] == _reply_address(ticket)


@override_settings(ATTACHMENT_MAX_FILE_BYTES=100)
def test_files_over_the_web_form_limit_are_refused_on_a_new_ticket_too(deliver, customer_a):
    row = deliver(build_mail(sender=customer_a.email, files=[("big.png", PNG + b"\x00" * 200, "image/png")]))
    assert row.state == InboundMessage.State.IMPORTED
    assert not row.ticket.attachments.exists()
    assert row.ticket.messages.get().is_internal


# ---------------------------------------------------------------- loops, duplicates, malformed


def test_the_same_message_fetched_twice_is_imported_once(mailbox, customer_a):
    mail = build_mail(sender=customer_a.email)
    first, created = services.inbound_store(mailbox, mail)
    again, created_again = services.inbound_store(mailbox, mail)
    assert created and not created_again and first.pk == again.pk
    services.inbound_process(first.pk)
    services.inbound_process(first.pk)
    assert Ticket.objects.count() == 1


def test_messages_without_message_id_are_told_apart_by_their_bytes(mailbox, customer_a):
    a, _ = services.inbound_store(mailbox, build_mail(sender=customer_a.email, body="one", message_id=False))
    b, _ = services.inbound_store(mailbox, build_mail(sender=customer_a.email, body="two", message_id=False))
    a2, created = services.inbound_store(mailbox, build_mail(sender=customer_a.email, body="one", message_id=False))
    assert a.pk != b.pk and a2.pk == a.pk and not created


def test_our_own_mail_coming_back_is_ignored(deliver):
    row = deliver(build_mail(sender="support@helpdesk.localhost"))
    tagged = deliver(build_mail(sender="support+0123@helpdesk.localhost"))
    assert row.state == tagged.state == InboundMessage.State.IGNORED
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("mail", [b"", b"\x00\x01\x02 not a mail", b"Subject: no sender\n\nbody\n"])
def test_malformed_mail_is_parked_and_the_next_one_goes_through(mailbox, customer_a, mail):
    if mail:
        row, _ = services.inbound_store(mailbox, mail)
        services.inbound_process(row.pk)
        row.refresh_from_db()
        assert row.state == InboundMessage.State.PARKED and row.reason
    ok, _ = services.inbound_store(mailbox, build_mail(sender=customer_a.email))
    services.inbound_process(ok.pk)
    ok.refresh_from_db()
    assert ok.state == InboundMessage.State.IMPORTED


def test_a_failure_while_processing_parks_the_message_and_leaves_nothing_half_done(mailbox, customer_a, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ticket_services, "ticket_create", broken)
    row, _ = services.inbound_store(mailbox, build_mail(sender=customer_a.email))
    services.inbound_process(row.pk)
    row.refresh_from_db()
    assert row.state == InboundMessage.State.PARKED and "disk full" in row.reason
    monkeypatch.undo()
    services.inbound_reprocess(InboundMessage.objects.filter(pk=row.pk))
    row.refresh_from_db()
    assert row.state == InboundMessage.State.IMPORTED and Ticket.objects.count() == 1
    # Processing an imported message again never imports it twice.
    services.inbound_reprocess(InboundMessage.objects.filter(pk=row.pk))
    assert Ticket.objects.count() == 1


def test_a_ticket_the_database_refuses_only_at_commit_parks_the_message(mailbox, customer_a):
    refuse_tickets_at_commit("Poison")
    row, _ = services.inbound_store(mailbox, build_mail(sender=customer_a.email, subject="Poison"))
    services.inbound_process(row.pk)
    row.refresh_from_db()
    assert row.state == InboundMessage.State.PARKED and "refused at commit" in row.reason
    assert not Ticket.objects.filter(subject="Poison").exists() and not OutboundEmail.objects.exists()
    ok, _ = services.inbound_store(mailbox, build_mail(sender=customer_a.email, subject="Fine"))
    services.inbound_process(ok.pk)
    ok.refresh_from_db()
    assert ok.state == InboundMessage.State.IMPORTED


def test_a_message_whose_processing_escapes_never_holds_up_the_ones_behind_it(mailbox, customer_a, monkeypatch):
    from django.db import DatabaseError

    rows = [services.inbound_store(mailbox, build_mail(sender=customer_a.email, subject=s))[0]
            for s in ("Poison", "First", "Second")]
    process = services.inbound_process

    def failing(pk, **kwargs):  # what the savepoint cannot catch, e.g. the row's own save
        if pk == rows[0].pk:
            raise DatabaseError("could not write the row")
        return process(pk, **kwargs)

    monkeypatch.setattr(services, "inbound_process", failing)
    assert services.inbound_process_pending(mailbox) == 3
    states = dict(InboundMessage.objects.values_list("pk", "state"))
    assert [states[row.pk] for row in rows] == ["new", "imported", "imported"]
    poison = InboundMessage.objects.get(pk=rows[0].pk)
    assert poison.attempts == 1 and "could not write the row" in poison.reason
    # A passing fault gets the next polls; one that stays is parked and left alone.
    for _ in range(services.MAX_ATTEMPTS - 1):
        services.inbound_process_pending(mailbox)
    poison.refresh_from_db()
    assert (poison.state, poison.attempts) == (InboundMessage.State.PARKED, services.MAX_ATTEMPTS)
    assert poison.processed_at is not None
    assert services.inbound_process_pending(mailbox) == 0


def test_the_polls_time_limit_parks_nothing_and_stops_the_loop(mailbox, customer_a, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    rows = [services.inbound_store(mailbox, build_mail(sender=customer_a.email, subject=s))[0] for s in ("A", "B")]

    def out_of_time(row, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "_handle", out_of_time)
    with pytest.raises(SoftTimeLimitExceeded):
        services.inbound_process_pending(mailbox)
    assert list(InboundMessage.objects.filter(pk__in=[r.pk for r in rows]).values_list("state", "attempts")) == [
        ("new", 0), ("new", 0)]


@override_settings(INBOUND_MAX_MESSAGE_BYTES=500)
@override_settings(INBOUND_KEEP_BYTES_OF_LARGE=1500)
def test_a_message_over_the_size_limit_is_parked_with_its_beginning_and_the_sender_told(deliver, customer_a):
    row = deliver(build_mail(sender=customer_a.email, body="The export fails. " + "x" * 2000))
    assert (row.state, row.hold) == (InboundMessage.State.PARKED, InboundMessage.Hold.SIZE)
    assert b"The export fails." in bytes(row.raw) and len(bytes(row.raw)) == 1500 and row.size > 2000
    assert row.from_address == customer_a.email and not Ticket.objects.exists()
    told = OutboundEmail.objects.get(to=customer_a.email)
    assert "too large" in told.subject and "limit" in told.body_text


@pytest.mark.parametrize("name", rfc822_names())
def test_every_fixture_through_the_pipeline(contact_mailbox, deliver, name):
    row = deliver(raw(name))
    expected = creates_ticket(name)
    if expected is None:
        assert row.state == InboundMessage.State.PARKED, row.reason
    elif expected:
        assert row.state == InboundMessage.State.IMPORTED, row.reason
        assert row.outcome == InboundMessage.Outcome.NEW_TICKET and row.ticket.channel == Channel.EMAIL
    else:
        assert row.state == InboundMessage.State.IGNORED, row.reason
        assert not Ticket.objects.exists() and not OutboundEmail.objects.exists()


# ---------------------------------------------------------------- notifications


def test_assigned_engineer_is_emailed_unless_they_assigned_themselves(customer_a, engineer, engineer_l2):
    ticket = _ticket_for(customer_a)
    ticket_services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    assert not OutboundEmail.objects.filter(to=engineer.email).exists()
    ticket_services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer_l2)
    email = OutboundEmail.objects.get(to=engineer_l2.email)
    assert ticket.reference in email.subject and "/tickets/" in email.body_text


def test_optional_notifications_can_be_switched_off_required_ones_cannot(customer_a, engineer, engineer_l2):
    engineer_l2.notification_prefs = {"assigned_to_me": False, "customer_replied": False}
    engineer_l2.save()
    customer_a.notification_prefs = {"status_changes": False}
    customer_a.save()
    ticket = _ticket_for(customer_a)
    ticket_services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer_l2)
    ticket_services.ticket_reply(ticket=ticket, author=customer_a, body="Any news?")
    assert not OutboundEmail.objects.filter(to=engineer_l2.email).exists()
    ticket_services.ticket_reply(ticket=ticket, author=engineer, body="Which version?")
    ticket_services.ticket_transition(ticket=ticket, actor=engineer, to_status=Status.WAITING)
    ticket_services.ticket_transition(ticket=ticket, actor=engineer, to_status=Status.OPEN)
    ticket.kind = "question"
    ticket.save()
    ticket_services.ticket_transition(ticket=ticket, actor=engineer, to_status=Status.RESOLVED)
    statuses = OutboundEmail.objects.filter(to=customer_a.email, subject__contains="Status")
    assert [s.subject.split("Status: ")[1] for s in statuses] == ["Waiting for customer"]
    assert User(notification_prefs={"anything": False}).wants_notification("anything")


def test_profile_form_switches_only_the_audiences_optional_notifications(client_for, customer_a, engineer):
    response = client_for(customer_a).post("/accounts/profile/", {
        "full_name": "Anna", "language": "", "time_zone": "Europe/Warsaw",
    })
    assert response.status_code == 302
    customer_a.refresh_from_db()
    assert customer_a.notification_prefs == {"status_changes": False}
    page = client_for(engineer).get("/accounts/profile/").content.decode()
    assert "notify_assigned_to_me" in page and "notify_customer_replied" in page and "notify_status_changes" not in page


def test_header_injection_through_names_and_subjects_is_impossible(customer_a, settings, mailoutbox):
    from helpdesk.mail.services import email_deliver

    customer_a.full_name = "Anna\r\nBcc: victim@example.com"
    customer_a.save()
    ticket = ticket_services.ticket_create(
        requester=customer_a, data={"kind": "error", "subject": "Hi\r\nBcc: evil@example.com\nX-Evil: 1", "body": "x"}
    )
    email = OutboundEmail.objects.get(topic=f"ticket:{ticket.number}")
    assert email_deliver(email.pk)
    sent = mailoutbox[0].message().as_bytes()
    headers = sent.split(b"\n\n", 1)[0]
    assert b"\nBcc:" not in headers and b"\nX-Evil:" not in headers
    assert headers.count(b"\nSubject:") == 1
    assert mailoutbox[0].recipients() == [customer_a.email]
