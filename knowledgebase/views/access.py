from django.utils.translation import get_language

from helpdesk.accounts.access import staff_required, user_passes

from ..selectors import can_edit

__all__ = ["editor_required", "staff_required", "visitor_language"]

LANGUAGE_CODES = ("ru", "pl", "en")


def visitor_language():
    code = (get_language() or "en")[:2]
    return code if code in LANGUAGE_CODES else "en"


editor_required = user_passes(can_edit)
