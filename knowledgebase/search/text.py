"""Text analysis shared by indexing and querying, so both sides always agree.

A word becomes a *term*: lower-cased, ё→е, Latin diacritics folded, then stemmed by
script and language: Cyrillic words with Snowball's Russian stemmer, Latin words with
the light Polish stemmer in Polish articles and queries (``polish.py``) and with
Snowball's English stemmer otherwise (English error messages inside Russian text).
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from . import polish
from .stopwords import BY_LANGUAGE as STOPWORDS

LANGUAGES = ("en", "ru", "pl")
# Letters and digits; everything else (punctuation, quotes, %, _, emoji) separates words.
WORD_RE = re.compile(r"[^\W_]+")
CYRILLIC_RE = re.compile("[а-яё]")
# Longer "words" are hashes, base64 or keys: never useful search terms.
MAX_WORD_CHARS = 32
# Numbers are kept (error codes, ports) but not long digit runs (order numbers, phones).
MAX_NUMBER_CHARS = 5

_russian = snowballstemmer.stemmer("russian")
_english = snowballstemmer.stemmer("english")


def normalise(text):
    text = unicodedata.normalize("NFKC", text or "").lower()
    return text.replace("ё", "е")


def words(text):
    """The words of ``text`` in order, normalised."""
    return WORD_RE.findall(normalise(text))


def fold(word):
    """Latin diacritics off (Polish letters and any other accented Latin letter)."""
    word = word.translate(polish.FOLD)
    if word.isascii():
        return word
    out = []
    for char in word:
        if "a" <= unicodedata.normalize("NFKD", char)[:1] <= "z":
            char = unicodedata.normalize("NFKD", char)[0]
        out.append(char)
    return "".join(out)


def is_stopword(word, language):
    return fold(word) in STOPWORDS.get(language, ()) or word in STOPWORDS["ru"]


@lru_cache(maxsize=200_000)
def term(word, language):
    """The index term of one normalised word, or None when it is not worth indexing."""
    if len(word) > MAX_WORD_CHARS:
        return None
    if word.isdigit():
        return word if len(word) <= MAX_NUMBER_CHARS else None
    if CYRILLIC_RE.search(word):
        return _russian.stemWord(word)
    word = fold(word)
    if language == "pl":
        return polish.stem(word)
    return _english.stemWord(word)


def terms(text, language, *, keep_stopwords=False):
    """(term, position) for every indexable word; positions count every word, so that
    distances between terms stay true when stopwords are left out."""
    out = []
    for position, word in enumerate(words(text), start=1):
        if not keep_stopwords and is_stopword(word, language):
            continue
        value = term(word, language)
        if value:
            out.append((value, position))
    return out
