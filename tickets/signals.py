"""Signals ``tickets`` sends for the apps above it (they subscribe; tickets never imports them).

Sent by the services after the transaction commits, never from ``post_save``.
"""

from django.dispatch import Signal

# A ticket was filed (any channel: web form, API, inbound email). Arguments: ``ticket``
# (the committed row). Receivers must not fail the filing: it is already committed, and
# ``send_robust`` logs their errors.
ticket_filed = Signal()
