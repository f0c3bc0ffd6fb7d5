"""The incident banner on the customer's ticket form (registered in ``apps.ready``)."""

from django.template.loader import render_to_string
from django.utils.translation import get_language

from . import selectors, services
from .models import IncidentSubscription, IncidentTicket

# At most this many open incidents are shown above the form.
BANNER_LIMIT = 3


class IncidentBanner:
    """Open incidents affecting the customer, above the knowledge-base suggestions, with
    "notify me of updates" (a subscription, no ticket) and "file anyway" (the ticket form
    is sent with ``incident=<id>`` and the new ticket is linked)."""

    def panel(self, request):
        user = request.user
        if not user.is_customer:
            return ""
        incidents = list(selectors.incidents_affecting(user.organisation_id)[:BANNER_LIMIT])
        if not incidents:
            return ""
        subscribed = set(IncidentSubscription.objects.filter(
            user=user, incident__in=incidents).values_list("incident_id", flat=True))
        language = get_language() or "en"
        rows = [{"incident": i, "title": i.title_in(language), "text": i.status_text_in(language),
                 "subscribed": i.pk in subscribed} for i in incidents]
        return render_to_string("incidents/_banner.html", {"rows": rows}, request=request)

    def filed(self, request, ticket):
        value = request.POST.get("incident", "")
        if not value.isdigit() or len(value) > 18:
            return
        incident = selectors.incident_for_customer(request.user, int(value))
        if incident is not None:
            services.incident_link(incident=incident, ticket=ticket, actor=request.user,
                                   source=IncidentTicket.Source.CUSTOMER)
