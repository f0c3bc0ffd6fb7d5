"""The queue: filters, preset and personal views, counts and bulk actions."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from helpdesk.accounts.access import engineer_required
from incidents import services as incident_services
from tickets import services
from tickets.models import Ticket
from tickets.search import SEARCH_COUNT_CAP
from tickets.selectors import PAGE_COUNT_CAP, CappedPaginator

from .. import services as workspace_services
from ..forms import BulkForm, QueueFilterForm, SavedViewForm
from ..queue import declared_emergencies, queue_tickets, row_marker, saved_views, view_counts

PAGE_SIZE = 50


def _back_to_queue(request):
    """Back where the engineer came from, only if that is a page of this site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("workspace:queue")


def _queue_context(request, bulk_form=None, saved_view_form=None):
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    if not request.GET:
        filters = {"status": "open"}
    cap = SEARCH_COUNT_CAP if filters.get("q") else PAGE_COUNT_CAP  # tickets.search: counting matches costs more
    page = CappedPaginator(queue_tickets(request.user, filters), PAGE_SIZE, cap=cap).get_page(request.GET.get("page"))
    rows = list(page)
    # One reversal for the page; each row's link is the prefix and its number.
    work_prefix = reverse("workspace:work", args=[0])[: -len("0/")]
    for ticket in rows:
        ticket.marker = row_marker(ticket)
        ticket.work_url = f"{work_prefix}{ticket.number}/"
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form, "page": page, "rows": rows, "counts": view_counts(request.user),
        "bulk_form": bulk_form or BulkForm(), "current_view": filters.get("view", ""),
        "current_order": filters.get("order", ""), "saved_views": saved_views(request.user),
        "saved_view_form": saved_view_form or SavedViewForm(initial={"query": query.urlencode()}),
        "current_query": query.urlencode(),
        "emergencies": declared_emergencies(),
        "poll_seconds": getattr(settings, "WORKSPACE_QUEUE_POLL_SECONDS", 20),
    }


@engineer_required
def queue(request):
    """The queue. With htmx (the page polls itself) only the table and the counts are rendered."""
    context = _queue_context(request)
    if request.htmx:
        return render(request, "workspace/queue.html#queue-live", context)
    return render(request, "workspace/queue.html", context)


@engineer_required
@require_POST
def queue_bulk(request):
    """Take, assign or change the status of several tickets; each goes through the service."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        return render(request, "workspace/queue.html", _queue_context(request, bulk_form=form), status=400)
    if form.cleaned_data["action"] == "link":
        return _bulk_link(request, form)
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


def _bulk_link(request, form):
    """Link the ticked tickets to an open incident (incidents' service checks each one)."""
    incident = form.cleaned_data["incident"]
    try:
        done, failed = incident_services.incident_link_many(
            incident=incident, numbers=form.cleaned_data["tickets"], actor=request.user,
        )
    except ValidationError as exc:
        done, failed = 0, [(incident, " ".join(exc.messages))]
    if done:
        messages.success(request, ngettext(
            "%(n)d ticket linked to “%(incident)s”.", "%(n)d tickets linked to “%(incident)s”.", done,
        ) % {"n": done, "incident": incident})
    for reference, reason in failed:
        messages.error(request, f"{reference}: {reason}")
    return _back_to_queue(request)


@engineer_required
@require_POST
def saved_view_save(request):
    """Save the current filters and sort under a name (the same name overwrites)."""
    form = SavedViewForm(request.POST)
    if form.is_valid():
        try:
            workspace_services.saved_view_save(
                user=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The view is saved."))
            return redirect(f"{reverse('workspace:queue')}?{form.cleaned_data['query']}")
    return render(request, "workspace/queue.html", _queue_context(request, saved_view_form=form), status=400)


@engineer_required
@require_POST
def saved_view_delete(request, pk):
    workspace_services.saved_view_delete(user=request.user, pk=pk)
    messages.success(request, _("The view is deleted."))
    return _back_to_queue(request)
