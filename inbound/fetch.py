"""Fetching from IMAP and POP3 servers (stdlib ``imaplib`` / ``poplib``).

Order of work, per message: download → ``inbound_store`` (commits) → only then flag
it as read (IMAP; or delete it: IMAP with ``delete_after_import``, POP3 always). A
crash in between leaves the message on the server, it is fetched again and stored
once (unique per mailbox). IMAP also remembers the highest UID stored (per
UIDVALIDITY), so a poll downloads only what is new even if someone reads the mailbox
in a mail client; POP3 skips messages whose UIDL was stored already.

One poll per mailbox at a time (a PostgreSQL advisory lock held by the poller's
connection; released when it finishes or dies), so beat firing while a long poll runs
costs nothing. Then every stored, unprocessed message is processed.
"""

import imaplib
import logging
import poplib
import re
import ssl

from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import services
from .credentials import SecretUnavailable
from .models import InboundMessage, Mailbox

log = logging.getLogger(__name__)

LOCK_NAMESPACE = 0x696E62  # "inb": advisory lock ids of mailboxes
TIMEOUT = 60
BATCH = 200
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class FetchError(Exception):
    pass


def _try_lock(mailbox_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, mailbox_id])
        return cursor.fetchone()[0]


def _unlock(mailbox_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, mailbox_id])


def _ssl_context():
    return ssl.create_default_context()


def _imap_connect(mailbox):
    host, port = mailbox.host, mailbox.effective_port
    if mailbox.security == Mailbox.Security.TLS:
        client = imaplib.IMAP4_SSL(host, port, ssl_context=_ssl_context(), timeout=TIMEOUT)
    else:
        client = imaplib.IMAP4(host, port, timeout=TIMEOUT)
        if mailbox.security == Mailbox.Security.STARTTLS:
            client.starttls(ssl_context=_ssl_context())
    client.login(mailbox.username, mailbox.get_password())
    return client


def _check(result, what):
    typ, data = result
    if typ != "OK":
        raise FetchError(f"{what}: {typ} {data!r}")
    return data


def _fetch_imap(mailbox, stats):
    client = _imap_connect(mailbox)
    try:
        _check(client.select(_quote(mailbox.folder)), f"SELECT {mailbox.folder}")
        validity = int((client.response("UIDVALIDITY")[1] or [b"0"])[0] or 0)
        if validity != mailbox.imap_uidvalidity:
            mailbox.imap_uidvalidity, mailbox.imap_last_uid = validity, 0
            mailbox.save(update_fields=["imap_uidvalidity", "imap_last_uid"])
        data = _check(client.uid("SEARCH", None, f"UID {mailbox.imap_last_uid + 1}:*"), "SEARCH")
        uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > mailbox.imap_last_uid)[:BATCH]
        deleted = False
        for uid in uids:
            size_data = _check(client.uid("FETCH", str(uid), "(RFC822.SIZE)"), "FETCH SIZE")
            match = _SIZE.search(b" ".join(p if isinstance(p, bytes) else b" ".join(p) for p in size_data if p))
            size = int(match.group(1)) if match else None
            # Too large: only the headers are downloaded, to record who sent what.
            section = "BODY.PEEK[HEADER]" if size and size > settings.INBOUND_MAX_MESSAGE_BYTES else "BODY.PEEK[]"
            parts = _check(client.uid("FETCH", str(uid), f"({section})"), "FETCH")
            raw = next(p[1] for p in parts if isinstance(p, tuple))
            _row, created = services.inbound_store(mailbox, raw, remote_uid=uid, size=size)
            stats["stored" if created else "duplicates"] += 1
            flags = "(\\Seen \\Deleted)" if mailbox.delete_after_import else "(\\Seen)"
            _check(client.uid("STORE", str(uid), "+FLAGS", flags), "STORE")
            deleted = deleted or mailbox.delete_after_import
            mailbox.imap_last_uid = uid
            mailbox.save(update_fields=["imap_last_uid"])
        if deleted:
            client.expunge()
    finally:
        try:
            client.logout()
        except Exception:
            pass


def _quote(folder):
    return folder if re.fullmatch(r"[A-Za-z0-9._/-]+", folder) else '"' + folder.replace('"', '\\"') + '"'


def _pop_connect(mailbox):
    host, port = mailbox.host, mailbox.effective_port
    if mailbox.security == Mailbox.Security.TLS:
        client = poplib.POP3_SSL(host, port, context=_ssl_context(), timeout=TIMEOUT)
    else:
        client = poplib.POP3(host, port, timeout=TIMEOUT)
        if mailbox.security == Mailbox.Security.STARTTLS:
            client.stls(context=_ssl_context())
    client.user(mailbox.username)
    client.pass_(mailbox.get_password())
    return client


def _fetch_pop3(mailbox, stats):
    client = _pop_connect(mailbox)
    try:
        _resp, listing, _octets = client.uidl()
        entries = []
        for line in listing:
            number, _, uidl = line.decode("ascii", "replace").partition(" ")
            entries.append((int(number), uidl.strip()))
        known = set(
            InboundMessage.objects.filter(mailbox=mailbox, remote_uid__in=[u for _n, u in entries])
            .values_list("remote_uid", flat=True)
        )
        for number, uidl in entries[:BATCH]:
            if uidl not in known:
                _resp, lines, _octets = client.retr(number)
                _row, created = services.inbound_store(mailbox, b"\r\n".join(lines) + b"\r\n", remote_uid=uidl)
                stats["stored" if created else "duplicates"] += 1
            else:
                stats["duplicates"] += 1
            client.dele(number)
        client.quit()  # deletions take effect only on a clean QUIT
    except Exception:
        try:
            client.rset()
            client.quit()
        except Exception:
            pass
        raise


def mailbox_poll(mailbox):
    """Fetch new messages of one mailbox and process them; returns counts.

    Connection and login errors are recorded on the mailbox (``last_error``) and
    returned, not raised, so one broken mailbox does not stop the others.
    """
    stats = {"stored": 0, "duplicates": 0, "processed": 0, "error": ""}
    if not _try_lock(mailbox.pk):
        stats["error"] = "busy"
        return stats
    try:
        try:
            mailbox.check_may_connect()  # before any connection: no probing of internal hosts
            if mailbox.protocol == Mailbox.Protocol.IMAP:
                _fetch_imap(mailbox, stats)
            else:
                _fetch_pop3(mailbox, stats)
            mailbox.last_error = ""
        except (OSError, imaplib.IMAP4.error, poplib.error_proto, FetchError, SecretUnavailable) as exc:
            log.warning("polling mailbox %s failed: %r", mailbox.pk, exc)
            stats["error"] = mailbox.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        mailbox.last_polled_at = timezone.now()
        mailbox.save(update_fields=["last_polled_at", "last_error"])
        stats["processed"] = services.inbound_process_pending(mailbox)
    finally:
        _unlock(mailbox.pk)
    return stats


def poll_all():
    results = {}
    for mailbox in Mailbox.objects.filter(is_active=True):
        results[mailbox.name] = mailbox_poll(mailbox)
    return results
