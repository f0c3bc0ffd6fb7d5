"""Hostile and broken mail at the parser: spoofed display names, MIME bombs, broken
boundaries, lying transfer encodings, undeclared Central European charsets. Pure
tests: no database."""

import time

from django.test import override_settings

from inbound.authresults import authentication
from inbound.charsets import decode_bytes
from inbound.parsing import content_hash, parse

from .conftest import TRUSTED_ID


def _mail(headers, body, content_type="text/plain; charset=utf-8", extra=b""):
    # Header values are given as latin-1 strings of the bytes to send (raw 8-bit headers).
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode("latin-1")
    return head + f"Content-Type: {content_type}\r\n".encode() + extra + b"\r\n" + body


BASE = {"To": "support@helpdesk.localhost", "Subject": "Hello", "Message-ID": "<m1@client.example>"}


# ---------------------------------------------------------------- addresses


def test_an_address_inside_an_encoded_display_name_is_only_a_name():
    raw = _mail({"From": "=?utf-8?q?Olga_=3Colga=40helpdesk.example=3E?= <mallory@evil.example>", **BASE}, b"Hi")
    parsed = parse(raw)
    assert parsed.from_address == "mallory@evil.example"
    assert parsed.from_name == "Olga <olga@helpdesk.example>"


def test_an_encoded_crlf_and_bcc_in_a_display_name_adds_no_address():
    raw = _mail({
        "From": "=?utf-8?q?Anna=0D=0ABcc=3A_victim=40third.example?= <mallory@evil.example>",
        "To": "=?utf-8?q?Support=0D=0ACc=3A_victim=40third.example?= <support@helpdesk.localhost>",
        "Cc": "=?utf-8?b?" + __import__("base64").b64encode(b"X <victim@third.example>").decode() + "?= <c@x.example>",
        "Subject": "Hi", "Message-ID": "<m2@client.example>",
    }, b"Hi")
    parsed = parse(raw)
    assert parsed.from_address == "mallory@evil.example"
    assert "\n" not in parsed.from_name and "\r" not in parsed.from_name
    assert "victim@third.example" not in parsed.recipients
    assert parsed.recipients == ["support@helpdesk.localhost", "c@x.example"]


def test_raw_8bit_display_names_are_still_decoded():
    raw = _mail({"From": "Paweł Żak <pawel@firma.example>".encode("cp1250").decode("latin-1"), **BASE}, b"Hi")
    parsed = parse(raw)
    assert (parsed.from_name, parsed.from_address) == ("Paweł Żak", "pawel@firma.example")


# ---------------------------------------------------------------- limits


def test_twenty_thousand_mime_parts_are_capped_and_fast():
    parts = b"".join(
        b"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=f%d.txt\r\n\r\nx\r\n" % i
        for i in range(20000)
    )
    raw = _mail({"From": "a@client.example", **BASE}, b"--b\r\nContent-Type: text/plain\r\n\r\nThe real text.\r\n"
                + parts + b"--b--\r\n", content_type='multipart/mixed; boundary="b"')
    started = time.monotonic()
    parsed = parse(raw, max_parts=100)
    elapsed = time.monotonic() - started
    assert elapsed < 1.5, elapsed  # the whole tree takes the email package ~9 s
    assert parsed.text == "The real text."
    assert len(parsed.files) == 99 and parsed.parts_dropped == 20001 - 100


def test_content_hash_ignores_trace_headers_and_line_endings():
    one = b"Received: from a by mx1\r\nFrom: a@client.example\r\nTo: s@h.example\r\nSubject: Hi\r\n\r\nText\r\n"
    two = b"Delivered-To: sales@h.example\nReceived: from b by mx2\nReceived: from a\nFrom: a@client.example\n" \
          b"To: s@h.example\nSubject: Hi\n\nText\n"
    assert content_hash(one) == content_hash(two)
    assert content_hash(one) != content_hash(one.replace(b"Text", b"Other text"))


# ---------------------------------------------------------------- broken mail


def test_a_broken_boundary_keeps_the_text_as_text():
    body = (b"--WRONG\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe export button fails.\r\n"
            b"--WRONG\r\nContent-Type: image/png; name=shot.png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            b"iVBORw0KGgo=\r\n--WRONG--\r\n")
    parsed = parse(_mail({"From": "a@client.example", **BASE}, body, content_type='multipart/mixed; boundary="DECLARED"'))
    assert parsed.text == "The export button fails."
    assert [f.name for f in parsed.files] == ["shot.png"]


def test_a_broken_boundary_keeps_8bit_text_readable():
    body = b"--OTHER\r\nContent-Type: text/plain\r\n\r\n" + "System się nie włącza.".encode("cp1250") + b"\r\n--OTHER--\r\n"
    parsed = parse(_mail({"From": "a@client.example", **BASE}, body, content_type='multipart/mixed; boundary="X"'))
    assert parsed.text == "System się nie włącza."


def test_a_multipart_without_any_delimiter_is_read_as_text():
    parsed = parse(_mail({"From": "a@client.example", **BASE}, b"Just text, no parts at all.\r\n",
                         content_type='multipart/mixed; boundary="nothing"'))
    assert parsed.text == "Just text, no parts at all." and parsed.files == []


def test_text_labelled_base64_that_is_not_base64_is_read_as_it_stands():
    raw = _mail({"From": "a@client.example", **BASE}, b"Hello, the export fails again!\r\nPlease help.\r\n",
                extra=b"Content-Transfer-Encoding: base64\r\n")
    assert parse(raw).text == "Hello, the export fails again!\nPlease help."


def test_valid_base64_text_is_still_decoded():
    raw = _mail({"From": "a@client.example", **BASE}, b"VGhlIGV4cG9ydCBmYWlscy4=\r\n",
                extra=b"Content-Transfer-Encoding: base64\r\n")
    assert parse(raw).text == "The export fails."


# ---------------------------------------------------------------- charsets


def test_polish_body_without_a_charset_is_windows_1250():
    body = "Dzień dobry, system się nie włącza po aktualizacji.".encode("cp1250")
    raw = _mail({"From": "a@client.example", **BASE}, body, content_type="text/plain")
    assert parse(raw).text == "Dzień dobry, system się nie włącza po aktualizacji."
    # Only ł and ą: the bytes that ISO-8859-2 reads as "ł" and "š".
    assert decode_bytes("włącza".encode("cp1250")) == "włącza"


def test_raw_8bit_polish_subject():
    for charset in ("cp1250", "iso8859_2", "utf-8"):
        subject = "Proszę o pomoc".encode(charset).decode("latin-1")
        raw = _mail({"From": "a@client.example", "To": "s@h.example", "Subject": subject}, b"x",
                    content_type="text/plain")
        assert parse(raw).subject == "Proszę o pomoc", charset


def test_western_and_cyrillic_guesses_still_hold():
    assert decode_bytes("À bientôt, déjà vu".encode("cp1252")) == "À bientôt, déjà vu"
    assert decode_bytes("Müller Straße".encode("cp1252")) == "Müller Straße"
    assert decode_bytes("Привет, не работает экспорт".encode("koi8_r")) == "Привет, не работает экспорт"
    assert decode_bytes("Příliš žluťoučký kůň".encode("iso8859_2")) == "Příliš žluťoučký kůň"


# ---------------------------------------------------------------- Authentication-Results


@override_settings(INBOUND_TRUSTED_AUTHSERV_ID=TRUSTED_ID)
def test_only_our_servers_topmost_header_counts():
    ours_fail = f"{TRUSTED_ID}; spf=fail smtp.mailfrom=acme.example"
    forged_pass = f"{TRUSTED_ID}; dmarc=pass header.from=acme.example"
    assert authentication([ours_fail, forged_pass], "a@acme.example").failed == "spf"
    assert not authentication([forged_pass.replace(TRUSTED_ID, "mx.evil.example")], "a@acme.example").verified
    assert authentication([f"{TRUSTED_ID}; spf=pass smtp.mailfrom=acme.example", ours_fail], "a@acme.example").verified
    # A "fail" someone else's server wrote further down is not ours to believe.
    assert authentication([f"{TRUSTED_ID}; dmarc=pass", "other.example; spf=fail"], "a@acme.example").failed == ""


@override_settings(INBOUND_TRUSTED_AUTHSERV_ID=TRUSTED_ID)
def test_failures_without_dmarc_and_a_pass_that_outweighs_them():
    def failed(results):
        return authentication([f"{TRUSTED_ID}; {results}"], "a@acme.example").failed

    assert failed("spf=fail smtp.mailfrom=acme.example dkim=fail header.d=acme.example") == "spf"
    assert failed("dkim=fail header.d=acme.example") == "dkim"
    assert failed("dkim=fail header.d=list.example; dkim=pass header.d=acme.example") == ""
    assert failed("spf=fail smtp.mailfrom=fwd.example; dkim=pass header.d=acme.example; dmarc=pass") == ""
    assert failed("spf=softfail; dkim=none") == ""
    assert failed("this is ; not = a header") == ""


@override_settings(INBOUND_TRUSTED_AUTHSERV_ID="")
def test_without_a_trusted_server_only_failures_are_believed():
    assert authentication(["anything.example; dmarc=fail"], "a@acme.example").failed == "dmarc"
    assert not authentication(["anything.example; dmarc=pass header.from=acme.example"], "a@acme.example").verified
