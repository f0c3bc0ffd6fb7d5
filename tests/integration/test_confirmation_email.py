"""Filing a ticket sends exactly one confirmation email, end to end.

Real pieces: the web view and service (this process), PostgreSQL (pytest-django's test
database, committed data), Redis as the broker, a Celery worker subprocess, and an SMTP
server (aiosmtpd, in this process) that records what the worker delivers.
"""

import os
import re
import time
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from helpdesk.accounts.models import Organisation, User
from helpdesk.mail.models import OutboundEmail
from tickets.models import Attachment, Ticket

from ..conftest import it_png, it_wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# The start of a Windows PE executable: "MZ" DOS header, stub and the PE signature.
WINDOWS_PE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44 + b"\x80\x00\x00\x00"
    + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 20 + b"PE\x00\x00" + b"\x00" * 64
)


@pytest.fixture
def it_customer(transactional_db):
    org = Organisation.objects.create(name=f"Integration Org {uuid.uuid4().hex[:6]}")
    return User.objects.create_user(
        email=f"ina.{uuid.uuid4().hex[:6]}@customer.example",
        password="integration-pass-123",
        full_name="Ina Tegration",
        organisation=org,
        role=User.Role.CUSTOMER,
    )


@pytest.fixture
def sink(it_smtp):
    it_smtp.recorder.clear()
    yield it_smtp.recorder
    it_smtp.recorder.clear()


def _file_ticket(client, subject, files):
    return client.post(
        reverse("tickets:new"),
        {
            "kind": "error",
            "subject": subject,
            "body": "Open Orders, press Export: the page says error 500.",
            "customer_urgency": "high",
            "attachments": files,
        },
    )


def _ticket_from_redirect(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/tickets/(\d+)/filed/", response["Location"])
    assert match, response["Location"]
    return Ticket.objects.get(number=int(match.group(1)))


def _wait_for_sent(row, timeout=20):
    it_wait_until(
        lambda: OutboundEmail.objects.filter(pk=row.pk, state=OutboundEmail.State.SENT).exists(),
        timeout,
        message=f"outbox row {row.pk} to be sent",
    )
    row.refresh_from_db()
    return row


def _files_under(root):
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]


def test_filing_a_ticket_delivers_one_confirmation_email(it_worker, sink, it_customer, client):
    client.force_login(it_customer)
    response = _file_ticket(client, "Export fails with error 500", [SimpleUploadedFile("pixel.png", it_png())])
    ticket = _ticket_from_redirect(response)
    assert ticket.attachments.count() == 1

    row = OutboundEmail.objects.get(topic=f"ticket:{ticket.number}")
    it_wait_until(sink.snapshot, 20, message="the confirmation email at the SMTP server")
    row = _wait_for_sent(row)
    time.sleep(1.0)  # a duplicate delivery would arrive right behind the first

    messages = sink.snapshot()
    assert len(messages) == 1, [m["message"]["Subject"] for m in messages]
    received = messages[0]
    message = received["message"]
    assert received["rcpt_tos"] == [it_customer.email]
    assert message["To"] == it_customer.email
    assert ticket.reference.startswith("HD-")
    assert f"[{ticket.reference}]" in message["Subject"]
    assert "Export fails with error 500" in message["Subject"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] == row.message_id
    assert received["mail_from"] == "support@helpdesk.localhost"
    # The plain-text part names the reference and links to the ticket.
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert ticket.reference in text
    assert f"/tickets/{ticket.number}/" in text

    assert row.state == OutboundEmail.State.SENT
    assert row.sent_at is not None
    assert row.attempts == 1
    assert row.last_error == ""
    assert OutboundEmail.objects.count() == 1


def test_refused_attachment_leaves_no_ticket_no_file_and_no_email(it_worker, sink, it_customer, client):
    storage_root = default_storage.location
    files_before = set(_files_under(storage_root))
    client.force_login(it_customer)

    executable = SimpleUploadedFile("screenshot.png", WINDOWS_PE, content_type="image/png")
    response = _file_ticket(client, "Look at this screenshot", [executable])

    assert response.status_code == 200  # the form again, with the error
    assert "is not an accepted kind of file" in response.content.decode()
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert set(_files_under(storage_root)) == files_before

    # A second, valid ticket is a barrier: the worker handles tasks in order, so once
    # its email is delivered, anything published for the refused ticket would have been too.
    barrier = _ticket_from_redirect(_file_ticket(client, "Second try without the file", []))
    row = _wait_for_sent(OutboundEmail.objects.get(topic=f"ticket:{barrier.number}"))
    it_wait_until(sink.snapshot, 10, message="the barrier email at the SMTP server")
    time.sleep(0.5)

    messages = sink.snapshot()
    assert [m["message"]["Message-ID"] for m in messages] == [row.message_id]
    assert barrier.reference in messages[0]["message"]["Subject"]
    assert list(Ticket.objects.values_list("number", flat=True)) == [barrier.number]
    assert OutboundEmail.objects.count() == 1
    assert set(_files_under(storage_root)) == files_before
