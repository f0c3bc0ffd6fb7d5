"""Relevance on a small multilingual knowledge base written for these tests."""

import pytest

from knowledgebase import selectors
from knowledgebase.models import Article

from .factories import make_article

pytestmark = pytest.mark.django_db

ARTICLES = {
    "ru-admin": ("ru", "Как восстановить пароль от панели администрирования",
                 "Откройте страницу входа в панель администрирования и нажмите «Забыли пароль?». "
                 "Письмо со ссылкой для сброса придёт на адрес администратора."),
    "ru-mailbox": ("ru", "Смена пароля почтового ящика",
                   "Пароль почтового ящика меняется в разделе «Почта» панели управления хостингом. "
                   "Почтовая программа покажет ошибку «Authentication failed», пока вы не введёте новый пароль."),
    "ru-backup": ("ru", "Резервные копии сайта",
                  "Резервная копия сайта создаётся каждую ночь. Восстановить сайт из резервной копии можно "
                  "в разделе «Резервные копии»."),
    "ru-payment": ("ru", "Ошибка при оплате заказа картой",
                   "Если покупатель видит ошибку «Платёж отклонён банком», проверьте настройки платёжного модуля."),
    "pl-ssl": ("pl", "Certyfikat SSL wygasł",
               "Gdy certyfikat SSL wygaśnie, przeglądarka pokazuje ostrzeżenie. Odnów certyfikat w panelu klienta."),
    "pl-mailbox": ("pl", "Zmiana hasła do skrzynki pocztowej",
                   "Hasło do skrzynki pocztowej zmienisz w panelu klienta, w sekcji Poczta."),
    "pl-invoice": ("pl", "Faktury za zamówienia",
                   "Sklep wystawia fakturę po opłaceniu zamówienia. Faktury znajdziesz w zakładce Dokumenty."),
    "en-migrate": ("en", "Moving your website to another server",
                   "To move the website, export the database and the files, then import them on the new server. "
                   "If you see 'Error establishing a database connection', check the database password."),
    "en-extensions": ("en", "Installing extensions",
                      "Extensions add features to the shop. Install them from the Extensions page of the admin panel."),
    "en-draft": ("en", "Unreleased feature: password vault", "The password vault is not released yet."),
}


@pytest.fixture
def kb(db):
    made = {}
    for key, (language, title, body) in ARTICLES.items():
        status = "draft" if key == "en-draft" else "published"
        made[key] = make_article(title, body, language, status=status)
    made["ru-internal"] = make_article(
        "Внутренняя инструкция: сброс пароля администратора через консоль",
        "Пароль администратора сбрасывается командой в консоли сервера.", "ru", visibility="internal",
    )
    return made


def top(kb, text, language):
    ids = {article.pk: key for key, article in kb.items()}
    return [ids[pk] for pk, _, _ in selectors.ranked(text, language)]


def shown(kb, text, language):
    ids = {article.pk: key for key, article in kb.items()}
    return [ids[r["article"].pk] for r in selectors.suggestions(text, language)]


@pytest.mark.parametrize(
    "text,language,expected",
    [
        ("забыл пароли от админки", "ru", "ru-admin"),  # inflection + colloquial synonym
        ("поменять пароли почтовых ящиков ", "ru", "ru-mailbox"),  # inflection
        ("сброс пороля от панели администрирования", "ru", "ru-admin"),  # typo
        ("нужен бэкап сайта", "ru", "ru-backup"),  # synonym
        ("ошибка при оплат", "ru", "ru-payment"),  # half-typed last word
        ("Authentication failed", "ru", "ru-mailbox"),  # pasted error message in another script
        ("certyfikat ssl wygasl", "pl", "pl-ssl"),  # Polish without diacritics
        ("jak zmienić hasła skrzynek pocztowych", "pl", "pl-mailbox"),  # Polish inflection
        ("nie ma faktury za zamowienie", "pl", "pl-invoice"),
        ("Error establishing a database connection on example.com", "en", "en-migrate"),
        ("how to install add-ons", "en", "en-extensions"),  # synonym
        ("moving site to new serv", "en", "en-migrate"),  # prefix
    ],
)
def test_the_right_article_comes_first(kb, text, language, expected):
    assert top(kb, text, language)[:1] == [expected]


def test_confusable_passwords_rank_by_what_was_asked(kb):
    assert top(kb, "пароль от почтового ящика", "ru")[0] == "ru-mailbox"
    assert top(kb, "пароль от панели администрирования", "ru")[0] == "ru-admin"


def test_drafts_and_internal_articles_are_never_suggested(kb):
    assert "en-draft" not in top(kb, "password vault", "en")
    assert "ru-internal" not in top(kb, "сброс пароля администратора через консоль", "ru")


def test_a_query_without_an_answer_shows_nothing(kb):
    assert shown(kb, "как заказать пиццу с доставкой на дом", "ru") == []
    assert shown(kb, "our office printer jams on page two", "en") == []


def test_confident_suggestions_are_shown_with_a_marked_snippet(kb):
    results = selectors.suggestions("не могу восстановить пароль от панели администрирования", "ru")
    assert results and results[0]["article"].title.startswith("Как восстановить")
    assert "<mark>" in results[0]["snippet"] and "<mark>" in results[0]["title"]


def test_text_in_another_language_than_the_visitor_s_is_found_too(kb):
    assert top(kb, "Zmiana hasła do skrzynki pocztowej", "en")[0] == "pl-mailbox"


def test_unpublishing_removes_an_article_from_suggestions(kb):
    from knowledgebase import services

    assert top(kb, "certyfikat ssl wygasl", "pl")[0] == "pl-ssl"
    services.article_update(article=kb["pl-ssl"], status=Article.Status.DRAFT)
    assert "pl-ssl" not in top(kb, "certyfikat ssl wygasl", "pl")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "'\"", "%", "_", "%_%", "\\", "'); DROP TABLE x; --", "😀😀", "a", "сертификат" * 2000,
     "пароль password hasło 密码 كلمة", "x" * 10_000, "!:*&|<->()", "\x00"],
)
def test_odd_input_never_errors(kb, text):
    selectors.ranked(text.replace("\x00", ""), "ru")
    selectors.suggestions(text.replace("\x00", ""), "pl")


def test_a_misspelt_last_word_is_corrected_when_nothing_starts_with_it(kb):
    # "сертефикат" is typed to the end without a space: it starts no known word, so it
    # is corrected like any word instead of staying an empty prefix.
    from knowledgebase.search import engine

    make_article("Сертификат SSL истёк", "Когда сертификат истекает, браузер предупреждает.", "ru")
    analysis, _ = engine.search("истёк сертефикат", "ru")
    last = analysis.concepts[-1]
    assert last.corrected and not last.prefix and last.primary.terms == ("сертификат",)


def test_a_real_word_missing_from_the_knowledge_base_is_never_corrected(kb):
    from knowledgebase.search import engine

    make_article("Abandoned cart emails", "Remind customers about the cart they left.", "en")
    analysis, _ = engine.search("customer care line ", "en")
    care = next(c for c in analysis.concepts if c.origin == "care")
    assert not care.corrected  # "care" is an English word, not a typo of "cart"
    analysis, _ = engine.search("my cartt is empty ", "en")
    assert next(c for c in analysis.concepts if c.origin == "cartt").corrected


def test_trigrams_find_a_polish_form_the_stemmer_misses(kb):
    assert top(kb, "certyfikatów ssl wygasających", "pl")[:1] == ["pl-ssl"]


def test_a_long_body_never_hides_what_the_subject_finds(kb):
    subject = "не могу сменить пароль почтового ящика"
    body = ("Вчера всё работало, сегодня бухгалтер открыла телефон и ничего не может сделать, говорит, "
            "что раньше такого не было, мы ничего не меняли, директор нервничает, помогите срочно.")
    ids = {article.pk: key for key, article in kb.items()}
    alone = [ids[r["article"].pk] for r in selectors.suggestions(subject, "ru")]
    with_body = [ids[r["article"].pk] for r in selectors.suggestions(subject, "ru", body=body)]
    assert "ru-mailbox" in alone and "ru-mailbox" in with_body
