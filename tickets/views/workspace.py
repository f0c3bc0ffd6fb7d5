"""The engineer's side: the queue and the ticket workspace."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from knowledgebase.canned import canned_reply_for, canned_reply_render
from knowledgebase.selectors import canned_replies_for

from .. import planning, selectors, services, workflow
from ..forms import EngineerReplyForm
from ..forms_workspace import (
    BulkForm,
    CommitForm,
    EscalateForm,
    PhoneCallForm,
    QueueFilterForm,
    RefuseForm,
    ResolveForm,
    TriageForm,
)
from ..models import Ticket
from ..queue import CappedPaginator, queue_tickets, view_counts
from ..services_workspace import can_lead
from .access import engineer_required
from .actions import effort_hours
from .common import change_status

PAGE_SIZE = 50


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
    }
    if request.htmx:
        return render(request, "tickets/workspace/queue.html#queue-table", context)
    return render(request, "tickets/workspace/queue.html", context)


@engineer_required
@require_POST
def queue_bulk(request):
    """Take, assign or change the status of several tickets; each goes through the service."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose tickets and an action."))
        return redirect(request.POST.get("next") or "tickets:queue")
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
    return redirect(request.POST.get("next") if url_has_allowed_host_and_scheme(request.POST.get("next", ""), None) else "tickets:queue")


@engineer_required
def ticket_work(request, number):
    ticket = selectors.ticket_for(request.user, number)
    return _render(request, ticket, EngineerReplyForm(initial=_canned_reply_initial(request, ticket)))


def _canned_reply_initial(request, ticket):
    """?canned=<id> starts the reply with that canned reply, filled in for this ticket."""
    reply = canned_reply_for(request.GET.get("canned", ""))
    if reply is None:
        return {}
    context = {
        "customer_name": ticket.requester.get_full_name() if ticket.requester_id else "",
        "reference": ticket.reference,
        "engineer_name": request.user.get_full_name(),
    }
    return {"body": canned_reply_render(reply, context)}


def _render(request, ticket, reply_form, status=200):


    engineer = ticket.assignee or request.user
    proposal = planning.propose_completion(
        engineer=engineer, effort_minutes=ticket.effort_minutes, urgency=ticket.urgency, ticket=ticket
    )
    phone = ticket.tariff is not None and ticket.tariff.allows_phone
    planned = timezone.localtime(proposal).strftime("%Y-%m-%dT%H:%M") if proposal else ""
    context = {
        "ticket": ticket,
        "targets": selectors.sla_targets(ticket),
        "callbacks": selectors.open_callbacks(ticket),
        "calls": list(ticket.phone_calls.select_related("engineer")),
        "items": selectors.conversation(ticket, include_internal=True),
        "files": selectors.ticket_files(ticket, include_internal=True),
        "reply_form": reply_form,
        "transitions": [
            t for t in workflow.transition_choices(request.user, ticket.status)
            if not (t[0] == "resolved" and ticket.kind == "error")
        ],
        "triage_form": TriageForm(initial={
            "urgency": ticket.urgency, "root_cause": ticket.root_cause_id, "effort_hours": effort_hours(ticket),
        }),
        "proposal": proposal,
        "proposal_for": engineer,
        "commit_form": CommitForm(initial={"planned_at": planned}),
        "refuse_form": RefuseForm(),
        "escalate_form": EscalateForm(),
        "can_lead": can_lead(request.user),
        "call_form": PhoneCallForm() if phone else None,
        "resolve_form": ResolveForm(),
        "canned_replies": canned_replies_for(ticket.language),
    }
    return render(request, "tickets/workspace/ticket.html", context, status=status)


@engineer_required
@require_POST
def ticket_take(request, number):
    ticket = selectors.ticket_for(request.user, number)
    services.ticket_assign(ticket=ticket, actor=request.user, assignee=request.user)
    messages.success(request, _("You took %(ref)s.") % {"ref": ticket.reference})
    return redirect("tickets:work", number=ticket.number)


@engineer_required
@require_POST
def ticket_reply(request, number):
    ticket = selectors.ticket_for(request.user, number)
    form = EngineerReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.ticket_reply(
                ticket=ticket, author=request.user, body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"], internal=form.cleaned_data["internal"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if form.cleaned_data["internal"]:
                messages.success(request, _("Internal note added."))
            else:
                messages.success(request, _("Reply sent to the customer."))
            return redirect("tickets:work", number=ticket.number)
    return _render(request, ticket, form, status=400)


@engineer_required
@require_POST
def ticket_transition(request, number):
    return change_status(request, selectors.ticket_for(request.user, number), "tickets:work")
