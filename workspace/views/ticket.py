"""The engineer's ticket page: conversation, reply, take, status and the action forms."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.accounts.access import engineer_required
from knowledgebase.canned import canned_reply_for, canned_reply_render
from knowledgebase.selectors import canned_replies_for
from tickets import selectors, services, workflow
from tickets.forms import EngineerReplyForm
from tickets.views.common import change_status

from .. import planning
from ..forms import (
    CommitForm,
    EscalateForm,
    PhoneCallForm,
    RefuseForm,
    ResolveForm,
    TriageForm,
)
from ..services import RESOLVED_STATUSES, can_lead
from .actions import effort_hours


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
        "articles": list(ticket.knowledge_articles.only("pk", "title", "status").order_by("pk")),
        "can_write_article": ticket.status in RESOLVED_STATUSES and bool(ticket.resolution_summary.strip()),
    }
    return render(request, "workspace/ticket.html", context, status=status)


@engineer_required
@require_POST
def ticket_take(request, number):
    ticket = selectors.ticket_for(request.user, number)
    services.ticket_assign(ticket=ticket, actor=request.user, assignee=request.user)
    messages.success(request, _("You took %(ref)s.") % {"ref": ticket.reference})
    return redirect("workspace:work", number=ticket.number)


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
                wait_for_customer=form.cleaned_data["wait_for_customer"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if form.cleaned_data["internal"]:
                messages.success(request, _("Internal note added."))
            else:
                messages.success(request, _("Reply sent to the customer."))
            return redirect("workspace:work", number=ticket.number)
    return _render(request, ticket, form, status=400)


@engineer_required
@require_POST
def ticket_transition(request, number):
    return change_status(request, selectors.ticket_for(request.user, number), "workspace:work")
