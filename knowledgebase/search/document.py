"""The search document of an article: a tsvector literal built here, in Python, from the
same analysis the queries get (PostgreSQL's own configurations are not used, so the
index is identical on every PostgreSQL and Polish is stemmed too)."""

from collections import defaultdict

from .grams import grams
from .text import terms

MAX_POSITION = 16383  # PostgreSQL's limit for a tsvector position
MAX_POSITIONS_PER_TERM = 256  # and for the number of positions of one lexeme


def quote(term):
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(*, title, tags, text, language):
    """Title and tags with weight A, then the text with weight B, positions running on."""
    positions = defaultdict(list)
    offset = 0
    for part, weight in ((title, "A"), (" ".join(tags), "A"), (text, "B")):
        part_terms = terms(part, language)
        for value, position in part_terms:
            spot = min(offset + position, MAX_POSITION)
            if len(positions[value]) < MAX_POSITIONS_PER_TERM:
                positions[value].append(f"{spot}{weight}")
        if part_terms:
            offset += part_terms[-1][1] + 1  # a gap: no phrase runs from title into text
    return " ".join(f"{quote(value)}:{','.join(spots)}" for value, spots in positions.items())


def grams_literal(*, title, tags, text, language):
    """The article's trigrams (``grams.py``): position 1 with weight A when the gram is in
    the title or tags, position 2 (weight B) when it is in the text."""
    spots = defaultdict(list)
    for part, spot in ((f"{title} {' '.join(tags)}", "1A"), (text, "2B")):
        for gram in sorted(grams(part, language)):
            spots[gram].append(spot)
    return " ".join(f"{quote(gram)}:{','.join(where)}" for gram, where in spots.items())
