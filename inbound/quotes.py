"""Finding the new text of an emailed reply: quoted history and signature removed.

Libraries tried first (see inbound/README.md): mail-parser-reply 1.36 has no Russian,
strips every line's indentation and missed the Thunderbird and Outlook fixtures;
email-reply-parser is English-only and unmaintained since 2020. So this is our own,
tested against the quoting styles of Gmail (web, Android; English, Russian, Polish),
Outlook (plain "From:/Sent:" blocks, "-----Original Message-----"), Thunderbird
(top and bottom posting), Apple Mail and iPhone, Yahoo, Zimbra, Hotmail, Mail.ru and
Yandex (``tests/test_quotes.py``).

The rules, in order:

1. History that is not marked with ``>`` starts at a *boundary*: an "Original
   Message" / "Forwarded message" separator line, or an Outlook header block
   ("From: … / Sent: …", "От: … / Отправлено: …", "Od: … / Wysłano: …"). Everything
   from the first boundary on is cut.
2. An *attribution* line ("On <date>, <name> wrote:", "<date>, <name> пишет:",
   "… написал(а):", "W dniu … napisał(a):", "<date>, "Name" <addr>:", possibly wrapped
   over up to three lines) after some new text cuts the rest. At the very top (bottom
   posting) the attribution and the quoted block under it are dropped and the text
   after them kept.
3. Trailing ``>`` lines are dropped; quoted lines *between* new paragraphs (answers
   written inline) are kept, because without them the answers make no sense.
4. The signature goes: from a ``-- `` line, and a last line such as "Sent from my
   iPhone" / "Отправлено с iPhone" / "Wysłane z iPhone'a" (a short phrase, not a
   sentence: "Sent from my desk, is much easier…" stays).

If nothing is left, the whole text is kept: losing a customer's words is worse than
showing a quote twice.
"""

import re

_VERBS = (
    r"wrote|writes|schrieb|a écrit|escribió|ha scritto|schreef|skrev|"
    r"napisał\(a\)|napisała|napisał|pisze|"
    r"пишет|написал\(а\)|написала|написал|писал\(а\)|писал"
)
_ENDS_WITH_VERB = re.compile(rf"(?:{_VERBS})\s*:\s*$", re.IGNORECASE)
_ENDS_WITH_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>\s*:\s*$")
# How an attribution may start: "On", "Am", "Le", "W dniu", "В", a date, a weekday
# abbreviation ("Thu,", "пн,", "pon.,").
_OPENER = re.compile(
    r"^\s*(?:On|Am|Le|El|Il|Op|Den|W dniu|Dnia|Wiadomość napisana|В|\d|\w{2,4}\.?,)",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Forwarded message|Forwarded Message|Исходное сообщение|"
    r"Пересылаемое сообщение|Пересланное сообщение|Oryginalna wiadomość|Wiadomość oryginalna|"
    r"Wiadomość przekazana dalej|Ursprüngliche Nachricht|Weitergeleitete Nachricht|"
    r"Message d'origine|Mensaje original|Původní zpráva)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FROM_FIELD = re.compile(r"^\s*\*?(?:From|От|Od|Von|De|Van|Fra)\s*:\*?\s*\S", re.IGNORECASE)
_OTHER_FIELD = re.compile(
    r"^\s*\*?(?:Sent|Date|To|Cc|Subject|Отправлено|Дата|Кому|Копия|Тема|Wysłano|Wysłane|Data|Do|DW|Temat|"
    r"Gesendet|An|Betreff|Envoyé|Objet|À|Enviado|Asunto|Para)\s*:\*?",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*(?:-{5,}|_{5,}|={5,})\s*$")
_SIGNATURE = re.compile(r"^--\s?$")
_MOBILE = re.compile(
    r"^\s*(?:Sent from my|Sent from|Get Outlook for|Sent with|Отправлено с|Отправлено из|"
    r"Отправлено через|Wysłane z|Wysłano z|Wysłane za pomocą|Von meinem|Envoyé de mon)"
    r"(?:\s+[\w'’.\-]+){1,5}\s*(?:\([^)]*\))?\s*$",
    re.IGNORECASE,
)
MAX_ATTRIBUTION_LINES = 3


def _quoted(line):
    return line.lstrip().startswith(">")


def _attribution_at(lines, end):
    """The start index of an attribution that ends on line ``end``, or None."""
    last = lines[end]
    if _quoted(last) or not last.rstrip().endswith(":"):
        return None
    for size in range(1, MAX_ATTRIBUTION_LINES + 1):
        start = end - size + 1
        if start < 0:
            break
        window = lines[start:end + 1]
        if any(not line.strip() or _quoted(line) for line in window):
            break
        text = " ".join(line.strip() for line in window)
        if len(text) > 400 or not re.search(r"\d|@", text):
            continue
        verb = _ENDS_WITH_VERB.search(text)
        if not verb and not (_ENDS_WITH_ADDRESS.search(text) and _quoted_follows(lines, end)):
            continue
        preceded_by_blank = start == 0 or not lines[start - 1].strip()
        if _OPENER.match(window[0]) or (size == 1 and preceded_by_blank):
            return start
    return None


def _quoted_follows(lines, index):
    for line in lines[index + 1:]:
        if line.strip():
            return _quoted(line)
    return False


def _boundary_at(lines, index):
    line = lines[index]
    if _SEPARATOR.match(line):
        return True
    if _FROM_FIELD.match(line):
        following = [nxt for nxt in lines[index + 1:index + 5] if nxt.strip()]
        return sum(1 for nxt in following if _OTHER_FIELD.match(nxt)) >= 2
    return False


def _has_text(lines):
    return any(line.strip() and not _quoted(line) for line in lines)


def _cut(lines):
    """Apply rules 1 and 2 from the top; return the lines of new text."""
    kept = []
    index = 0
    while index < len(lines):
        if _boundary_at(lines, index):
            break
        start = None
        for end in range(index, min(index + MAX_ATTRIBUTION_LINES, len(lines))):
            found = _attribution_at(lines, end)
            if found is not None and found == index:
                start, index_end = found, end
                break
        if start is not None:
            if _has_text(kept):
                break
            # Bottom posting: drop the attribution and the quote under it.
            index = index_end + 1
            while index < len(lines) and (not lines[index].strip() or _quoted(lines[index])):
                index += 1
            kept = []
            continue
        kept.append(lines[index])
        index += 1
    return kept


def _drop_trailing(lines):
    while lines and (not lines[-1].strip() or _quoted(lines[-1]) or _RULE.match(lines[-1])):
        lines.pop()
    return lines


def _drop_signature(lines):
    for index, line in enumerate(lines):
        if index > 0 and _SIGNATURE.match(line.rstrip("\r")):
            lines = lines[:index]
            break
    lines = _drop_trailing(lines)
    if len(lines) > 1 and _MOBILE.match(lines[-1]):
        lines = _drop_trailing(lines[:-1])
    return lines


def strip_reply(text):
    """The new part of a reply: no quoted history, no signature (see module docstring)."""
    if not text:
        return ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # A leading quote block without attribution (bottom posting): drop it.
    new = _drop_signature(_drop_trailing(_cut(lines)))
    while new and not new[0].strip():
        new.pop(0)
    result = "\n".join(line.rstrip() for line in new).strip("\n")
    return result if result.strip() else text.strip()
