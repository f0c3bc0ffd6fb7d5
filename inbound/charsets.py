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
probably Western or Central European: windows-1252, ISO-8859-2 or windows-1250,
whichever turns the 8-bit bytes into letters rather than symbols.
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


def _guess_latin(data):
    """Western (windows-1252) or Central European (ISO-8859-2, windows-1250): the
    reading whose non-ASCII characters are letters rather than symbols wins; ties go
    to windows-1252."""
    best, best_score = None, -1
    for charset in ("cp1252", "iso8859_2", "cp1250"):
        text = data.decode(charset, errors="replace")
        score = sum(1 for c in text if ord(c) > 0x7F and c.isalpha())
        if score > best_score:
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
