"""The engineer's side: the queue and the ticket workspace."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services, workflow
from ..forms import EngineerReplyForm, QueueFilterForm, TransitionForm
from .access import engineer_required

PAGE_SIZE = 50


@engineer_required
def queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    status = filters.get("status", "open") if request.GET else "open"
    tickets = selectors.ticket_list(
        request.user,
        status=status,
        kind=filters.get("kind", ""),
        query=filters.get("q", ""),
        order=filters.get("order") or "due",
    )
    tickets = tickets.select_related("tariff")
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tickets/workspace/queue.html", {"form": form, "page": page})


@engineer_required
def ticket_work(request, number):
    ticket = selectors.ticket_for(request.user, number)
    return _render(request, ticket, EngineerReplyForm())


def _render(request, ticket, reply_form, status=200):
    context = {
        "ticket": ticket,
        "targets": selectors.sla_targets(ticket),
        "callbacks": selectors.open_callbacks(ticket),
        "items": selectors.conversation(ticket, include_internal=True),
        "files": selectors.ticket_files(ticket, include_internal=True),
        "reply_form": reply_form,
        "transitions": workflow.transition_choices(request.user, ticket.status),
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
    ticket = selectors.ticket_for(request.user, number)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_transition(ticket=ticket, actor=request.user, to_status=form.cleaned_data["status"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The ticket's status is changed."))
    return redirect("tickets:work", number=ticket.number)
