"""Which article languages a typed text should be searched in."""

from .stopwords import BY_LANGUAGE as STOPWORDS
from .text import CYRILLIC_RE, fold, words

POLISH_LETTERS = set("ąćęłńóśźż")


def detect(text):
    """'ru', 'pl', 'en' or None when the text does not say (too short, only names)."""
    typed = words(text)
    if not typed:
        return None
    cyrillic = sum(1 for w in typed if CYRILLIC_RE.search(w))
    if cyrillic * 2 > len(typed):
        return "ru"
    if any(c in POLISH_LETTERS for w in typed for c in w):
        return "pl"
    folded = [fold(w) for w in typed]
    polish = sum(1 for w in folded if w in STOPWORDS["pl"])
    english = sum(1 for w in folded if w in STOPWORDS["en"])
    if polish > english:
        return "pl"
    if english > polish:
        return "en"
    return None


def languages_for(text, preferred):
    """The visitor's language first, then the language the text is written in."""
    detected = detect(text)
    return [preferred] + ([detected] if detected and detected != preferred else [])
