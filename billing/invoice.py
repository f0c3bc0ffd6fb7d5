"""The pro-forma invoice as a PDF, in the order's language.

fpdf2 (pure Python, maintained, no system libraries) draws it; DejaVu Sans is bundled in
``billing/fonts`` because the PDF core fonts have no Cyrillic or Polish letters. Vendor
details come from settings (``VENDOR_*``). Drawn on request from the order's own columns,
so the same order always gives the same document.
"""

from pathlib import Path

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"


def _money(amount, currency):
    return f"{formats.number_format(amount, 2, use_l10n=True, force_grouping=True)} {currency}"


def invoice_pdf(order):
    """bytes of the pro-forma invoice for ``order``."""
    with translation.override(order.language):
        pdf = FPDF(format="A4")
        pdf.set_title(_("Pro-forma invoice %(number)s") % {"number": order.invoice_number})
        pdf.set_creation_date(order.invoiced_at or order.created_at)
        pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 16)
        pdf.cell(0, 10, _("Pro-forma invoice %(number)s") % {"number": order.invoice_number}, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        issued = order.invoiced_at or order.created_at
        pdf.cell(0, 6, _("Issued: %(date)s") % {"date": formats.date_format(issued.date(), "DATE_FORMAT")}, new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 6, _("Order: %(reference)s") % {"reference": order.reference}, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(95, 7, _("Supplier"))
        pdf.cell(95, 7, _("Customer"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        supplier = [settings.VENDOR_NAME, *settings.VENDOR_ADDRESS.splitlines(), settings.VENDOR_TAX_ID]
        customer = [order.organisation.name, order.placed_by.full_name, order.placed_by.email]
        for i in range(max(len(supplier), len(customer))):
            pdf.cell(95, 6, supplier[i] if i < len(supplier) else "")
            pdf.cell(95, 6, customer[i] if i < len(customer) else "", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(140, 8, _("Item"), border=1)
        pdf.cell(50, 8, _("Amount"), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        line = str(order.describe())
        if order.starts_on and order.ends_on:
            line += "\n" + _("Period: %(start)s – %(end)s") % {
                "start": formats.date_format(order.starts_on, "DATE_FORMAT"),
                "end": formats.date_format(order.ends_on, "DATE_FORMAT"),
            }
        y = pdf.get_y()
        pdf.multi_cell(140, 7, line, border=1)
        height = pdf.get_y() - y
        pdf.set_xy(150, y)
        pdf.cell(50, height, _money(order.amount, order.currency), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(140, 9, _("Total due"), align="R")
        pdf.cell(50, 9, _money(order.amount, order.currency), align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, _("Please pay by bank transfer to the account below and quote %(reference)s as the payment reference. Support starts on the first day of the period once the payment has arrived.") % {"reference": order.reference})
        if settings.VENDOR_BANK:
            pdf.ln(2)
            pdf.multi_cell(0, 5, settings.VENDOR_BANK)
        return bytes(pdf.output())
