"""Reply text after quote and signature stripping: the fixtures' expected texts, and
the Russian and Polish quoting styles the fixtures do not cover."""

import re

import pytest

from inbound.htmltext import html_to_text
from inbound.parsing import parse
from inbound.quotes import strip_reply

from .fixtures import REPLY_TEXT_POLICY, manifest, raw

EML_REPLIES = sorted(n for n, e in manifest().items() if n.startswith("talon__") and n.endswith(".eml"))
HTML_REPLIES = sorted(n for n in manifest() if n.startswith("talon__html_"))


def _expected(name):
    return REPLY_TEXT_POLICY.get(name, manifest()[name]["source_expectation"].get("new_reply_text"))


@pytest.mark.parametrize("name", EML_REPLIES)
def test_client_replies_keep_only_the_new_text(name):
    # As in talon's test: the first text/plain part (the HTML one is checked below).
    assert strip_reply(parse(raw(name)).text) == _expected(name)


@pytest.mark.parametrize("name", HTML_REPLIES)
def test_html_replies_keep_only_the_new_text(name):
    text = strip_reply(html_to_text(raw(name).decode("utf-8")))
    assert re.sub(r"\s", "", text) == re.sub(r"\s", "", _expected(name))


@pytest.mark.parametrize(
    "name",
    ["erp__email_2_1.txt", "erp__email_iPhone.txt", "erp__email_BlackBerry.txt",
     "erp__email_sent_from_my_not_signature.txt", "erp__email_bullets.txt"],
)
def test_email_reply_parser_cases_exactly(name):
    assert strip_reply(raw(name).decode("utf-8")) == _expected(name)


def test_a_reply_that_starts_with_on_is_not_taken_for_a_quote_header():
    text = strip_reply(raw("erp__greedy_on.txt").decode("utf-8"))
    assert text.startswith("On your remote host")
    assert "On 9 Jan 2014" not in text and "George Plymale" not in text


def test_mailing_list_top_post_keeps_the_answer():
    text = strip_reply(raw("erp__email_1_3.txt").decode("utf-8"))
    assert re.match(r"^Oh thanks.\n\nHaving", text)
    assert "Russell Brown wrote" not in text and "riak-users" not in text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Gmail, Russian interface
        ("Спасибо, работает.\n\nпт, 12 мая 2023 г. в 10:00, Поддержка <support@example.com>:\n\n> Попробуйте ещё раз.\n",
         "Спасибо, работает."),
        # Thunderbird / Mail.ru, Russian: "пишет:"
        ("Ошибка осталась.\n\n12.05.2023 10:00, Ольга Инженер пишет:\n> Обновите модуль.\n", "Ошибка осталась."),
        # Apple Mail, Russian: "написал(а):"
        ("Готово.\n\n12 мая 2023 г., в 10:00, Olga <olga@example.com> написал(а):\n\n> Проверьте лог.\n", "Готово."),
        # Gmail, Polish: "napisał(a):", wrapped over two lines
        ("Dziękuję, działa.\n\npt., 12 maj 2023 o 10:00 Helpdesk Support <\nsupport@example.com> napisał(a):\n\n> Proszę spróbować.\n",
         "Dziękuję, działa."),
        # Thunderbird, Polish
        ("Nadal nie działa.\n\nW dniu 12.05.2023 o 10:00, Jan Kowalski pisze:\n> Proszę o log.\n", "Nadal nie działa."),
        # Outlook, Russian header block without ">" quoting
        ("Прикладываю лог.\n\nОт: Поддержка <support@example.com>\nОтправлено: 12 мая 2023 г. 10:00\nКому: ivan@example.com\n"
         "Тема: HD-10042\n\nПришлите лог.\n", "Прикладываю лог."),
        # Outlook, Polish header block
        ("W załączniku.\n\nOd: Helpdesk <support@example.com>\nWysłano: piątek, 12 maja 2023 10:00\nDo: jan@example.com\n"
         "Temat: HD-10042\n\nProszę o zrzut ekranu.\n", "W załączniku."),
        # Outlook, English, with an "Original Message" separator
        ("Works now.\n\n-----Original Message-----\nFrom: Support\nSent: Friday\nTo: me\n\nTry again.\n", "Works now."),
        # Signatures: RFC 3676 "-- " and mobile ones
        ("Thanks!\n\n-- \nAnna Kowalska\nAcme Hosting\n", "Thanks!"),
        ("Спасибо!\n\nОтправлено с iPhone\n", "Спасибо!"),
        ("Dzięki!\n\nWysłane z iPhone'a\n", "Dzięki!"),
    ],
)
def test_russian_polish_and_outlook_quoting(body, expected):
    assert strip_reply(body) == expected


def test_inline_answers_keep_the_quoted_questions_for_context():
    body = "> Which version?\n3.2.1\n\n> Which browser?\nFirefox 128\n\nOn Mon, 1 Jan 2024, Support <s@example.com> wrote:\n> old\n"
    assert strip_reply(body) == "> Which version?\n3.2.1\n\n> Which browser?\nFirefox 128"


def test_a_fully_quoted_message_is_kept_rather_than_lost():
    assert strip_reply("> only a quote\n> nothing else\n") == "> only a quote\n> nothing else"


def test_html_to_text_drops_scripts_styles_and_remote_images():
    html = ('<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><p>Hello <b>there</b></p>'
            '<img src="https://tracker.example/p.png" alt="x"><a href="https://example.com/x">the docs</a>'
            '<a href="mailto:a@example.com">a@example.com</a></body></html>')
    text = html_to_text(html)
    assert "alert" not in text and "color" not in text and "tracker" not in text
    assert "Hello there" in text and "the docs (https://example.com/x)" in text and "a@example.com" in text
    assert "mailto" not in text
