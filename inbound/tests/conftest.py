"""Fixtures for inbound tests: a mailbox and a way to deliver raw bytes to it."""

import email.policy
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from inbound import services
from inbound.models import Mailbox


@pytest.fixture
def mailbox(db):
    return Mailbox.objects.create(
        name="support", address="support@helpdesk.localhost", host="127.0.0.1", username="support",
        password_env="HELPDESK_MAILBOX_TEST_PASSWORD", unknown_senders=Mailbox.UnknownSenders.INSTRUCTIONS,
    )


@pytest.fixture
def contact_mailbox(mailbox):
    mailbox.unknown_senders = Mailbox.UnknownSenders.CONTACT
    mailbox.save()
    return mailbox


@pytest.fixture
def deliver(mailbox):
    """deliver(raw_bytes, box=mailbox) → the processed InboundMessage row."""

    def _deliver(raw, box=None):
        row, _created = services.inbound_store(box or mailbox, raw)
        services.inbound_process(row.pk)
        row.refresh_from_db()
        return row

    return _deliver


def build_mail(*, sender, to="support@helpdesk.localhost", subject="Export fails", body="Error 500 on export.",
               name="", files=(), headers=None, html=None, message_id=True):
    """Raw bytes of a mail as a client would send it."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = f"{name} <{sender}>" if name else sender
    msg["To"] = to
    msg["Subject"] = subject
    if message_id:
        msg["Message-ID"] = make_msgid(domain="client.example")
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, data, ctype in files:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


TRUSTED_ID = "mx.helpdesk.test"


@pytest.fixture(autouse=True)
def _trusted_mail_server(settings):
    """Our mail server's Authentication-Results carry this authserv-id in the tests."""
    settings.INBOUND_TRUSTED_AUTHSERV_ID = TRUSTED_ID


def verified(domain, **more):
    """Headers of a message our mail server verified (DMARC pass for ``domain``)."""
    return {"Authentication-Results": f"{TRUSTED_ID}; spf=pass smtp.mailfrom={domain}; dmarc=pass header.from={domain}",
            **more}


def refuse_tickets_at_commit(subject):
    """A deferred constraint trigger: PostgreSQL refuses a ticket named ``subject`` only
    when the transaction commits (or checks its constraints), as it does a foreign key.
    Undone by ``allow_tickets_again`` (or the test's rollback)."""
    from django.db import connection

    from tickets.models import Ticket

    with connection.cursor() as cursor:
        cursor.execute(f"""
            CREATE OR REPLACE FUNCTION hd_test_refuse_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.subject = '{subject}' THEN
                    RAISE foreign_key_violation USING MESSAGE = 'refused at commit';
                END IF;
                RETURN NEW;
            END $$;
            DROP TRIGGER IF EXISTS hd_test_refuse_ticket ON {Ticket._meta.db_table};
            CREATE CONSTRAINT TRIGGER hd_test_refuse_ticket AFTER INSERT ON {Ticket._meta.db_table}
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hd_test_refuse_ticket();
        """)


def allow_tickets_again():
    from django.db import connection

    from tickets.models import Ticket

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS hd_test_refuse_ticket ON {Ticket._meta.db_table}; "
                       "DROP FUNCTION IF EXISTS hd_test_refuse_ticket()")
