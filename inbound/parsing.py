"""Raw RFC 822 bytes → a ``ParsedMail``: who, what, the text and the files.

Python's ``email`` package with ``policy.default`` does the MIME work. On top of it:

* headers with raw 8-bit bytes (no encoded words) and broken encoded words are decoded
  with ``charsets`` (UTF-8, the declared charset, a windows-1251/KOI8-R guess);
* bodies are decoded from their bytes with the same fallbacks, never with "replace"
  as the first choice;
* the text is the ``text/plain`` alternative, or the HTML one turned into text
  (``htmltext``) when there is no plain one; text parts split around inline images
  are joined;
* every other leaf is a file: images (inline or not), documents, and forwarded
  messages (as ``.eml``). S/MIME and PGP signatures are dropped: they are not
  something a customer means to send us.

``ParseError`` means the bytes are not a mail at all (empty, no headers, a MIME tree
too broken to walk). A mail without a sender parses (``from_address`` is empty); the
service parks either with the reason, and the mailbox goes on.
"""

import email
import email.policy
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from email.header import decode_header
from email.utils import getaddresses

from .charsets import decode_bytes, redecode_surrogates
from .classify import Verdict, classify
from .htmltext import html_to_text

# Mislabelled text seen in the wild (an S/MIME test message signs "application/plain").
TEXT_ALIASES = {"application/plain": "text/plain", "application/text": "text/plain"}
SIGNATURE_TYPES = {"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"}
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "X-Real-To")


class ParseError(ValueError):
    pass


@dataclass
class MailFile:
    name: str
    content_type: str
    data: bytes
    inline: bool = False


@dataclass
class ParsedMail:
    message_id: str
    from_address: str
    from_name: str
    subject: str
    text: str
    recipients: list
    in_reply_to: list
    references: list
    files: list = field(default_factory=list)
    verdict: Verdict = field(default_factory=Verdict)
    was_html: bool = False
    language: str = ""
    authentication_results: list = field(default_factory=list)
    # MIME parts beyond the per-message cap that were not read (their count).
    parts_dropped: int = 0


# Headers that stay the same whichever route a message took to us (trace headers such
# as Received, Delivered-To, Return-Path or Authentication-Results are added on the way).
STABLE_HEADERS = (b"from", b"to", b"cc", b"subject", b"date", b"in-reply-to", b"references", b"content-type")
_HEADER_LINE = re.compile(rb"^([!-9;-~]+)[ \t]*:(.*)$")


def content_hash(raw):
    """SHA-256 of a message's stable headers and its body, so that a mail without a
    Message-ID delivered through two mailboxes (or fetched twice with different trace
    headers) is recognised as one. Line endings and trailing blanks do not count."""
    raw = strip_mbox_line(raw).replace(b"\r\n", b"\n")
    head, _sep, body = raw.partition(b"\n\n")
    fields, current = [], None
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and current is not None:
            current[1] += b" " + line.strip()
            continue
        match = _HEADER_LINE.match(line)
        current = [match.group(1).lower(), match.group(2).strip()] if match else [b"", line.strip()]
        fields.append(current)
    digest = hashlib.sha256()
    for name in (*STABLE_HEADERS, b""):  # b"": lines that are no header at all
        for key, value in fields:
            if key == name:
                digest.update(name + b":" + b" ".join(value.split()) + b"\n")
    digest.update(b"\n" + b"\n".join(line.rstrip() for line in body.strip().split(b"\n")))
    return digest.hexdigest()


def message_key(raw, message_id):
    """What makes a message "the same": its Message-ID, or the hash of its stable
    headers and body (``content_hash``)."""
    if message_id:
        return f"mid:{message_id[:900]}"
    return f"hash:{content_hash(raw)}"


def strip_mbox_line(raw):
    """Files from mbox spools start with a "From sender date" line that is no header."""
    if raw.startswith(b"From ") and b"\n" in raw:
        return raw.split(b"\n", 1)[1]
    return raw


def _declared_charset(message):
    for part in message.walk():
        if part.get_content_maintype() == "text":
            charset = part.get_content_charset()
            if charset:
                return charset
    return None


def _decode_words(text, declared):
    """Encoded words (RFC 2047) → text, each word's bytes through the fallbacks."""
    if "=?" not in text:
        return text
    try:
        parts = decode_header(text)
    except Exception:
        return text
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset or declared, header=charset is None))
        else:
            out.append(chunk)
    return "".join(out)


def clean_line(text):
    """One line of text: no control characters (so no header injection), normalised."""
    text = _CONTROL.sub(" ", text.replace("\r", " ").replace("\n", " "))
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _raw_header(message, name):
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def header_text(message, name, declared=None):
    """A header's value as text, whatever its encoding; '' when missing."""
    raw = _raw_header(message, name)
    if raw is None:
        return ""
    raw = re.sub(r"\r?\n[ \t]+", " ", raw)
    value = redecode_surrogates(raw, declared)
    if "=?" in value:
        value = _decode_words(value, declared)
    return clean_line(value)


def _ids(value):
    return re.findall(r"<[^<>\s]+>", value or "")


_BASE64_LINE = re.compile(r"^[A-Za-z0-9+/=]*$")


def _looks_binary(text):
    if not text:
        return False
    odd = sum(1 for c in text if (c < " " and c not in "\r\n\t") or "\x7f" <= c <= "\x9f" or c == "\ufffd")
    return odd > 0.05 * len(text)


def _payload_text(part):
    """A text part's text. A part labelled base64 whose lines are not base64 at all
    (a client that lied) is read as it stands, and so is one whose decoding gives
    binary noise while the undecoded text is readable."""
    data = part.get_payload(decode=True) or b""
    text = decode_bytes(data, part.get_content_charset())
    if part.get("Content-Transfer-Encoding", "").strip().lower() == "base64":
        undecoded = part.get_payload(decode=False)
        undecoded = undecoded if isinstance(undecoded, str) else ""
        lines = [line.strip() for line in undecoded.splitlines() if line.strip()]
        not_base64 = lines and sum(1 for line in lines if not _BASE64_LINE.match(line)) > len(lines) / 2
        if not_base64 or _looks_binary(text):
            plain = redecode_surrogates(undecoded, part.get_content_charset())
            if plain.strip() and not _looks_binary(plain):
                return plain
    return text


_DELIMITER = re.compile(r"(?m)^--([0-9A-Za-z'()+_,./:=?-]{1,70}?)(--)?[ \t]*\r?$")


def recover_multipart(part):
    """A multipart whose declared boundary never occurs (the parser leaves its body as
    one string): re-read it with the delimiter its lines actually use, so the text
    stays text. None when no delimiter can be found."""
    body = part.get_payload(decode=True) or b""  # the body's bytes, 8-bit ones included
    counts = {}
    for match in _DELIMITER.finditer(body.decode("ascii", "replace")):
        counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    if not counts:
        return None
    boundary = max(counts, key=counts.get)
    head = f"Content-Type: {part.get_content_type()}; boundary=\"{boundary}\"\r\nMIME-Version: 1.0\r\n\r\n"
    rebuilt = email.message_from_bytes(head.encode("ascii") + body, policy=email.policy.default)
    return rebuilt if rebuilt.is_multipart() else None


def _filename(part, declared):
    name = part.get_filename(None)
    if name is None:
        name = part.get_param("name", None)
        if isinstance(name, tuple):  # RFC 2231 triple
            name = email.utils.collapse_rfc2231_value(name)
    if not name:
        return ""
    name = redecode_surrogates(str(name), declared)
    if _ENCODED_WORD.search(name):
        name = _decode_words(name, declared)
    name = clean_line(name).replace("/", "_").replace("\\", "_").strip(". ")
    return name[:200]


def _default_name(part, index):
    extension = {
        "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "application/pdf": ".pdf",
        "message/rfc822": ".eml", "text/plain": ".txt", "text/html": ".html",
    }.get(part.get_content_type(), ".bin")
    return f"attachment-{index}{extension}"


class _Walker:
    def __init__(self, declared, max_parts=None):
        self.declared = declared
        self.texts = []
        self.htmls = []
        self.files = []
        self.max_parts = max_parts
        self.leaves = 0
        self.dropped = 0

    def _is_attachment(self, part):
        disposition = part.get_content_disposition()
        return disposition == "attachment" or (disposition == "inline" and bool(part.get_filename()))

    def _file(self, part):
        if part.get_content_type() in SIGNATURE_TYPES:
            return
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            try:
                data = inner.as_bytes(policy=email.policy.compat32) if inner is not None else b""
            except Exception:
                data = str(inner).encode("utf-8", "surrogateescape")
            subject = header_text(inner, "Subject", self.declared) if inner is not None else ""
            name = _filename(part, self.declared) or f"{(subject or 'message')[:80]}.eml"
            self.files.append(MailFile(name, "message/rfc822", data))
            return
        data = part.get_payload(decode=True) or b""
        name = _filename(part, self.declared) or _default_name(part, len(self.files) + 1)
        self.files.append(MailFile(name, part.get_content_type(), data, part.get_content_disposition() == "inline"))

    def walk(self, part):
        content_type = TEXT_ALIASES.get(part.get_content_type(), part.get_content_type())
        if part.get_content_maintype() == "multipart" and not part.is_multipart():
            rebuilt = recover_multipart(part)
            if rebuilt is not None:
                part = rebuilt
            else:  # no delimiter at all: its body is the best text there is
                self.texts.append(decode_bytes(part.get_payload(decode=True) or b"", self.declared))
                return
        if not part.is_multipart():
            self.leaves += 1
            if self.max_parts is not None and self.leaves > self.max_parts:
                self.dropped += 1
                return
        if content_type == "message/rfc822":
            self._file(part)
            return
        if part.is_multipart():
            if content_type == "multipart/alternative":
                self._alternative(part)
            else:
                for sub in part.iter_parts() if hasattr(part, "iter_parts") else part.get_payload():
                    self.walk(sub)
            return
        if self._is_attachment(part):
            self._file(part)
        elif content_type == "text/plain":
            self.texts.append(_payload_text(part))
        elif content_type == "text/html":
            self.htmls.append(_payload_text(part))
            self.texts.append(None)  # keep the place of HTML bodies among text bodies
        elif part.get_content_maintype() == "text" and content_type not in ("text/calendar",):
            self.texts.append(_payload_text(part))
        else:
            self._file(part)

    def _alternative(self, part):
        subs = list(part.iter_parts())
        plain = [s for s in subs if s.get_content_type() == "text/plain" and not self._is_attachment(s)]
        if plain and _payload_text(plain[0]).strip():
            self.texts.append(_payload_text(plain[0]))
            return
        # No usable plain text: the richest other alternative (the last one, RFC 2046).
        for sub in reversed(subs):
            if sub.is_multipart() or sub.get_content_type() == "text/html":
                self.walk(sub)
                return
        if plain:
            self.texts.append("")

    def text(self):
        html_iter = iter(self.htmls)
        pieces, was_html = [], False
        for piece in self.texts:
            if piece is None:
                piece, was_html = html_to_text(next(html_iter)), True
            pieces.append(piece.replace("\r\n", "\n").strip("\n"))
        return "\n\n".join(p for p in pieces if p.strip()), was_html


def _unfold(value):
    return re.sub(r"\r?\n[ \t]+", " ", str(value))


def display_name(raw_name, declared=None):
    """A display name from the raw header: 8-bit bytes and encoded words decoded, then
    reduced to one clean line (an encoded CR/LF cannot start a header of its own)."""
    name = redecode_surrogates(raw_name.strip(), declared)
    if "=?" in name:
        name = _decode_words(name, declared)
    return clean_line(name)


def addresses(message, name, declared=None):
    """[(display name, address)] of every ``name`` header.

    Addresses are taken from the *undecoded* header, and only display names are
    decoded afterwards: ``=?utf-8?q?Olga_=3Cl1=40helpdesk.example=3E?= <m@evil.example>``
    is m@evil.example named "Olga <l1@helpdesk.example>", and an encoded
    ``=0D=0ABcc:`` inside a name stays part of the name.
    """
    values = [_unfold(v) for k, v in message.raw_items() if k.lower() == name.lower()]
    found = []
    for raw_name, address in getaddresses(values):
        address = redecode_surrogates(address, declared).strip().lower()
        if "@" in address and not _CONTROL.search(address) and " " not in address:
            found.append((display_name(raw_name, declared), address))
    return found


_BOUNDARY_PARAM = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))', re.IGNORECASE)


def cap_parts(raw, max_parts):
    """(raw, dropped): the message cut before its (max_parts + 1)-th MIME part.

    Parsing 20,000 parts takes the ``email`` package seconds; the delimiter lines of
    the boundaries the message declares are counted on the bytes first (fast), and
    what lies beyond the cap is never parsed. The parser closes the open multiparts.
    """
    boundaries = {m.group(1) or m.group(2) for m in _BOUNDARY_PARAM.finditer(raw)}
    if not boundaries or max_parts is None:
        return raw, 0
    alternatives = b"|".join(re.escape(b) for b in sorted(boundaries, key=len, reverse=True))
    delimiters = [m.start() for m in re.finditer(rb"(?m)^--(?:" + alternatives + rb")[ \t]*\r?$", raw)]
    if len(delimiters) <= max_parts:
        return raw, 0
    return raw[:delimiters[max_parts]], len(delimiters) - max_parts


def parse(raw, *, max_parts=100, auth_header="Authentication-Results"):
    """Parse raw message bytes; raises ParseError when they are not a mail at all.
    At most ``max_parts`` MIME parts are read (``parts_dropped`` counts the rest);
    ``authentication_results`` are the values of the ``auth_header`` headers, top first."""
    if not raw or not raw.strip():
        raise ParseError("empty message")
    raw = strip_mbox_line(raw)
    raw, dropped = cap_parts(raw, max_parts)
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:
        raise ParseError(f"unparseable: {exc!r}") from exc
    if not message.keys():
        raise ParseError("no headers")
    declared = _declared_charset(message)
    senders = addresses(message, "From", declared) or addresses(message, "Sender", declared)
    name, address = senders[0] if senders else ("", "")
    subject = header_text(message, "Subject", declared)
    walker = _Walker(declared, max_parts)
    try:
        walker.walk(message)
    except Exception as exc:
        raise ParseError(f"broken MIME structure: {exc!r}") from exc
    text, was_html = walker.text()
    recipients = [addr for header in RECIPIENT_HEADERS for _n, addr in addresses(message, header, declared)]
    message_id = _ids(header_text(message, "Message-ID"))
    return ParsedMail(
        message_id=message_id[0] if message_id else "",
        from_address=address,
        from_name=name[:200],
        subject=subject,
        text=text,
        recipients=list(dict.fromkeys(recipients)),
        in_reply_to=_ids(header_text(message, "In-Reply-To")),
        references=_ids(header_text(message, "References")),
        files=walker.files,
        verdict=classify(message, address, subject),
        was_html=was_html,
        language=header_text(message, "Content-Language")[:8].lower(),
        authentication_results=[_unfold(v) for k, v in message.raw_items() if k.lower() == auth_header.lower()],
        parts_dropped=dropped + walker.dropped,
    )
