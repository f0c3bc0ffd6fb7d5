"""Parsing the third-party fixtures: machine mail, subjects, senders, text, files.

Pure tests: no database. The expectations come from fixtures/manifest.json (what
the source project asserts), with our documented policy where it differs.
"""

import pytest

from inbound.charsets import decode_bytes, guess_single_byte
from inbound.classify import classify
from inbound.parsing import clean_line, message_key, parse

from .fixtures import expected_attachments, expected_machine, header_signals, manifest, raw, rfc822_names


@pytest.mark.parametrize("name", rfc822_names())
def test_fixture_parses_without_error(name):
    parsed = parse(raw(name))
    assert isinstance(parsed.text, str) and isinstance(parsed.subject, str)
    assert "\n" not in parsed.subject and "\r" not in parsed.subject


@pytest.mark.parametrize("name", rfc822_names())
def test_machine_mail_is_recognised_as_the_manifest_says(name):
    verdict = parse(raw(name)).verdict
    assert (verdict.is_auto_reply, verdict.is_bounce) == expected_machine(name), verdict.reason


@pytest.mark.parametrize("name", [n for n in rfc822_names() if expected_attachments(n) is not None])
def test_attachment_count(name):
    files = parse(raw(name)).files
    assert len(files) == expected_attachments(name), [(f.name, f.content_type) for f in files]


SUBJECTS = {
    "flanker__bilingual-simple.eml": "Simple text. How are you? Как ты поживаешь?",
    "webklex__mixed_filename.eml": "Свежий прайс-лист",
    "webklex__issue-511.eml": "RE: [EXTERNAL] Re: Lorem Ipsum /40 one",
    "phpmimemailparser__issue212.eml": "Automatyczna odpowiedź: Piotrze, test z 6 miesięcy nauki ciągle na Ciebie czeka",
    "rt__russian-subject-no-content-type.eml": "тест тест",
    "djangohelpdesk__quoted_printable.eml": "Český test",
    "djangohelpdesk__all-special-chars.eml": "Testovácí email",
    "webklex__html_only.eml": "Nuu",
    "flanker__bounce_delayed.eml": "Returned mail: Cannot send message for 5 days",
    "webklex__embedded_email_without_content_disposition.eml": "Subject",
}


@pytest.mark.parametrize(("name", "subject"), sorted(SUBJECTS.items()))
def test_subject_is_decoded(name, subject):
    assert parse(raw(name)).subject == subject


def test_long_subject_is_kept_whole_by_the_parser():
    subject = parse(raw("djangohelpdesk__blank-body-with-attachment.eml")).subject
    assert subject.startswith("Attachment without body - and a looooo") and len(subject) > 200


@pytest.mark.parametrize(
    ("name", "sender_name", "address"),
    [
        ("webklex__mixed_filename.eml", "Прайсы || ПартКом", "support@part-kom.ru"),  # windows-1251 encoded word
        ("webklex__issue-511.eml", "COMPANYNAME | usługi", "sender@sender_domain.tld"),  # ISO-8859-2 encoded word
        ("rt__new-ticket-from-iso-8859-1.eml", "Wilhelmsen Håvard", "hw@nordkapp.net"),  # raw 8-bit Latin-1
        ("talon__android.eml", "Sergey Obykhov", "bob@example.com"),
    ],
)
def test_sender_name_and_address(name, sender_name, address):
    parsed = parse(raw(name))
    assert (parsed.from_name, parsed.from_address) == (sender_name, address)


@pytest.mark.parametrize(
    ("name", "contains"),
    [
        ("rt__new-ticket-from-iso-8859-1.eml", "Håvard"),
        ("rt__text-html-with-umlaut.eml", "causes rt to crash"),
        ("rt__crashes-file-based-parser.eml", "FYI"),
        ("djangohelpdesk__quoted_printable.eml", "Tohle je test českých písmen odeslaných z gmailu."),
        ("djangohelpdesk__all-special-chars.eml", "íářčšáíéřášč"),
        ("djangohelpdesk__forwarded-message.eml", "This is email body"),
        ("djangohelpdesk__forwarded-message.eml", "Hello there!"),
        ("flanker__bilingual-simple.eml", "А эта линия по-русски."),
        ("webklex__embedded_email_without_content_disposition.eml", "TexT"),
        ("flanker__signed.eml", "a pöstal sign of our times"),
    ],
)
def test_body_text_is_decoded(name, contains):
    assert contains in parse(raw(name)).text


def test_koi8r_body_without_any_charset_is_guessed():
    assert parse(raw("rt__russian-subject-no-content-type.eml")).text.strip() == "ТЕСТ"


def test_html_only_mail_becomes_plain_text():
    parsed = parse(raw("webklex__html_only.eml"))
    assert parsed.text == "Hi" and parsed.was_html


def test_text_split_around_an_inline_image_is_joined_and_the_image_kept():
    parsed = parse(raw("flanker__iphone.eml"))
    assert parsed.text.startswith("Hello") and parsed.text.endswith("~Danielle")
    assert [(f.name, f.content_type, f.inline) for f in parsed.files] == [("photo.JPG", "image/jpeg", True)]


@pytest.mark.parametrize(
    ("name", "filename"),
    [
        ("webklex__attachment_encoded_filename.eml", "Prostřeno_2014_poslední volné termíny.xls"),
        ("rt__rfc2231-attachment-filename-continuations.eml", "新しいテキスト ドキュメント.txt"),
        ("webklex__mixed_filename.eml", "Price4VladDaKar.xlsx"),
        ("djangohelpdesk__blank-body-with-attachment.eml", "baf"),
    ],
)
def test_attachment_file_names_are_decoded(name, filename):
    assert [f.name for f in parse(raw(name)).files] == [filename]


def test_broken_russian_attachment_name_still_gives_a_name_and_the_image():
    files = parse(raw("flanker__russian-attachment-yahoo.eml")).files
    assert len(files) == 1 and files[0].content_type == "image/png"
    assert files[0].name.startswith("Картинка с очень, очень длинным")
    assert files[0].data[:8] == b"\x89PNG\r\n\x1a\n"


def test_forwarded_message_attachment_becomes_an_eml_file():
    files = parse(raw("webklex__embedded_email_without_content_disposition.eml")).files
    names = [f.name for f in files]
    assert names[0] == "file.jpg" and names[2:] == ["file3.xlsx", "file4.zip"]
    assert files[1].content_type == "message/rfc822" and files[1].name.endswith(".eml")
    assert b"file1.xlsx" in files[1].data


def test_mail_without_from_parses_with_an_empty_sender():
    parsed = parse(raw("phpmimemailparser__issue212.eml"))
    assert parsed.from_address == ""


@pytest.mark.parametrize("line", header_signals()["bounce"])
def test_osticket_bounce_header_lines(line):
    message = _minimal(line)
    verdict = classify(message, _from(message), str(message.get("Subject", "")))
    assert verdict.is_bounce, line


@pytest.mark.parametrize("line", header_signals()["auto_reply"])
def test_osticket_auto_reply_header_lines(line):
    message = _minimal(line)
    verdict = classify(message, _from(message), str(message.get("Subject", "")))
    assert verdict.is_auto_reply and not verdict.is_bounce, line


def test_rt_precedence_bulk_counts_and_never_bounce_alone_does_not():
    both = _minimal("Precedence: bulk\nPrecedence: never-bounce")
    assert classify(both, "a@example.com", "hi").is_auto_reply
    alone = _minimal("Precedence: never-bounce")
    assert not classify(alone, "a@example.com", "hi").is_machine


@pytest.mark.parametrize(
    "subject",
    ["Automatyczna odpowiedź: Re: zamówienie", "Автоматический ответ: Re: заказ", "Out of Office: meeting",
     "Automatic reply: Nyaan", "Auto reply: x"],
)
def test_auto_reply_subjects_in_three_languages(subject):
    assert classify(_minimal("X-Dummy: 1"), "a@example.com", subject).is_auto_reply


def test_ordinary_mail_is_not_machine_mail():
    message = _minimal("X-MS-Exchange-Inbox-Rules-Loop: someone@example.com")
    assert not classify(message, "someone@example.com", "Re: invoice").is_machine


def _minimal(header_lines):
    import email
    import email.policy

    text = "From: Someone <someone@example.com>\nTo: support@example.com\n"
    if not header_lines.lower().startswith(("from:", "subject:")):
        text += "Subject: hello\n"
    text += header_lines + "\n\nbody\n"
    return email.message_from_string(text, policy=email.policy.default)


def _from(message):
    from email.utils import parseaddr

    return parseaddr(str(message.get("From", "")))[1]


# ---------------------------------------------------------------- charsets


@pytest.mark.parametrize("charset", ["cp1251", "koi8_r"])
@pytest.mark.parametrize("text", ["Привет, как дела?", "ТЕСТ", "Свежий прайс-лист", "ошибка 500 при импорте"])
def test_cyrillic_single_byte_guess(text, charset):
    assert guess_single_byte(text.encode(charset)) == text


@pytest.mark.parametrize(("text", "charset"), [("Håvard", "latin-1"), ("Zażółć gęślą jaźń", "iso-8859-2"),
                                               ("Zażółć gęślą jaźń", "cp1250")])
def test_latin_single_byte_guess(text, charset):
    assert guess_single_byte(text.encode(charset)) == text


def test_declared_charset_wins_for_bodies_and_unknown_charsets_fall_back():
    assert decode_bytes("тест".encode("koi8_r"), "koi8-r") == "тест"
    assert decode_bytes("тест".encode("cp1251"), "x-unknown-charset") == "тест"
    assert decode_bytes("zażółć".encode(), "us-ascii") == "zażółć"


def test_raw_8bit_headers_prefer_utf8_then_guess():
    header_raw = "Subject: Заявка\n".encode()
    message = parse(b"From: a@example.com\n" + header_raw + b"\nbody\n")
    assert message.subject == "Заявка"
    message = parse(b"From: a@example.com\nSubject: " + "Заявка".encode("cp1251") + b"\n\nbody\n")
    assert message.subject == "Заявка"


def test_encoded_newlines_in_headers_never_survive():
    raw_bytes = b"From: =?utf-8?b?RXZpbA0KQmNjOiB2aWN0aW1AZXhhbXBsZS5jb20=?= <a@example.com>\n" \
                b"Subject: =?utf-8?q?Hi=0D=0ABcc:_x@example.com?=\n\nbody\n"
    parsed = parse(raw_bytes)
    assert "\n" not in parsed.subject and "\r" not in parsed.subject
    assert "\n" not in parsed.from_name and "\r" not in parsed.from_name
    assert clean_line("a\r\nb\x00c") == "a b c"


def test_message_key_uses_message_id_or_the_hash_of_the_content():
    assert message_key(b"x", "<a@b>") == "mid:<a@b>"
    assert message_key(b"x", "").startswith("hash:") and message_key(b"x", "") != message_key(b"y", "")


def test_manifest_lists_every_copied_fixture():
    from .fixtures import FIXTURES

    files = {p.name for p in FIXTURES.iterdir() if p.suffix in (".eml", ".txt", ".html")}
    assert files == set(manifest())
