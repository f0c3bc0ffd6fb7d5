"""CSV for spreadsheets, safe against formula injection.

A cell that begins with ``= + - @``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``);
organisation names, subjects and root causes are user text, so every text cell of every
export goes through ``csv_safe``, which prefixes such a cell with an apostrophe (the
OWASP recommendation; spreadsheets show the text as typed). Numbers stay numbers.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose rows are escaped cell by cell."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([csv_safe(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)
