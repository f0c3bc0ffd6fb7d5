"""The sentence of an article that best shows why it matched, with the words marked."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .text import WORD_RE, normalise, term

SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]*")
MAX_CHARS = 220


def _matches(sentence, language, exact, prefixes):
    for match in WORD_RE.finditer(sentence):
        value = term(normalise(match.group()), language)
        if value and (value in exact or any(value.startswith(p) for p in prefixes)):
            yield match, value


def snippet(text, language, exact, prefixes, *, whole=False, max_chars=MAX_CHARS):
    """HTML: the best sentence (or the whole text with ``whole``), matches in <mark>."""
    text = text or ""
    if whole:
        best = text
    else:
        best, best_hits = "", -1
        for sentence in SENTENCE_RE.findall(text):
            hits = len({value for _, value in _matches(sentence, language, exact, prefixes)})
            if hits > best_hits:
                best, best_hits = sentence.strip(), hits
        if len(best) > max_chars:
            first = next(iter(_matches(best, language, exact, prefixes)), None)
            start = max(0, first[0].start() - max_chars // 3) if first else 0
            best = ("…" if start else "") + best[start : start + max_chars].strip() + "…"
    out, cursor = [], 0
    for match, _ in _matches(best, language, exact, prefixes):
        out.append(escape(best[cursor : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        cursor = match.end()
    out.append(escape(best[cursor:]))
    return mark_safe("".join(out))
