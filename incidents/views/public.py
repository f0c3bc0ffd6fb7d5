"""What customers and visitors see: the public status page and "notify me of updates"."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.accounts.access import customer_required

from .. import selectors, services


def status_page(request):
    """No login: open and recent incidents with their public text and updates only
    (nothing about tickets, organisations or who is affected)."""
    language = get_language() or "en"
    rows = []
    for incident in selectors.status_page_incidents():
        rows.append({
            "incident": incident, "title": incident.title_in(language), "text": incident.status_text_in(language),
            "updates": [(u, u.body_in(language)) for u in reversed(incident.updates.all())],
        })
    return render(request, "incidents/status.html", {
        "open": [r for r in rows if r["incident"].is_open],
        "recent": [r for r in rows if not r["incident"].is_open],
        "recent_days": selectors.STATUS_PAGE_RECENT_DAYS,
    })


@customer_required
@require_POST
def subscribe(request, pk):
    """"Notify me of updates" on the ticket form: recorded as a deflection, no ticket filed."""
    incident = selectors.incident_for_customer(request.user, pk)
    if incident is None:
        raise Http404
    _sub, created = services.incident_subscribe(incident=incident, user=request.user, deflected=True)
    if created:
        messages.success(request, _("We will email you every update of this incident. No request was filed."))
    else:
        messages.info(request, _("You already get the updates of this incident."))
    return redirect("tickets:new")
