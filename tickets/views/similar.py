"""Possible duplicates beside the ticket form: a colleague's open ticket about the same problem."""

from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from helpdesk.throttle import ALL, ratelimit

from .. import selectors
from .access import customer_required

MAX_FIELD_CHARS = 2000  # of the subject and of the text each (the page's script sends no more)
MAX_POSTED_CHARS = 20_000  # longer fields are refused (400), as /kb/suggest/ does
FRAGMENT = "tickets/portal/_similar.html"


@customer_required
@require_POST
@ratelimit("ticket_similar", methods=ALL, fragment=FRAGMENT)
def similar(request):
    """An HTML fragment listing up to three open tickets of the customer's organisation that
    look like what they are typing (POST body, CSRF-protected, never in an access log)."""
    subject, body = request.POST.get("subject") or "", request.POST.get("body") or ""
    if len(subject) > MAX_POSTED_CHARS or len(body) > MAX_POSTED_CHARS:
        return render(request, FRAGMENT, {"too_long": True}, status=400)
    tickets = selectors.possible_duplicates(
        request.user, subject[:MAX_FIELD_CHARS], body[:MAX_FIELD_CHARS], get_language() or "en",
    )
    return render(request, FRAGMENT, {"tickets": tickets})
