"""License serial numbers: normalise what people paste, and say exactly what is wrong.

Format: four groups of five characters from the unambiguous alphabet below
(``ABCDE-FGHJK-LMNPQ-RSTU7``); the last character is a check character over the
first nineteen, so a single mistyped character or two swapped neighbours are caught.
Customers paste serials from PDFs and emails: spaces, lower case, missing or extra
dashes and Cyrillic look-alike letters are all accepted and normalised.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I and O: they read as 1 and 0
GROUPS, GROUP_LEN = 4, 5
LENGTH = GROUPS * GROUP_LEN
# Cyrillic letters that look like Latin ones, and the easily confused I/O.
LOOKALIKES = str.maketrans(
    {"А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "0", "Р": "P", "С": "C", "Т": "T",
     "Х": "X", "У": "Y", "I": "1", "O": "0"}
)


def check_character(body):
    """Weighted sum modulo the alphabet size: catches one wrong character and adjacent swaps."""
    total = sum((i + 1) * ALPHABET.index(ch) for i, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def normalise(raw):
    cleaned = "".join(raw.split()).upper().translate(LOOKALIKES).replace("—", "-").replace("–", "-")
    return cleaned.replace("-", "")


def format_serial(chars):
    return "-".join(chars[i:i + GROUP_LEN] for i in range(0, LENGTH, GROUP_LEN))


def validate_serial(raw):
    """Return the canonical serial or raise ValidationError saying what is wrong."""
    if not raw or not raw.strip():
        raise ValidationError(_("Enter the license serial number, e.g. ABCDE-FGHJK-LMNPQ-RSTU7."), code="empty")
    chars = normalise(raw)
    bad = sorted({ch for ch in chars if ch not in ALPHABET})
    if bad:
        raise ValidationError(
            _("The serial number contains %(chars)s; it consists of Latin letters and digits only.")
            % {"chars": ", ".join(f"“{c}”" for c in bad)},
            code="characters",
        )
    if len(chars) != LENGTH:
        raise ValidationError(
            ngettext(
                "The serial number has %(got)d letter or digit; it should have %(want)d (four groups of five).",
                "The serial number has %(got)d letters and digits; it should have %(want)d (four groups of five).",
                len(chars),
            )
            % {"got": len(chars), "want": LENGTH},
            code="length",
        )
    if check_character(chars[:-1]) != chars[-1]:
        raise ValidationError(
            _("The serial number %(serial)s does not add up: one character is probably mistyped. Please compare it with your license certificate.")
            % {"serial": format_serial(chars)},
            code="checksum",
        )
    return format_serial(chars)


def make_serial(body19):
    """Complete a 19-character body with its check character (for issuing and demos)."""
    body = normalise(body19)
    return format_serial(body + check_character(body))
