"""The queue: filters, saved views, counts and bulk actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from helpdesk.accounts.access import engineer_required
from tickets import services
from tickets.models import Ticket

from ..forms import (
    BulkForm,
    QueueFilterForm,
)
from ..queue import CappedPaginator, declared_emergencies, queue_tickets, view_counts

PAGE_SIZE = 50


def _back_to_queue(request):
    """Back where the engineer came from, only if that is a page of this site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("workspace:queue")


@engineer_required
def queue(request):
    """The queue. With htmx (the page polls itself) only the table is rendered."""
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    if not request.GET:
        filters = {"status": "open"}
    tickets = queue_tickets(request.user, filters)
    page = CappedPaginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form, "page": page, "counts": view_counts(request.user),
        "bulk_form": BulkForm(), "current_view": filters.get("view", ""),
        "emergencies": declared_emergencies(),
    }
    if request.htmx:
        return render(request, "workspace/queue.html#queue-table", context)
    return render(request, "workspace/queue.html", context)


@engineer_required
@require_POST
def queue_bulk(request):
    """Take, assign or change the status of several tickets; each goes through the service."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose tickets and an action."))
        return _back_to_queue(request)
    done, failed = 0, []
    for ticket in Ticket.objects.filter(number__in=form.cleaned_data["tickets"]):
        try:
            action = form.cleaned_data["action"]
            if action == "take":
                services.ticket_assign(ticket=ticket, actor=request.user, assignee=request.user)
            elif action == "assign":
                services.ticket_assign(ticket=ticket, actor=request.user, assignee=form.cleaned_data["assignee"])
            else:
                services.ticket_transition(ticket=ticket, actor=request.user, to_status=form.cleaned_data["status"])
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            failed.append(f"{ticket.reference}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
    if done:
        messages.success(request, ngettext("%(n)d ticket changed.", "%(n)d tickets changed.", done) % {"n": done})
    for failure in failed:
        messages.error(request, failure)
    return _back_to_queue(request)
