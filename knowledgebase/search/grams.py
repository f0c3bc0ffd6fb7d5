"""Character trigrams of words: the second, spelling-tolerant half of the ranking.

Each indexable word (normalised, Latin diacritics folded, stopwords left out, not
stemmed) is padded with ``_`` at both ends and cut into overlapping three-character
pieces: "домен" → ``_до дом оме мен ен_``. A typo, a missing Polish letter, another
inflection or a half-typed word still share most of their trigrams with the right
word. The half-typed last word of a query gets no closing piece (``ен_``), so a prefix
matches as a prefix. Every gram carries the mark ``~`` so that it can never be
mistaken for a word term in the vocabulary table (words never contain ``~``).
"""

from .text import MAX_NUMBER_CHARS, MAX_WORD_CHARS, fold, is_stopword, words

MARK = "~"
SIZE = 3


def word_grams(word, *, complete=True):
    padded = "_" + word + ("_" if complete else "")
    return [MARK + padded[i : i + SIZE] for i in range(len(padded) - SIZE + 1)]


def grams(text, language, *, partial=False):
    """The set of grams of ``text``; ``partial``: its last word is still being typed."""
    typed = words(text)
    out = set()
    for index, word in enumerate(typed):
        if is_stopword(word, language):
            continue
        word = fold(word)
        if len(word) > MAX_WORD_CHARS or (word.isdigit() and len(word) > MAX_NUMBER_CHARS):
            continue
        out.update(word_grams(word, complete=not (partial and index == len(typed) - 1)))
    return out


def is_gram(term):
    return term.startswith(MARK)
