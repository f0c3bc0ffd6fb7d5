"""Fetching from a real IMAP/POP3 server: Debian's dovecot, run as a private instance.

``scripts/dovecot/install.sh`` installs it (root + apt-get); the fixture below starts
it from ``scripts/dovecot/dovecot.conf.template`` on spare loopback ports, with its
users in a passwd-file and the mail owned by ``nobody``, and stops it afterwards.
Messages are put into the mailbox with IMAP APPEND, as a mail server would deliver
them; the portal fetches them with the stdlib clients (``inbound.fetch``).
"""

import email.utils
import imaplib
import os
import shutil
import signal
import string
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from helpdesk.mail.models import OutboundEmail
from inbound import fetch
from inbound.models import InboundMessage, Mailbox
from inbound.tasks import poll_mailboxes
from tickets import services as ticket_services
from tickets.models import Status, Ticket

from ..conftest import PROJECT_ROOT, it_free_port, it_missing_prerequisite

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

DOVECOT = Path("/usr/sbin/dovecot")
TEMPLATE = PROJECT_ROOT / "scripts" / "dovecot" / "dovecot.conf.template"
USER, PASSWORD = "support", "imap-test-password"
MAIL_UID = MAIL_GID = 65534  # nobody / nogroup


class Dovecot:
    def __init__(self, base, imap_port, pop3_port, proc):
        self.base, self.imap_port, self.pop3_port, self.proc = base, imap_port, pop3_port, proc

    def imap(self):
        client = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, *messages):
        client = self.imap()
        try:
            for raw in messages:
                typ, data = client.append("INBOX", None, None, raw)
                assert typ == "OK", data
        finally:
            client.logout()

    def flags(self):
        client = self.imap()
        try:
            client.select("INBOX")
            _typ, data = client.uid("FETCH", "1:*", "(FLAGS)")
            return [d.decode() for d in data if d]
        finally:
            client.logout()

    def count(self):
        client = self.imap()
        try:
            _typ, data = client.select("INBOX")
            return int(data[0])
        finally:
            client.logout()

    def empty(self):
        client = self.imap()
        try:
            client.select("INBOX")
            client.store("1:*", "+FLAGS", "(\\Deleted)") if int(client.select("INBOX")[1][0]) else None
            client.expunge()
        finally:
            client.logout()


def _why_no_dovecot():
    if not DOVECOT.exists():
        return ("dovecot is not installed: run scripts/dovecot/install.sh as root "
                "(apt-get install dovecot-imapd dovecot-pop3d)")
    if os.geteuid() != 0:
        return "the private dovecot instance needs root (its login processes switch to dovenull)"
    try:
        import pwd

        pwd.getpwnam("dovenull")
        pwd.getpwnam("dovecot")
    except KeyError:
        return "dovecot's users dovenull/dovecot are missing (reinstall dovecot-core)"
    return None


@pytest.fixture(scope="module")
def dovecot():
    reason = _why_no_dovecot()
    if reason:
        it_missing_prerequisite(reason)
    base = Path(tempfile.mkdtemp(prefix="hd-dovecot-"))
    os.chmod(base, 0o755)  # the mail uid must reach its maildir
    (base / "mail").mkdir()
    os.chown(base / "mail", MAIL_UID, MAIL_GID)
    (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    imap_port, pop3_port = it_free_port(), it_free_port()
    config = string.Template(TEMPLATE.read_text()).substitute(
        base_dir=base, mail_uid=MAIL_UID, mail_gid=MAIL_GID, imap_port=imap_port, pop3_port=pop3_port
    )
    (base / "dovecot.conf").write_text(config)
    log = open(base / "stdout.log", "wb")
    proc = subprocess.Popen([str(DOVECOT), "-F", "-c", str(base / "dovecot.conf")], stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    server = Dovecot(base, imap_port, pop3_port, proc)
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                pytest.fail(f"dovecot exited: {(base / 'stdout.log').read_text()} {_log(base)}")
            try:
                server.imap().logout()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"dovecot did not answer on {imap_port}: {_log(base)}")
                time.sleep(0.1)
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        log.close()
        shutil.rmtree(base, ignore_errors=True)


def _log(base):
    path = Path(base) / "dovecot.log"
    return path.read_text()[-3000:] if path.exists() else ""


@pytest.fixture
def server(dovecot):
    dovecot.empty()
    yield dovecot
    dovecot.empty()


def _mailbox(server, protocol=Mailbox.Protocol.IMAP, **extra):
    box = Mailbox(
        name=f"support-{protocol}", address="support@helpdesk.localhost", protocol=protocol,
        security=Mailbox.Security.PLAIN, host="127.0.0.1",
        port=server.imap_port if protocol == Mailbox.Protocol.IMAP else server.pop3_port,
        username=USER, **extra,
    )
    box.set_password(PASSWORD)
    box.save()
    return box


def _mail(sender, subject, body="Text", to="support@helpdesk.localhost", message_id=None, extra=""):
    message_id = message_id or email.utils.make_msgid(domain="client.example")
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
            f"Date: {email.utils.formatdate()}\r\n{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()


def test_imap_poll_imports_new_mail_replies_and_ignores_auto_replies(server, customer_a):
    ticket = ticket_services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "Old", "body": "x"})
    reply_to = ticket_services.ticket_reply_address(ticket)
    duplicate_id = "<same-message@client.example>"
    server.append(
        _mail(customer_a.email, "Export fails", "Error 500 on export.", message_id=duplicate_id),
        _mail(customer_a.email, f"Re: [{ticket.reference}]", "More info.\n\nOn Mon, 1 May 2023, Support <s@x.y> wrote:\n> q",
              to=reply_to),
        _mail(customer_a.email, "Automatic reply: Export", "I am away", extra="Auto-Submitted: auto-replied\r\n"),
        _mail(customer_a.email, "Export fails", "Error 500 on export.", message_id=duplicate_id),  # sent twice
    )
    box = _mailbox(server)
    stats = fetch.mailbox_poll(box)
    assert stats == {"stored": 3, "duplicates": 1, "processed": 3, "error": ""}
    states = dict(InboundMessage.objects.values_list("subject", "state"))
    assert states == {"Export fails": "imported", f"Re: [{ticket.reference}]": "imported",
                      "Automatic reply: Export": "ignored"}
    assert Ticket.objects.filter(subject="Export fails").count() == 1
    assert ticket.messages.get().body == "More info."
    assert all("\\Seen" in f for f in server.flags())  # flagged, not deleted
    # Nothing new: the next poll downloads nothing.
    assert fetch.mailbox_poll(box) == {"stored": 0, "duplicates": 0, "processed": 0, "error": ""}


def test_a_crash_between_storing_and_flagging_imports_the_message_once(server, customer_a, monkeypatch):
    server.append(_mail(customer_a.email, "Crash test", "Body"))
    box = _mailbox(server)
    real_uid = imaplib.IMAP4.uid

    def dies_on_store(self, command, *args):
        if command.upper() == "STORE":
            raise OSError("connection lost")
        return real_uid(self, command, *args)

    monkeypatch.setattr(imaplib.IMAP4, "uid", dies_on_store)
    first = fetch.mailbox_poll(box)
    assert first["stored"] == 1 and "connection lost" in first["error"]
    monkeypatch.undo()
    box.refresh_from_db()
    box.imap_last_uid = 0  # as if the UID had not been saved either
    box.save()
    second = fetch.mailbox_poll(box)
    assert second["stored"] == 0 and second["duplicates"] == 1 and not second["error"]
    assert InboundMessage.objects.count() == 1 and Ticket.objects.filter(subject="Crash test").count() == 1


def test_delete_after_import_expunges_from_the_server(server, customer_a):
    server.append(_mail(customer_a.email, "Delete me", "Body"))
    box = _mailbox(server, delete_after_import=True)
    assert fetch.mailbox_poll(box)["stored"] == 1
    assert server.count() == 0


def test_pop3_poll_imports_and_deletes(server, customer_a, settings):
    settings.INBOUND_TRUSTED_AUTHSERV_ID = "mx.helpdesk.test"  # our mail server verified the stranger
    verified = "Authentication-Results: mx.helpdesk.test; dmarc=pass header.from=example.org\r\n"
    server.append(_mail(customer_a.email, "Via POP3", "Body one"),
                  _mail("stranger@example.org", "Hello?", "Who?", extra=verified))
    box = _mailbox(server, protocol=Mailbox.Protocol.POP3)
    stats = fetch.mailbox_poll(box)
    assert stats["stored"] == 2 and not stats["error"]
    assert Ticket.objects.filter(subject="Via POP3").exists()
    assert InboundMessage.objects.get(subject="Hello?").outcome == InboundMessage.Outcome.INSTRUCTIONS
    assert server.count() == 0
    assert fetch.mailbox_poll(box)["stored"] == 0


def test_wrong_password_is_recorded_on_the_mailbox_and_other_mailboxes_go_on(server, customer_a):
    broken = _mailbox(server)
    broken.name = "broken"
    broken.set_password("wrong")
    broken.save()
    good = _mailbox(server, protocol=Mailbox.Protocol.POP3)
    server.append(_mail(customer_a.email, "Still fetched", "Body"))
    poll_mailboxes()  # the beat task: every active mailbox
    broken.refresh_from_db()
    good.refresh_from_db()
    assert "AUTHENTICATIONFAILED" in broken.last_error or "authentication" in broken.last_error.lower()
    assert good.last_error == "" and Ticket.objects.filter(subject="Still fetched").exists()


def test_reply_by_email_end_to_end_reopens_waiting_ticket_and_notifies_engineers(server, customer_a, engineer):
    ticket = ticket_services.ticket_create(requester=customer_a, data={"kind": "question", "subject": "Q", "body": "x"})
    ticket_services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    ticket_services.ticket_reply(ticket=ticket, author=engineer, body="Which version?")
    ticket_services.ticket_transition(ticket=ticket, actor=engineer, to_status=Status.WAITING)
    notification = OutboundEmail.objects.filter(to=customer_a.email, subject__contains="New reply").get()
    server.append(_mail(customer_a.email, f"Re: {notification.subject}", "3.2.1",
                        to=notification.headers["Reply-To"]))
    fetch.mailbox_poll(_mailbox(server))
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.messages.last().body == "3.2.1"
    assert OutboundEmail.objects.filter(to=engineer.email, subject__contains="Customer replied").count() == 1
