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
from email.utils import getaddresses, parseaddr

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


def message_key(raw, message_id):
    """What makes a message "the same" in a mailbox: its Message-ID, or its bytes."""
    if message_id:
        return f"mid:{message_id[:900]}"
    return f"sha256:{hashlib.sha256(raw).hexdigest()}"


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


def _payload_text(part):
    data = part.get_payload(decode=True) or b""
    return decode_bytes(data, part.get_content_charset())


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
    def __init__(self, declared):
        self.declared = declared
        self.texts = []
        self.htmls = []
        self.files = []

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


def parse(raw):
    """Parse raw message bytes; raises ParseError when they are not a mail at all."""
    if not raw or not raw.strip():
        raise ParseError("empty message")
    raw = strip_mbox_line(raw)
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:
        raise ParseError(f"unparseable: {exc!r}") from exc
    if not message.keys():
        raise ParseError("no headers")
    declared = _declared_charset(message)
    from_header = header_text(message, "From", declared) or header_text(message, "Sender", declared)
    name, address = parseaddr(from_header)
    address = address.strip().lower()
    if "@" not in address:
        address = ""
    subject = header_text(message, "Subject", declared)
    walker = _Walker(declared)
    try:
        walker.walk(message)
    except Exception as exc:
        raise ParseError(f"broken MIME structure: {exc!r}") from exc
    text, was_html = walker.text()
    recipients = []
    for header in RECIPIENT_HEADERS:
        for _n, addr in getaddresses([header_text(message, h, declared) for h in [header]]):
            if addr and "@" in addr:
                recipients.append(addr.strip().lower())
    message_id = _ids(header_text(message, "Message-ID"))
    return ParsedMail(
        message_id=message_id[0] if message_id else "",
        from_address=address,
        from_name=clean_line(name)[:200],
        subject=subject,
        text=text,
        recipients=list(dict.fromkeys(recipients)),
        in_reply_to=_ids(header_text(message, "In-Reply-To")),
        references=_ids(header_text(message, "References")),
        files=walker.files,
        verdict=classify(message, address, subject),
        was_html=was_html,
        language=header_text(message, "Content-Language")[:8].lower(),
        authentication_results=[str(v) for k, v in message.raw_items() if k.lower() == "authentication-results"],
    )
