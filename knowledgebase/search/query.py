"""From typed text to *concepts*: what the query asks for, each with alternatives.

A concept is one query word (or phrase) and the other ways of saying it from the
synonym table; an alternative is a phrase: terms that must occur at the given distances
from each other (``gaps``), the last of which may be a prefix (the half-typed last
word). Concepts become tsquery fragments in
``engine.py``.
"""

from dataclasses import dataclass, field
from itertools import pairwise

from . import synonyms
from .text import is_stopword, normalise, term, words

MAX_QUERY_CHARS = 2000  # what the analyser reads of the subject and text together
MAX_CONCEPTS = 24  # the rarest are kept when there are more
MIN_PREFIX_CHARS = 3


@dataclass(frozen=True)
class Alternative:
    terms: tuple
    gaps: tuple = ()
    prefix: bool = False  # the last term is the start of a word


@dataclass
class Concept:
    origin: str  # the words as typed, for debugging and logging
    alternatives: list  # [Alternative]
    idf: float = 0.0
    df: int = 0
    corrected: bool = False
    prefix: bool = False

    @property
    def primary(self):
        return self.alternatives[0]


@dataclass
class Analysis:
    language: str
    concepts: list = field(default_factory=list)

    def highlight_terms(self):
        """(exact terms, prefixes) to mark in snippets."""
        exact, prefixes = set(), set()
        for concept in self.concepts:
            for alternative in concept.alternatives:
                if alternative.prefix:
                    exact.update(alternative.terms[:-1])
                    prefixes.add(alternative.terms[-1])
                else:
                    exact.update(alternative.terms)
        return exact, prefixes


def ends_mid_word(text):
    text = normalise(text)
    return bool(text) and text[-1].isalnum()


def analyse(text, language):
    text = (text or "")[:MAX_QUERY_CHARS]
    partial = ends_mid_word(text)
    typed = words(text)
    tokens = []  # (term, word, is the half-typed last word, position)
    for index, word in enumerate(typed):
        last = partial and index == len(typed) - 1
        if is_stopword(word, language) and not last:
            continue
        value = term(word, language)
        if not value or (last and len(value) < MIN_PREFIX_CHARS and not value.isdigit()):
            continue
        tokens.append((value, word, last, index))

    table = synonyms.table(language)
    longest = synonyms.longest_key(language)
    concepts, seen = [], set()
    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            key = tuple(t[0] for t in tokens[i : i + n])
            if n == 1 or key in table:
                break
        chunk = tokens[i : i + n]
        is_prefix = chunk[-1][2]
        gaps = tuple(b[3] - a[3] for a, b in pairwise(chunk))
        alternatives = [Alternative(key, gaps, is_prefix)]
        # A half-typed word is not yet the synonym it may become.
        if not is_prefix:
            alternatives += [Alternative(terms, alt_gaps) for terms, alt_gaps in table.get(key, ())]
        if key not in seen:
            seen.add(key)
            concepts.append(Concept(" ".join(t[1] for t in chunk), alternatives, prefix=is_prefix))
        i += n
    return Analysis(language=language, concepts=concepts)
