"""Who may post as whom by email, end to end: hostile mail is put into a private
dovecot mailbox, a real Celery worker polls it (``inbound.tasks.poll_mailboxes``),
processes it against the test database and delivers what the portal sends to an SMTP
sink. Every assertion about "nobody was emailed" is made at that sink.

The worker gets its inbound settings from the environment (set before it starts):
our mail server's authserv-id, small rate limits and a small size limit.
"""

import time

import pytest
from django.conf import settings
from django.utils import timezone

from helpdesk.accounts.models import Organisation, User
from helpdesk.mail.models import OutboundEmail
from inbound.models import InboundMessage, Mailbox
from inbound.tasks import poll_mailboxes
from inbound.tests.conftest import allow_tickets_again, refuse_tickets_at_commit
from tickets import services as ticket_services
from tickets.models import Message, Ticket

from ..conftest import it_wait_until
from .mailbox_fixtures import worker_env
from .test_imap_fetch import _mail, _mailbox

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TRUSTED = "mx.helpdesk.test"
WORKER_ENV = {
    "INBOUND_TRUSTED_AUTHSERV_ID": TRUSTED,
    "INBOUND_SENDER_LIMIT": "5",
    "INBOUND_SENDER_WINDOW_SECONDS": "600",
    "INBOUND_DOMAIN_LIMIT": "8",
    "INBOUND_MAX_MESSAGE_BYTES": "3000000",
    "INBOUND_KEEP_BYTES_OF_LARGE": "65536",
    "INBOUND_MAX_MIME_PARTS": "100",
    "MAILBOX_ALLOW_PRIVATE_HOSTS": "1",  # the worker runs helpdesk.settings; dovecot is on loopback
    "INBOUND_ENGINEER_DKIM_DOMAINS": "helpdesk.example",
}


_worker_env = worker_env(WORKER_ENV)


@pytest.fixture
def people(settings, transactional_db):
    for key, value in WORKER_ENV.items():
        if key.endswith("_DOMAINS"):
            value = value.split(",")
        setattr(settings, key, int(value) if isinstance(value, str) and value.isdigit() else value)
    org = Organisation.objects.create(name="Acme Hosting")
    customer = User.objects.create_user(email="anna@acme.example", password="pw-123456789", full_name="Anna",
                                        organisation=org, role=User.Role.CUSTOMER)
    engineer = User.objects.create_user(email="olga@helpdesk.example", password="pw-123456789", full_name="Olga",
                                        role=User.Role.ENGINEER, support_level="L1")
    return customer, engineer


def _auth(results):
    return f"Authentication-Results: {TRUSTED}; {results}\r\n"


def _verified(domain):
    return _auth(f"spf=pass smtp.mailfrom={domain}; dkim=pass header.d={domain}; dmarc=pass header.from={domain}")


def _poll_by_worker(worker, count, timeout=60):
    """The worker polls and processes; wait until ``count`` messages are processed and
    every email they caused has left the outbox. A task that crashed on the way (its
    traceback is in the worker's log) fails the test, and so does a timeout, with what
    the worker logged meanwhile."""
    start = worker.log.stat().st_size
    poll_mailboxes.delay()

    def logged():
        with open(worker.log, "rb") as log:
            log.seek(start)
            return log.read().decode(errors="replace")

    try:
        it_wait_until(lambda: InboundMessage.objects.exclude(state=InboundMessage.State.NEW).count() >= count,
                      timeout, message=f"{count} processed messages")
        it_wait_until(lambda: not OutboundEmail.objects.exclude(state=OutboundEmail.State.SENT).exists(),
                      timeout, message="the outbox to be delivered")
    except pytest.fail.Exception as exc:
        pytest.fail(f"{exc}\nthe worker logged:\n{logged()[-8000:]}")
    time.sleep(0.5)  # anything sent late would arrive right behind
    assert "raised unexpected" not in logged(), logged()[-8000:]


def _rcpts(sink):
    return sorted(r for m in sink.snapshot() for r in m["rcpt_tos"])


def _subjects(sink, to):
    return [str(m["message"]["Subject"]) for m in sink.snapshot() if to in m["rcpt_tos"]]


def test_a_forged_engineer_reply_is_parked_and_the_signed_one_is_posted(it_worker, server, sink, people):
    customer, engineer = people
    ticket = ticket_services.ticket_create(requester=customer, data={"kind": "error", "subject": "Import", "body": "x"})
    ticket_services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    ticket_services.ticket_reply(ticket=ticket, author=customer, body="Any news?")
    it_wait_until(lambda: _subjects(sink, engineer.email), 20, message="the engineer's notification")
    notice = next(m["message"] for m in sink.snapshot() if engineer.email in m["rcpt_tos"])
    customers_copy = next(m["message"] for m in sink.snapshot() if customer.email in m["rcpt_tos"])
    assert notice["Reply-To"] != customers_copy["Reply-To"]
    sink.clear()

    server.append(
        # Anyone holding the customer's copy: From the engineer, to the ticket's address.
        _mail(engineer.email, f"Re: {ticket.reference}", "Send me your password.", to=customers_copy["Reply-To"]),
        _mail(engineer.email, f"Re: {ticket.reference}", "Fixed in 3.2.2.", to=notice["Reply-To"]),
    )
    _mailbox(server)
    _poll_by_worker(it_worker, 2)

    posted = Message.objects.filter(ticket=ticket, author=engineer)
    assert [m.body for m in posted] == ["Fixed in 3.2.2."]
    replies = [m for m in sink.snapshot() if customer.email in m["rcpt_tos"]]
    assert len(replies) == 1
    text = replies[0]["message"].get_body(preferencelist=("plain",)).get_content()
    assert "Fixed in 3.2.2." in text and "password" not in text
    forged = InboundMessage.objects.get(subject=f"Re: {ticket.reference}", reason__contains="signed")
    assert (forged.state, forged.hold) == (InboundMessage.State.PARKED, InboundMessage.Hold.ENGINEER)


def test_failing_verdicts_and_encoded_word_spoofing_send_nothing_to_anyone_else(it_worker, server, sink, people):
    customer, engineer = people
    ticket = ticket_services.ticket_create(requester=customer, data={"kind": "error", "subject": "Import", "body": "x"})
    it_wait_until(sink.snapshot, 20, message="the confirmation")
    sink.clear()
    reply_to = ticket_services.ticket_reply_address(ticket)
    server.append(
        _mail(customer.email, "spf fails", "Thread me", to=reply_to,
              extra=_auth("spf=fail smtp.mailfrom=acme.example; dkim=fail header.d=acme.example")),
        _mail("someone@example.org", "spf fails too", "Open me", extra=_auth("spf=fail smtp.mailfrom=example.org")),
        _mail("=?utf-8?q?Olga_=3Colga=40helpdesk.example=3E?= <mallory@evil.example>", "Engineer?", "Hi",
              to=reply_to, extra=_verified("evil.example")),
        _mail("=?utf-8?q?Anna=0D=0ABcc=3A_victim=40third.example?= <mallory@evil.example>", "Bcc?", "Hi",
              extra=_verified("evil.example")),
    )
    _mailbox(server, unknown_senders=Mailbox.UnknownSenders.CONTACT)
    _poll_by_worker(it_worker, 4)

    assert not ticket.messages.filter(author__isnull=False).exists()
    assert not User.objects.filter(email="someone@example.org").exists()
    assert not Message.objects.filter(author=engineer).exists()
    # Mallory's two mails are her own new tickets; the confirmations go to her alone.
    assert set(Ticket.objects.exclude(pk=ticket.pk).values_list("requester__email", flat=True)) == {
        "mallory@evil.example"}
    assert set(_rcpts(sink)) == {"mallory@evil.example"}
    for received in sink.snapshot():
        assert received["message"]["Bcc"] is None and "victim" not in str(received["message"]["To"])
    states = dict(InboundMessage.objects.values_list("subject", "hold"))
    assert states["spf fails"] == states["spf fails too"] == InboundMessage.Hold.AUTHENTICATION


def test_floods_are_limited_per_address_and_domain_and_unverified_senders_hear_nothing(
    it_worker, server, sink, people
):
    customer, _engineer = people
    customer_b = User.objects.create_user(email="former@vip.example", password="pw-123456789", full_name="Former",
                                          organisation=Organisation.objects.create(name="VIP Org"), is_active=False)
    server.append(
        *[_mail(customer.email, f"Robot alert {i}", "Disk full") for i in range(20)],  # a known customer's robot
        *[_mail(f"bot{i}@spam.example", f"Buy now {i}", "spam", extra=_verified("spam.example")) for i in range(12)],
        _mail("stranger@example.net", "http://spam.example/offer", "unverified"),
        _mail(customer_b.email, "I am back", "Let me in", extra=_verified("vip.example")),
    )
    _mailbox(server, unknown_senders=Mailbox.UnknownSenders.CONTACT)
    _poll_by_worker(it_worker, 34, timeout=300)  # a loaded CI machine processes ~1 message a second

    assert Ticket.objects.filter(requester=customer).count() == 5
    assert Ticket.objects.filter(requester__email__endswith="@spam.example").count() == 8
    assert not Ticket.objects.filter(organisation__name="VIP Org").exists()
    rcpts = _rcpts(sink)
    assert rcpts.count(customer.email) == 5
    assert len([r for r in rcpts if r.endswith("@spam.example")]) == 8
    assert "stranger@example.net" not in rcpts and customer_b.email not in rcpts
    # A confirmation to a contact names the reference and repeats nothing the sender wrote.
    for received in sink.snapshot():
        if received["rcpt_tos"][0].endswith("@spam.example"):
            body = received["message"].get_body(preferencelist=("plain",)).get_content()
            assert "Buy now" not in str(received["message"]["Subject"]) + body
    assert InboundMessage.objects.filter(hold=InboundMessage.Hold.RATE).count() == 15 + 4


def test_limits_and_duplicates_end_to_end(it_worker, server, sink, people):
    customer, _engineer = people
    big = _mail(customer.email, "Huge log", "The export fails; log attached.\r\n" + "A" * 3_200_000)
    parts = "".join(f"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=f{i}.txt\r\n\r\nx\r\n"
                    for i in range(20000))
    bomb = (f"From: {customer.email}\r\nTo: support@helpdesk.localhost\r\nSubject: Many parts\r\n"
            "Message-ID: <bomb@client.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            f"--b\r\nContent-Type: text/plain\r\n\r\nSee the files.\r\n{parts}--b--\r\n").encode()
    no_id = (f"From: {customer.email}\r\nTo: support@helpdesk.localhost, sales@helpdesk.localhost\r\n"
             "Subject: No Message-ID\r\nDate: Fri, 04 Dec 2026 01:00:00 +0000\r\n"
             "Content-Type: text/plain; charset=utf-8\r\n\r\nSent to two addresses.\r\n").encode()
    polish = (f"From: {customer.email}\r\nTo: support@helpdesk.localhost\r\nSubject: ".encode()
              + "Proszę o pomoc".encode("cp1250") + b"\r\nMessage-ID: <pl@client.example>\r\n"
              b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"DECLARED\"\r\n\r\n--OTHER\r\n"
              b"Content-Type: text/plain\r\n\r\n" + "System się nie włącza.".encode("cp1250") + b"\r\n--OTHER--\r\n")
    server.append(
        big, bomb, polish,
        b"Received: from mx1.helpdesk.test by support\r\nDelivered-To: support@helpdesk.localhost\r\n" + no_id,
        b"Received: from mx2.helpdesk.test by sales\r\nDelivered-To: sales@helpdesk.localhost\r\n" + no_id,
    )
    other = _mailbox(server)
    other.pk, other.name, other.address = None, "sales", "sales@helpdesk.localhost"  # the same folder, again
    other.save()
    started = timezone.now()
    _poll_by_worker(it_worker, 4 + 4, timeout=300)  # per mailbox: the mail without Message-ID is stored once

    huge, copy = InboundMessage.objects.filter(subject="Huge log").order_by("processed_at")
    assert b"The export fails; log attached." in bytes(huge.raw) and len(bytes(huge.raw)) <= 65536
    assert any("too large" in s for s in _subjects(sink, customer.email))
    assert copy.state == InboundMessage.State.IGNORED and huge.mailbox != copy.mailbox
    assert (huge.state, huge.hold) == (InboundMessage.State.PARKED, InboundMessage.Hold.SIZE)
    many = Ticket.objects.get(subject="Many parts")
    assert 1 <= many.attachments.count() <= 99 and many.body == "See the files."
    processed = InboundMessage.objects.filter(subject="Many parts").order_by("processed_at").first()
    assert (processed.processed_at - started).total_seconds() < 30
    assert Ticket.objects.filter(subject="No Message-ID").count() == 1
    assert Ticket.objects.filter(subject="Many parts").count() == 1
    assert _subjects(sink, customer.email).count("Your message was too large") == 1
    assert Ticket.objects.get(subject="Proszę o pomoc").body == "System się nie włącza."


def test_a_message_the_database_refuses_at_commit_never_stalls_the_mailbox(it_worker, server, sink, people):
    """The failure behind the stalled flood: a row the database refuses only at COMMIT
    (a deferred foreign key, as the audit log's) used to escape the message's own
    savepoint, crash the poll and stay "new" in front of everything behind it."""
    customer, _engineer = people
    refuse_tickets_at_commit("Poison")
    try:
        server.append(
            _mail(customer.email, "Poison", "The database refuses this ticket."),
            *[_mail(customer.email, f"After the poison {i}", "Still here") for i in range(3)],
        )
        _mailbox(server)
        _poll_by_worker(it_worker, 4, timeout=120)  # one poll, and no task crashed
    finally:
        allow_tickets_again()

    poison = InboundMessage.objects.get(subject="Poison")
    assert poison.state == InboundMessage.State.PARKED and "refused at commit" in poison.reason
    assert not Ticket.objects.filter(subject="Poison").exists()
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [f"After the poison {i}" for i in range(3)]
    assert _rcpts(sink) == [customer.email] * 3


def test_encoded_line_breaks_in_recipient_names_and_the_subject_reach_nobody_else(it_worker, server, sink, people):
    customer, _engineer = people
    injected = {
        "to": "=?utf-8?q?Support=0D=0ABcc=3A_victim1=40third.example?= <support@helpdesk.localhost>",
        "extra": "Cc: =?utf-8?q?Boss=0D=0ATo=3A_victim2=40third.example?= <boss@acme.example>\r\n"
                 "Reply-To: =?utf-8?q?Anna=0D=0ABcc=3A_victim3=40third.example?= <victim4@third.example>\r\n"
                 + _verified("acme.example"),
    }
    server.append(_mail(customer.email, "=?utf-8?q?Export_fails=0D=0ABcc=3A_victim5=40third.example?=", "Help",
                        **injected))
    box = _mailbox(server)
    _poll_by_worker(it_worker, 1)
    ticket = Ticket.objects.get(requester=customer)
    assert "\n" not in ticket.subject and "\r" not in ticket.subject

    reply_to = ticket_services.ticket_reply_address(ticket)
    server.append(_mail(customer.email, f"Re: {ticket.reference}", "More details", extra=injected["extra"],
                        to=f"=?utf-8?q?Ticket=0D=0ABcc=3A_victim6=40third.example?= <{reply_to}>"))
    _poll_by_worker(it_worker, 2)
    assert box.messages.filter(state=InboundMessage.State.IMPORTED).count() == 2
    assert list(ticket.messages.values_list("author__email", "body")) == [(customer.email, "More details")]

    # The confirmation answered the From address alone, the reply notified the queue;
    # nothing named in a header became a recipient or a header of what we sent.
    assert _rcpts(sink) == sorted([customer.email, settings.SUPPORT_QUEUE_EMAIL])
    for received in sink.snapshot():
        sent = received["message"]
        assert sent["Bcc"] is None and sent["Cc"] is None and [str(sent["To"])] == received["rcpt_tos"]
        assert all("\n" not in str(value) for value in sent.values())


def test_verdicts_apply_to_unknown_senders_in_both_modes(it_worker, server, sink, people):
    customer, _engineer = people

    def fail(domain, results):
        return _auth(results.format(d=domain))

    server.append(
        _mail("stranger@verified.example", "Hello", "Who are you?", extra=_verified("verified.example")),
        _mail("forger@dmarcfail.example", "Invoice", "Pay", extra=fail(
            "dmarcfail.example", "spf=pass smtp.mailfrom={d}; dmarc=fail header.from={d}")),
        _mail("nodmarc@spffail.example", "Invoice", "Pay", extra=fail(
            "spffail.example", "spf=fail smtp.mailfrom={d}; dkim=fail header.d={d}")),
        # A pass claimed by someone else's authserv-id verifies nothing.
        _mail("claims@forged.example", "Invoice", "Pay",
              extra="Authentication-Results: mx.evil.example; dmarc=pass header.from=forged.example\r\n"),
        _mail(customer.email, "Forged as Anna", "dmarc fails", extra=fail(
            "acme.example", "spf=pass smtp.mailfrom=evil.example; dmarc=fail header.from={d}")),
        # Forwarded: SPF fails at the forwarder, DMARC passes on the signature.
        _mail(customer.email, "Forwarded by Anna", "through a list", extra=fail(
            "acme.example", "spf=fail smtp.mailfrom=list.example; dkim=pass header.d={d}; dmarc=pass header.from={d}")),
    )
    box = _mailbox(server)  # instructions for unknown senders
    _poll_by_worker(it_worker, 6)
    held = dict(InboundMessage.objects.filter(hold=InboundMessage.Hold.AUTHENTICATION).values_list(
        "from_address", "subject"))
    assert held == {"forger@dmarcfail.example": "Invoice", "nodmarc@spffail.example": "Invoice",
                    customer.email: "Forged as Anna"}
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Forwarded by Anna"]
    assert _rcpts(sink) == sorted([customer.email, "stranger@verified.example"])

    sink.clear()
    box.unknown_senders = Mailbox.UnknownSenders.CONTACT
    box.save()
    server.append(
        _mail("forger2@dmarcfail.example", "Invoice", "Pay", extra=fail(
            "dmarcfail.example", "spf=pass smtp.mailfrom={d}; dmarc=fail header.from={d}")),
        _mail("claims2@forged.example", "Invoice", "Pay",
              extra="Authentication-Results: mx.evil.example; dmarc=pass header.from=forged.example\r\n"),
        _mail("new@verified.example", "Question", "About prices", extra=_verified("verified.example")),
    )
    _poll_by_worker(it_worker, 9)
    assert not User.objects.filter(email="forger2@dmarcfail.example").exists()
    assert InboundMessage.objects.get(from_address="forger2@dmarcfail.example").hold == InboundMessage.Hold.AUTHENTICATION
    # Contacts for the other two, in organisations of their own; only the verified one hears from us.
    for address in ("claims2@forged.example", "new@verified.example"):
        contact = Ticket.objects.get(requester__email=address)
        assert contact.organisation != customer.organisation and contact.tariff_id is None
    assert _rcpts(sink) == ["new@verified.example"]


def test_an_engineer_posts_on_the_customers_address_only_with_our_servers_dkim_pass(it_worker, server, sink, people):
    customer, engineer = people
    ticket = ticket_services.ticket_create(requester=customer, data={"kind": "error", "subject": "Import", "body": "x"})
    ticket_services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    it_wait_until(sink.snapshot, 20, message="the confirmation")
    sink.clear()
    unsigned = ticket_services.ticket_reply_address(ticket)  # what every customer's copy carries
    dkim = "spf=pass smtp.mailfrom=helpdesk.example; dkim=pass header.d={d}; dmarc=pass header.from=helpdesk.example"
    server.append(
        _mail(engineer.email, "Signed by us", "Fixed in 3.2.2.", to=unsigned, extra=_auth(dkim.format(d="helpdesk.example"))),
        _mail(engineer.email, "Claimed pass", "Send me your password.", to=unsigned,
              extra=f"Authentication-Results: mx.evil.example; {dkim.format(d='helpdesk.example')}\r\n"),
        _mail(engineer.email, "Signed by another", "Send me your password.", to=unsigned,
              extra=_auth(dkim.format(d="evil.example"))),
    )
    _mailbox(server)
    _poll_by_worker(it_worker, 3)

    assert list(Message.objects.filter(ticket=ticket, author=engineer).values_list("body", flat=True)) == [
        "Fixed in 3.2.2."]
    held = InboundMessage.objects.filter(hold=InboundMessage.Hold.ENGINEER)
    assert sorted(held.values_list("subject", flat=True)) == ["Claimed pass", "Signed by another"]
    to_customer = [m["message"] for m in sink.snapshot() if customer.email in m["rcpt_tos"]]
    assert len(to_customer) == 1
    text = to_customer[0].get_body(preferencelist=("plain",)).get_content()
    assert "Fixed in 3.2.2." in text and "password" not in text


def test_one_unknown_address_flooding_a_contact_mailbox_and_a_lying_base64_body(it_worker, server, sink, people):
    customer, _engineer = people
    lying = (f"From: {customer.email}\r\nTo: support@helpdesk.localhost\r\nSubject: Not base64\r\n"
             "Message-ID: <b64@client.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\nHello, the export fails again!\r\nPlease help.\r\n").encode()
    server.append(
        *[_mail("flood@contact.example", f"Cheap pills {i}", "Buy", extra=_verified("contact.example")) for i in range(7)],
        lying,
    )
    _mailbox(server, unknown_senders=Mailbox.UnknownSenders.CONTACT)
    _poll_by_worker(it_worker, 8, timeout=120)

    opened = Ticket.objects.filter(requester__email="flood@contact.example")
    assert opened.count() == 5 and opened.values("organisation").distinct().count() == 1
    assert opened.first().organisation != customer.organisation
    assert InboundMessage.objects.filter(from_address="flood@contact.example", hold=InboundMessage.Hold.RATE).count() == 2
    rcpts = _rcpts(sink)
    assert rcpts.count("flood@contact.example") == 5
    for received in sink.snapshot():
        if received["rcpt_tos"] == ["flood@contact.example"]:
            sent = received["message"]
            assert "Cheap pills" not in str(sent["Subject"]) + sent.get_body(preferencelist=("plain",)).get_content()
    assert Ticket.objects.get(subject="Not base64").body == "Hello, the export fails again!\nPlease help."
