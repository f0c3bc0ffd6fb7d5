"""Report tables as files people open in a spreadsheet: CSV and XLSX.

CSV: a UTF-8 byte-order mark (Excel otherwise reads UTF-8 as the ANSI code page), the
delimiter the reader's Excel expects (``;`` where the decimal separator is a comma: ru,
pl; ``,`` for en), headers in the reader's language, dates and numbers formatted as the
locale writes them, rounded. XLSX (openpyxl): real dates and numbers with a display
format, so the spreadsheet can sum and sort them. Text cells are escaped against formula
injection in both (``helpdesk.csv_export.csv_safe``).
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.http import HttpResponse
from django.utils import formats
from django.utils.translation import get_language

from helpdesk.csv_export import csv_safe

SEMICOLON_LANGUAGES = ("ru", "pl")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text, int, number (1 decimal), day, week, month


@dataclass
class ExportTable:
    name: str  # file name stem, ASCII
    title: str
    columns: list
    rows: list  # lists of values, one per column


def delimiter(language=None):
    return ";" if (language or get_language() or "en").split("-")[0] in SEMICOLON_LANGUAGES else ","


def display(value, kind):
    """A cell as the reader's locale writes it (CSV)."""
    if value is None:
        return ""
    if kind == "number":
        return formats.number_format(round(value, 1), 1, use_l10n=True)
    if kind == "int":
        return str(int(value))
    if kind == "day" or kind == "week":
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if kind == "month":
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    return csv_safe(str(value))


def csv_response(table, filename):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter(), lineterminator="\r\n")
    writer.writerow([csv_safe(str(c.header)) for c in table.columns])
    for row in table.rows:
        writer.writerow([display(v, c.kind) for v, c in zip(row, table.columns)])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _excel_date_format():
    """The locale's short date in Excel's notation (d.m.Y → DD.MM.YYYY)."""
    pattern = formats.get_format("SHORT_DATE_FORMAT")
    mapping = {"d": "DD", "j": "D", "m": "MM", "n": "M", "Y": "YYYY", "y": "YY"}
    return "".join(mapping.get(ch, ch) for ch in pattern)


def xlsx_response(table, filename):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(table.title)[:31].translate(str.maketrans("[]:*?/\\", "       ")))
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=csv_safe(str(column.header)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    date_format = _excel_date_format()
    for row in table.rows:
        cells = []
        for value, column in zip(row, table.columns):
            if column.kind == "number" and value is not None:
                cell = WriteOnlyCell(sheet, value=round(float(value), 1))
                cell.number_format = "0.0"
            elif column.kind in ("day", "week", "month") and isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "MM.YYYY" if column.kind == "month" else date_format
            elif column.kind == "int" and value is not None:
                cell = WriteOnlyCell(sheet, value=int(value))
            else:
                cell = WriteOnlyCell(sheet, value=csv_safe("" if value is None else str(value)))
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
