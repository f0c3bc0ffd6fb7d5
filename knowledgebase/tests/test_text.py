"""Text analysis without a database: stemming, folding, tokens, typos, languages."""

import pytest

from knowledgebase.search import polish
from knowledgebase.search.document import tsvector_literal
from knowledgebase.search.language import detect, languages_for
from knowledgebase.search.query import analyse
from knowledgebase.search.synonyms import table
from knowledgebase.search.text import term, terms, words
from knowledgebase.search.typos import variants


@pytest.mark.parametrize(
    "forms",
    [
        ["hasło", "hasła", "haseł", "hasłem", "haslo", "hasla", "hasel"],
        ["certyfikat", "certyfikatu", "certyfikaty", "certyfikatów", "certyfikatow", "certyfikacie"],
        ["skrzynka", "skrzynki", "skrzynce", "skrzynek", "skrzynke"],
        ["płatność", "płatności", "platnosci", "płatnościami"],
        ["serwer", "serwera", "serwerze", "serwerem"],
        ["konto", "konta", "koncie", "kontem"],
        ["domena", "domeny", "domenę", "domenie", "domen"],
        ["przekierowanie", "przekierowania", "przekierować"],
        ["problem", "problemu", "problemem", "problemy"],
    ],
)
def test_polish_forms_share_one_stem_with_or_without_diacritics(forms):
    assert len({term(word, "pl") for word in forms}) == 1, {w: term(w, "pl") for w in forms}


def test_polish_keeps_unrelated_words_apart():
    assert term("ekran", "pl") != term("ekspres", "pl")
    assert term("domena", "pl") != term("dom", "pl")


@pytest.mark.parametrize("forms", [["пароль", "пароля", "паролей", "паролем"], ["сертификат", "сертификата", "сертификатов"]])
def test_russian_forms_share_one_stem(forms):
    assert len({term(word, "ru") for word in forms}) == 1


def test_yo_is_e_and_case_is_ignored():
    assert term(words("ЕЩЁ")[0], "ru") == term("еще", "ru")


def test_latin_words_in_russian_text_use_the_english_stemmer():
    assert term("failed", "ru") == term("failing", "en") == "fail"


def test_words_split_on_punctuation_quotes_percent_underscore_and_emoji():
    assert words("«Ошибка» 100% my_var 😀 O'Reilly ssl-сертификат") == [
        "ошибка", "100", "my", "var", "o", "reilly", "ssl", "сертификат"
    ]


def test_long_tokens_and_long_numbers_are_not_indexed():
    assert term("a" * 40, "en") is None
    assert term("1234567890", "en") is None
    assert term("500", "en") == "500"


def test_stopwords_are_skipped_but_positions_count_them():
    assert terms("the password of the mailbox", "en") == [("password", 2), ("mailbox", 5)]


def test_tsvector_literal_weights_title_a_and_body_b_and_quotes_safely():
    literal = tsvector_literal(title="Reset password", tags=["mail"], text="Password o'clock", language="en")
    assert "'password':2A,6B" in literal
    assert "'reset':1A" in literal and "'mail':4A" in literal
    assert "'clock'" in literal


def test_polish_fold_removes_diacritics():
    assert polish.fold("zażółć gęślą jaźń") == "zazolc gesla jazn"


def test_typo_variants_cover_one_edit():
    found = variants("парол")
    assert {"порол", "паролл", "парл", "апрол"} <= found
    assert "парол" not in found


def test_language_detection():
    assert detect("Не приходят письма") == "ru"
    assert detect("Nie mogę się zalogować") == "pl"
    assert detect("nie moge sie zalogowac") == "pl"
    assert detect("I cannot log in to the admin panel") == "en"
    assert detect("500") is None
    assert languages_for("I cannot log in", "ru") == ["ru", "en"]


def test_half_typed_last_word_becomes_a_prefix():
    analysis = analyse("ошибка при оплат", "ru")
    assert analysis.concepts[-1].prefix
    assert analysis.concepts[-1].primary.terms == ("оплат",)
    assert not analyse("ошибка при оплате ", "ru").concepts[-1].prefix


def test_synonyms_expand_colloquial_words_into_phrases():
    concept = analyse("не пускает в админку ", "ru").concepts[-1]
    phrases = [a.terms for a in concept.alternatives]
    assert ("панел", "администрирован") in phrases
    assert ("facebook",) in [a.terms for a in analyse("fejs nie działa ", "pl").concepts[0].alternatives]


def test_synonym_groups_are_symmetric():
    ru = table("ru")
    assert any(alt[0] == ("админк",) for alt in ru[("панел", "администратор")])
