"""Who may post as whom by email (inbound/README.md, "Who may post as whom"): forged
engineers, forged senders, verdicts, backscatter, limits, duplicates across routes."""

import pytest
from django.test import override_settings

from helpdesk.accounts.models import User
from helpdesk.mail.models import OutboundEmail
from inbound.models import InboundMessage, Mailbox, UnverifiedContact
from tickets import services as ticket_services
from tickets.models import Message, Ticket

from .conftest import TRUSTED_ID, build_mail, verified

pytestmark = pytest.mark.django_db


def _ticket(customer):
    return ticket_services.ticket_create(requester=customer, data={"kind": "error", "subject": "Import", "body": "x"})


def _nothing_posted(ticket):
    ticket.refresh_from_db()
    assert not Message.objects.filter(ticket=ticket, author__isnull=False).exists()
    assert ticket.first_response_at is None


# ---------------------------------------------------------------- forged engineers


def test_engineer_from_header_with_the_customers_reply_address_is_parked(deliver, customer_a, engineer):
    ticket = _ticket(customer_a)
    OutboundEmail.objects.all().delete()
    row = deliver(build_mail(sender=engineer.email, to=ticket_services.ticket_reply_address(ticket),
                             body="Please send your password to me."))
    assert (row.state, row.hold) == (InboundMessage.State.PARKED, InboundMessage.Hold.ENGINEER)
    _nothing_posted(ticket)
    assert not OutboundEmail.objects.exists()  # nobody emailed in the engineer's name


def test_a_signature_for_another_engineer_is_no_proof(deliver, customer_a, engineer, engineer_l2):
    ticket = _ticket(customer_a)
    for_piotr = ticket_services.ticket_reply_address(ticket, engineer_l2.email)
    row = deliver(build_mail(sender=engineer.email, to=for_piotr))
    assert row.hold == InboundMessage.Hold.ENGINEER
    tampered = for_piotr.replace(for_piotr.split("-")[1][:4], "0000")
    assert deliver(build_mail(sender=engineer_l2.email, to=tampered)).hold == InboundMessage.Hold.ENGINEER
    _nothing_posted(ticket)


def test_the_engineers_notification_carries_their_signed_reply_address(deliver, customer_a, engineer):
    ticket = _ticket(customer_a)
    ticket_services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    ticket_services.ticket_reply(ticket=ticket, author=customer_a, body="Any news?")
    notice = OutboundEmail.objects.get(to=engineer.email, subject__contains="Customer replied")
    customer_mail = OutboundEmail.objects.filter(to=customer_a.email).first()
    assert notice.headers["Reply-To"] != customer_mail.headers["Reply-To"]
    row = deliver(build_mail(sender=engineer.email, to=notice.headers["Reply-To"], body="Fixed."))
    assert row.outcome == InboundMessage.Outcome.REPLY and ticket.messages.last().author == engineer


def test_a_reply_to_the_queue_notification_proves_an_engineer(deliver, customer_a, engineer, settings):
    ticket = _ticket(customer_a)
    queue_address = ticket_services.ticket_reply_address(ticket, settings.SUPPORT_QUEUE_EMAIL)
    assert deliver(build_mail(sender=engineer.email, to=queue_address)).outcome == InboundMessage.Outcome.REPLY


@override_settings(INBOUND_ENGINEER_DKIM_DOMAINS=["helpdesk.example"])
def test_dkim_verified_for_the_support_domain_is_proof_but_only_from_our_server(deliver, customer_a, engineer):
    ticket = _ticket(customer_a)
    address = ticket_services.ticket_reply_address(ticket)
    forged = deliver(build_mail(sender=engineer.email, to=address, headers={
        "Authentication-Results": "mx.evil.example; dkim=pass header.d=helpdesk.example"}))
    assert forged.hold == InboundMessage.Hold.ENGINEER
    signed = deliver(build_mail(sender=engineer.email, to=address, headers={
        "Authentication-Results": f"{TRUSTED_ID}; dkim=pass header.d=helpdesk.example; dmarc=pass"}))
    assert signed.outcome == InboundMessage.Outcome.REPLY


# ---------------------------------------------------------------- encoded words


def test_an_engineers_address_in_an_encoded_name_is_not_the_engineer(deliver, customer_a, engineer):
    ticket = _ticket(customer_a)
    sender = f"=?utf-8?q?Olga_=3C{engineer.email.replace('@', '=40')}=3E?= <mallory@evil.example>"
    raw = build_mail(sender="mallory@evil.example", to=ticket_services.ticket_reply_address(ticket))
    raw = raw.replace(b"From: mallory@evil.example", f"From: {sender}".encode())
    row = deliver(raw)
    assert row.from_address == "mallory@evil.example" and row.state == InboundMessage.State.REJECTED
    _nothing_posted(ticket)


def test_an_encoded_bcc_in_the_name_sends_nothing_to_a_third_address(contact_mailbox, deliver):
    raw = build_mail(sender="mallory@evil.example", headers=verified("evil.example"))
    raw = raw.replace(b"From: mallory@evil.example",
                      b"From: =?utf-8?q?Anna=0D=0ABcc=3A_victim=40third.example?= <mallory@evil.example>")
    row = deliver(raw)
    assert row.outcome == InboundMessage.Outcome.NEW_TICKET
    assert row.ticket.requester.email == "mallory@evil.example"
    assert "\n" not in row.ticket.requester.full_name
    assert set(OutboundEmail.objects.values_list("to", flat=True)) == {"mallory@evil.example"}
    assert not OutboundEmail.objects.filter(to__contains="victim").exists()


# ---------------------------------------------------------------- verdicts


@pytest.mark.parametrize("results", [
    "spf=fail smtp.mailfrom=acme.example",
    "spf=fail smtp.mailfrom=acme.example; dkim=fail header.d=acme.example",
    "dkim=fail header.d=acme.example",
    "spf=pass smtp.mailfrom=acme.example; dmarc=fail header.from=acme.example",
])
def test_failing_mail_from_a_known_customer_neither_threads_nor_opens(deliver, customer_a, results):
    ticket = _ticket(customer_a)
    OutboundEmail.objects.all().delete()
    headers = {"Authentication-Results": f"{TRUSTED_ID}; {results}"}
    reply = deliver(build_mail(sender=customer_a.email, to=ticket_services.ticket_reply_address(ticket),
                               headers=headers))
    new = deliver(build_mail(sender=customer_a.email, headers=headers, subject="Other"))
    for row in (reply, new):
        assert (row.state, row.hold, row.ticket) == (InboundMessage.State.PARKED,
                                                     InboundMessage.Hold.AUTHENTICATION, None)
    assert Ticket.objects.count() == 1 and not ticket.messages.exists()
    assert not OutboundEmail.objects.exists()


def test_failing_mail_from_an_unknown_sender_opens_no_contact_and_gets_no_answer(contact_mailbox, deliver):
    row = deliver(build_mail(sender="someone@example.org", headers={
        "Authentication-Results": f"{TRUSTED_ID}; spf=fail smtp.mailfrom=example.org; dkim=fail"}))
    assert row.hold == InboundMessage.Hold.AUTHENTICATION
    assert not User.objects.filter(email="someone@example.org").exists() and not OutboundEmail.objects.exists()


def test_a_fail_below_a_forged_pass_still_counts(deliver, customer_a):
    raw = build_mail(sender=customer_a.email, headers={
        "Authentication-Results": f"{TRUSTED_ID}; spf=fail smtp.mailfrom=acme.example"})
    raw = b"Authentication-Results: mx.evil.example; dmarc=pass header.from=acme.example\r\n" + raw
    assert deliver(raw).hold == InboundMessage.Hold.AUTHENTICATION


# ---------------------------------------------------------------- backscatter


@override_settings(INBOUND_SENDER_LIMIT=5, INBOUND_SENDER_WINDOW_SECONDS=600)
def test_a_known_customers_robot_is_limited_per_address(deliver, customer_a):
    rows = [deliver(build_mail(sender=customer_a.email, subject=f"Alert {i}")) for i in range(20)]
    assert [r.outcome for r in rows].count(InboundMessage.Outcome.NEW_TICKET) == 5
    assert {r.hold for r in rows[5:]} == {InboundMessage.Hold.RATE}
    assert Ticket.objects.count() == 5 and OutboundEmail.objects.filter(to=customer_a.email).count() == 5


@override_settings(INBOUND_DOMAIN_LIMIT=3, INBOUND_DOMAIN_WINDOW_SECONDS=3600)
def test_many_addresses_of_one_domain_are_limited_per_domain(contact_mailbox, deliver):
    rows = [deliver(build_mail(sender=f"bot{i}@spam.example", headers=verified("spam.example"))) for i in range(8)]
    assert [r.outcome for r in rows].count(InboundMessage.Outcome.NEW_TICKET) == 3
    assert User.objects.filter(email__endswith="@spam.example").count() == 3
    assert OutboundEmail.objects.count() == 3


def test_unverified_contact_gets_nothing_and_a_verified_one_no_subject(contact_mailbox, deliver):
    subject = "Cheap pills at http://spam.example"
    unverified = deliver(build_mail(sender="one@example.org", subject=subject))
    assert unverified.outcome == InboundMessage.Outcome.NEW_TICKET and not OutboundEmail.objects.exists()
    good = deliver(build_mail(sender="two@example.net", subject=subject, headers=verified("example.net")))
    confirmation = OutboundEmail.objects.get(to="two@example.net")
    assert good.ticket.reference in confirmation.subject
    assert "spam.example" not in confirmation.subject + confirmation.body_text + confirmation.body_html
    assert UnverifiedContact.objects.filter(user=good.ticket.requester).exists()


def test_instructions_go_only_to_a_verified_sender_and_repeat_nothing(deliver):
    deliver(build_mail(sender="forged@example.org", subject="Visit spam.example"))
    assert not OutboundEmail.objects.exists()
    deliver(build_mail(sender="real@example.org", subject="Visit spam.example", headers=verified("example.org")))
    instructions = OutboundEmail.objects.get(to="real@example.org")
    assert "spam.example" not in instructions.subject + instructions.body_text


def test_a_deactivated_customer_never_files_into_their_former_organisation(contact_mailbox, deliver, customer_a):
    customer_a.is_active = False
    customer_a.save()
    row = deliver(build_mail(sender=customer_a.email, headers=verified("acme.example")))
    assert row.state == InboundMessage.State.REJECTED and not Ticket.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_an_unverified_contact_keeps_filing_into_its_own_organisation(contact_mailbox, deliver):
    first = deliver(build_mail(sender="new@example.org"))
    second = deliver(build_mail(sender="new@example.org", subject="Again"))
    assert second.outcome == InboundMessage.Outcome.NEW_TICKET
    assert second.ticket.organisation == first.ticket.organisation
    assert second.ticket.organisation.name == "new@example.org (unverified)"


# ---------------------------------------------------------------- limits and duplicates


@override_settings(INBOUND_MAX_MIME_PARTS=10)
def test_mime_parts_over_the_cap_are_not_stored_and_the_sender_is_told(deliver, customer_a):
    raw = build_mail(sender=customer_a.email, files=[(f"f{i}.txt", b"note %d" % i, "text/plain") for i in range(30)])
    row = deliver(raw)
    assert row.outcome == InboundMessage.Outcome.NEW_TICKET
    assert row.ticket.attachments.count() == 9  # ten parts: the text and nine files
    note = row.ticket.messages.get(author__isnull=True)
    assert "21 more parts" in note.body
    assert OutboundEmail.objects.filter(to=customer_a.email, subject__contains="Files not accepted").exists()


def test_a_mail_without_message_id_through_two_mailboxes_opens_one_ticket(deliver, mailbox, customer_a):
    other = Mailbox.objects.create(name="sales", address="sales@helpdesk.localhost", host="127.0.0.1",
                                   username="sales", password_env="HELPDESK_MAILBOX_TEST_PASSWORD")
    raw = build_mail(sender=customer_a.email, message_id=False, to="support@helpdesk.localhost, sales@helpdesk.localhost")
    first = deliver(b"Received: from mx1 by support\r\nDelivered-To: support@helpdesk.localhost\r\n" + raw)
    second = deliver(b"Received: from mx2 by sales\r\nDelivered-To: sales@helpdesk.localhost\r\n" + raw, box=other)
    again = deliver(b"Received: from mx3 by support\r\n" + raw)  # fetched twice by another route
    assert first.outcome == InboundMessage.Outcome.NEW_TICKET
    assert second.state == InboundMessage.State.IGNORED and second.ticket == first.ticket
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1
