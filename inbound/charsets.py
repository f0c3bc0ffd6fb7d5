"""Turning bytes of unknown or mislabelled encoding into text, never failing.

Mail in the wild declares the wrong charset, declares none (raw 8-bit headers, KOI8-R
bodies without a Content-Type), or names one Python does not know. The order tried:

* for bodies: the declared charset (when Python knows it and it decodes strictly),
  then UTF-8, then the Cyrillic heuristic, then windows-1252 (which never fails);
* for raw 8-bit header bytes: UTF-8 first (RFC 6532 says headers are UTF-8), then the
  charset the message declares for its text, then the same heuristic.

The Cyrillic heuristic decodes with windows-1251 and KOI8-R and keeps the reading that
looks like Russian: mostly lower-case letters, the common letters frequent, no words
that mix Latin and Cyrillic. If neither looks like Cyrillic text at all, the bytes were
probably Western or Central European: windows-1252, windows-1250 or ISO-8859-2,
whichever turns the 8-bit bytes into the most plausible letters of one language
(letter frequencies of Polish, Czech, German, French and Spanish).
"""

import codecs
import math
import re


def _known(charset):
    """The codec name for a declared charset, or None when Python does not know it."""
    if not charset:
        return None
    charset = str(charset).strip().strip('"').lower()
    aliases = {"unknown-8bit": None, "x-unknown": None, "iso-2022-jp-ms": "iso-2022-jp"}
    charset = aliases.get(charset, charset)
    if charset is None:
        return None
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


# Russian letter frequencies (per cent), for telling a right reading from a wrong one.
_FREQUENCY = dict(zip(
    "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё",
    (10.97, 8.45, 8.01, 7.35, 6.70, 6.26, 5.47, 4.73, 4.54, 4.40, 3.49, 3.21, 2.98, 2.81, 2.62, 2.01, 1.90,
     1.74, 1.70, 1.65, 1.59, 1.44, 1.21, 0.97, 0.94, 0.73, 0.64, 0.48, 0.36, 0.32, 0.26, 0.04, 0.04),
))
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_MIXED_WORD = re.compile(r"(?=\w*[A-Za-z])(?=\w*[\u0400-\u04FF])\w+")


def _cyrillic_score(text):
    """Higher is more like Russian; ``None`` when the text is not mostly Cyrillic.

    The mean log-frequency of the letters decides (a wrong reading of KOI8-R as
    windows-1251, or back, is full of rare letters); lower case and the absence of
    words mixing Latin and Cyrillic letters add a little.
    """
    letters = [c for c in text if c.isalpha()]
    cyrillic = [c for c in letters if _CYRILLIC.match(c)]
    if not cyrillic or len(cyrillic) < 0.5 * len(letters) or _MIXED_WORD.search(text):
        return None
    mean_log = sum(math.log(_FREQUENCY.get(c.lower(), 0.02)) for c in cyrillic) / len(cyrillic)
    lower = sum(1 for c in cyrillic if c.islower()) / len(cyrillic)
    return mean_log + 0.3 * lower


def guess_single_byte(data):
    """windows-1251 or KOI8-R, whichever reads as Russian; windows-1252 otherwise."""
    candidates = []
    for charset in ("cp1251", "koi8_r"):
        try:
            text = data.decode(charset)
        except UnicodeDecodeError:
            continue
        score = _cyrillic_score(text)
        if score is not None:
            candidates.append((score, text))
    if candidates:
        return max(candidates, key=lambda c: c[0])[1]
    return _guess_latin(data)


# Letter frequencies (per cent of letters) of the accented letters of the languages
# our customers write, for telling windows-1250 from ISO-8859-2 from windows-1252:
# the same byte is "ą" in one, "š" or "ą" or "¹" in the others.
_LATIN_FREQUENCY = {
    "pl": {"ą": 0.99, "ć": 0.40, "ę": 1.11, "ł": 1.82, "ń": 0.20, "ó": 0.85, "ś": 0.66, "ź": 0.06, "ż": 0.83},
    "cs": {"á": 0.87, "č": 0.46, "ď": 0.02, "é": 0.63, "ě": 0.79, "í": 1.64, "ň": 0.07, "ó": 0.03, "ř": 0.38,
           "š": 0.69, "ť": 0.04, "ú": 0.16, "ů": 0.20, "ý": 0.99, "ž": 0.72},
    "de": {"ä": 0.58, "ö": 0.44, "ü": 0.99, "ß": 0.31, "é": 0.02},
    "fr": {"à": 0.49, "â": 0.05, "ç": 0.09, "é": 1.90, "è": 0.27, "ê": 0.22, "ë": 0.01, "î": 0.05, "ï": 0.01,
           "ô": 0.02, "ù": 0.06, "û": 0.06, "œ": 0.01},
    "es": {"á": 0.50, "é": 0.43, "í": 0.72, "ñ": 0.31, "ó": 0.83, "ú": 0.17, "ü": 0.01, "¿": 0.05, "¡": 0.05},
}
# Typographic characters every one of these code pages has: neutral evidence.
_PUNCTUATION = set("«»°€£©®§–—“”‘’„…•·×÷ ")
_UNLIKELY = 0.003


def _latin_plausibility(text):
    """How much ``text``'s non-ASCII characters look like one language's letters: the
    best language's mean log-frequency (symbols and foreign letters score low)."""
    chars = [c.lower() for c in text if ord(c) > 0x7F]
    if not chars:
        return 0.0
    best = None
    for table in _LATIN_FREQUENCY.values():
        score = sum(math.log(table.get(c, 0.1 if c in _PUNCTUATION else _UNLIKELY)) for c in chars) / len(chars)
        best = score if best is None else max(best, score)
    return best


def _guess_latin(data):
    """Western (windows-1252) or Central European (windows-1250, ISO-8859-2): the
    reading whose accented letters are the most plausible letters of one language
    (Polish "włącza" in windows-1250, not "włšcza" in ISO-8859-2); ties go to
    windows-1252, then windows-1250."""
    best, best_score = None, None
    for charset in ("cp1252", "cp1250", "iso8859_2"):
        text = data.decode(charset, errors="replace")
        score = _latin_plausibility(text)
        if best_score is None or score > best_score + 1e-9:
            best, best_score = text, score
    return best


def decode_bytes(data, declared=None, *, header=False):
    """Text from ``data``; ``declared`` is the charset the message claims, if any."""
    if isinstance(data, str):
        return data
    if not data:
        return ""
    declared = _known(declared)
    if declared == "ascii":  # "us-ascii" declared for 8-bit bytes is a lie; guess instead
        declared = None
    order = ["utf-8", declared] if header else [declared, "utf-8"]
    for charset in order:
        if not charset:
            continue
        try:
            return data.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
    if max(data) < 0x80:
        return data.decode("ascii")
    return guess_single_byte(data)


def redecode_surrogates(text, declared=None):
    """A header value parsed by ``email`` keeps raw 8-bit bytes as surrogate escapes;
    decode those bytes properly (see ``decode_bytes``)."""
    if not any("\udc80" <= c <= "\udcff" for c in text):
        return text
    return decode_bytes(text.encode("utf-8", "surrogateescape"), declared, header=True)
