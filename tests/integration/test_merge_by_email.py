"""A merged ticket's email thread, end to end: the duplicate's customer replies to an
email they received about it (its reply token, or only its Message-ID) after it was
merged; the mail is put into a private dovecot mailbox, a real Celery worker polls and
processes it against the test database, and the reply lands on the ticket it was merged
into. What the portal sends is counted at an SMTP sink.
"""

import email.utils
import time

import pytest

from helpdesk.accounts.models import Organisation, User
from helpdesk.mail.models import OutboundEmail
from inbound.models import InboundMessage
from inbound.tasks import poll_mailboxes
from tickets import relations
from tickets import services as ticket_services
from tickets.models import Message, Status, Ticket

from ..conftest import it_wait_until
from .mailbox_fixtures import worker_env
from .test_imap_fetch import _mail, _mailbox

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TRUSTED = "mx.helpdesk.test"
WORKER_ENV = {
    "INBOUND_TRUSTED_AUTHSERV_ID": TRUSTED,
    "MAILBOX_ALLOW_PRIVATE_HOSTS": "1",  # the worker runs helpdesk.settings; dovecot is on loopback
}


_worker_env = worker_env(WORKER_ENV)


@pytest.fixture
def people(settings, transactional_db):
    for key, value in WORKER_ENV.items():
        setattr(settings, key, value)
    org = Organisation.objects.create(name="Acme Hosting")
    anna = User.objects.create_user(email="anna@acme.example", password="pw-123456789", full_name="Anna",
                                    organisation=org, role=User.Role.CUSTOMER)
    jan = User.objects.create_user(email="jan@acme.example", password="pw-123456789", full_name="Jan",
                                   organisation=org, role=User.Role.CUSTOMER)
    engineer = User.objects.create_user(email="olga@helpdesk.example", password="pw-123456789", full_name="Olga",
                                        role=User.Role.ENGINEER, support_level="L1")
    return anna, jan, engineer


VERIFIED = (f"Authentication-Results: {TRUSTED}; spf=pass smtp.mailfrom=acme.example; "
            "dkim=pass header.d=acme.example; dmarc=pass header.from=acme.example\r\n")


def _to(sink, address):
    return [m["message"] for m in sink.snapshot() if address in m["rcpt_tos"]]


def _poll_by_worker(count, timeout=90):
    poll_mailboxes.delay()
    it_wait_until(lambda: InboundMessage.objects.exclude(state=InboundMessage.State.NEW).count() >= count,
                  timeout, message=f"{count} processed messages")
    it_wait_until(lambda: not OutboundEmail.objects.exclude(state=OutboundEmail.State.SENT).exists(),
                  timeout, message="the outbox to be delivered")
    time.sleep(0.5)  # anything sent late would arrive right behind


def test_a_reply_to_the_merged_tickets_emails_lands_on_the_target(it_worker, server, sink, people):
    anna, jan, engineer = people
    target = ticket_services.ticket_create(requester=anna, data={"kind": "error", "subject": "Mail down", "body": "x"})
    duplicate = ticket_services.ticket_create(requester=jan, data={"kind": "error", "subject": "No mail", "body": "y"})
    confirmation = it_wait_until(lambda: _to(sink, jan.email), 30, message="Jan's confirmation")[0]
    old_reply_to, old_message_id = confirmation["Reply-To"], confirmation["Message-ID"]
    assert duplicate.token.hex in old_reply_to
    sink.clear()

    relations.ticket_merge(ticket=duplicate, into=target, actor=engineer)
    told = it_wait_until(lambda: _to(sink, jan.email), 30, message="the merge notice")
    time.sleep(1)
    assert len(_to(sink, jan.email)) == 1 and not _to(sink, anna.email)  # told once, only the duplicate's customer
    assert target.reference in told[0]["Subject"] and target.token.hex in told[0]["Reply-To"]
    sink.clear()

    server.append(
        # To the duplicate's own reply address (the token of a ticket that is now merged).
        _mail(jan.email, f"Re: {confirmation['Subject']}", "Still no mail since 9:00.", to=old_reply_to,
              extra=VERIFIED),
        # To the plain support address, threaded only by the Message-ID of the old email.
        _mail(jan.email, f"Re: {confirmation['Subject']}", "Also the webmail is down.",
              extra=VERIFIED + f"In-Reply-To: {old_message_id}\r\nReferences: {old_message_id}\r\n",
              message_id=email.utils.make_msgid(domain="acme.example")),
    )
    _mailbox(server)
    _poll_by_worker(2)

    rows = list(InboundMessage.objects.order_by("pk").values_list("state", "outcome", "ticket_id"))
    assert rows == [(InboundMessage.State.IMPORTED, InboundMessage.Outcome.REPLY, target.pk)] * 2
    posted = list(Message.objects.filter(ticket=target, author=jan, channel="email").values_list("body", flat=True))
    assert sorted(posted) == ["Also the webmail is down.", "Still no mail since 9:00."]
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED and not duplicate.messages.exists()  # never reopened
    assert Ticket.objects.count() == 2  # nothing was opened as new mail
    # The engineers hear of the customer's replies on the target (the queue, nobody has it).
    notices = [m["message"] for m in sink.snapshot()]
    assert len(notices) == 2 and all(target.reference in str(m["Subject"]) for m in notices)
    assert {r for m in sink.snapshot() for r in m["rcpt_tos"]} == {"queue@helpdesk.localhost"}
