"""The engineer's ticket page: conversation, reply, take, status and the action forms."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_GET, require_http_methods, require_POST

from helpdesk.accounts.access import engineer_required
from incidents import selectors as incident_selectors
from knowledgebase.canned import canned_replies_rendered
from knowledgebase.selectors import suggestions
from tickets import selectors, services, workflow
from tickets.views.common import change_status

from .. import planning
from .. import services as workspace_services
from ..forms import (
    CommitForm,
    EscalateForm,
    LinkForm,
    MergeForm,
    PhoneCallForm,
    RefuseForm,
    ResolveForm,
    TriageForm,
    WorkspaceReplyForm,
)
from ..services import RESOLVED_STATUSES, can_lead
from .actions import effort_hours


@engineer_required
def ticket_work(request, number):
    ticket = selectors.ticket_for(request.user, number)
    if ticket.merged_into_id is not None and "merged" not in request.GET:
        # The duplicate's reference opens the ticket it was merged into (?merged shows the shell).
        target = selectors.merge_target(ticket)
        messages.info(request, _("%(ref)s was merged into %(target)s.") % {"ref": ticket.reference, "target": target.reference})
        return redirect("workspace:work", number=target.number)
    workspace_services.ticket_seen_mark(user=request.user, ticket=ticket)
    return render_ticket(request, ticket)


def _canned_context(request, ticket):
    return {
        "customer_name": ticket.requester.get_full_name() if ticket.requester_id else "",
        "reference": ticket.reference,
        "engineer_name": request.user.get_full_name(),
    }


def render_ticket(request, ticket, bound=None, status=200):
    """The page; ``bound`` replaces the blank form of that name (a failed submission),
    which is then shown open, with the input kept and the errors beside the fields."""
    bound = bound or {}
    engineer = ticket.assignee or request.user
    proposal = planning.propose_completion(
        engineer=engineer, effort_minutes=ticket.effort_minutes, urgency=ticket.urgency, ticket=ticket
    )
    phone = ticket.tariff is not None and ticket.tariff.allows_phone
    planned = timezone.localtime(proposal).strftime("%Y-%m-%dT%H:%M") if proposal else ""
    forms = {
        "reply_form": WorkspaceReplyForm(initial=_canned_initial(request, ticket)),
        "triage_form": TriageForm(initial={
            "urgency": ticket.urgency, "root_cause": ticket.root_cause_id, "effort_hours": effort_hours(ticket),
        }),
        "commit_form": CommitForm(initial={"planned_at": planned}),
        "refuse_form": RefuseForm(),
        "escalate_form": EscalateForm(),
        "call_form": PhoneCallForm() if phone else None,
        "resolve_form": ResolveForm(),
        "link_form": LinkForm(),
        "merge_form": MergeForm(),
    }
    forms.update(bound)
    canned = canned_replies_rendered(ticket.language, _canned_context(request, ticket))
    others = [r for r in canned if r["language"] != ticket.language]
    if others and others[0] is not canned[0]:
        others[0]["first_other"] = True
    context = {
        "ticket": ticket,
        "targets": selectors.sla_targets(ticket),
        "callbacks": selectors.open_callbacks(ticket),
        "calls": list(ticket.phone_calls.select_related("engineer")),
        "items": selectors.conversation(ticket, include_internal=True),
        "files": selectors.ticket_files(ticket, include_internal=True),
        "transitions": [] if ticket.merged_into_id else [
            t for t in workflow.transition_choices(request.user, ticket.status)
            if not (t[0] == "resolved" and ticket.kind == "error")
        ],
        "links": selectors.ticket_links(ticket, request.user),
        "merged_here": selectors.merged_here(ticket),
        "watchers": selectors.ticket_customer_recipients(ticket)[1:],
        "merged_into": selectors.merge_target(ticket) if ticket.merged_into_id else None,
        "can_split": ticket.merged_into_id is None,
        # A public reply may set what the status allows after the reply: a new ticket becomes
        # open by the reply itself, so "send and wait" is offered on it too (SLA rule 3).
        "reply_then": [
            (value, label) for value, label in WorkspaceReplyForm.THEN
            if value and value in {t[0] for t in workflow.transition_choices(
                request.user, "open" if ticket.status == "new" else ticket.status)}
            and not (value == "resolved" and ticket.kind == "error")
        ],
        "proposal": proposal,
        "proposal_for": engineer,
        "can_lead": can_lead(request.user),
        "canned_replies": canned,
        "canned_data": [{"id": r["id"], "title": r["title"], "language": r["language"], "text": r["text"]} for r in canned],
        "open_panel": next(iter(bound), ""),
        "etag": live_etag(ticket),
        "live_period_ms": 1000 * getattr(settings, "WORKSPACE_TICKET_POLL_SECONDS", 15),
        "incident_links": list(incident_selectors.links_of_ticket(ticket)),
        "incident_suggestions": list(incident_selectors.suggestions_for_ticket(ticket)),
        "articles": list(ticket.knowledge_articles.only("pk", "title", "status").order_by("pk")),
        "duplicates": selectors.possible_duplicates(
            request.user, ticket.subject, ticket.body, ticket.language,
            organisation_id=ticket.organisation_id, exclude=ticket,
        ) if ticket.is_open else [],
        "can_write_article": ticket.status in RESOLVED_STATUSES and bool(ticket.resolution_summary.strip()),
        **forms,
    }
    return render(request, "workspace/ticket.html", context, status=status)


def _canned_initial(request, ticket):
    """Without JavaScript, ?canned=<id> starts the reply with that canned reply."""
    pk = request.GET.get("canned", "")
    for reply in canned_replies_rendered(ticket.language, _canned_context(request, ticket), pk=pk) if pk.isdigit() else ():
        return {"body": reply["text"]}
    return {}


@engineer_required
@require_POST
def ticket_take(request, number):
    ticket = selectors.ticket_for(request.user, number)
    services.ticket_assign(ticket=ticket, actor=request.user, assignee=request.user)
    messages.success(request, _("You took %(ref)s.") % {"ref": ticket.reference})
    return redirect("workspace:work", number=ticket.number)


SENT = {
    "": _("Reply sent to the customer."),
    "waiting": _("Reply sent; the ticket waits for the customer."),
    "resolved": _("Reply sent; the ticket is resolved."),
}


@engineer_required
@require_POST
def ticket_reply(request, number):
    """Reply (optionally also setting waiting / resolved: one email) or add an internal note."""
    ticket = selectors.ticket_for(request.user, number)
    form = WorkspaceReplyForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["internal"]:
                workspace_services.ticket_note_add(
                    ticket=ticket, author=request.user, body=data["body"], files=data["attachments"]
                )
            else:
                services.ticket_reply(
                    ticket=ticket, author=request.user, body=data["body"], files=data["attachments"],
                    then_status=data["then"] or None,
                )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Internal note added.") if data["internal"] else str(SENT[data["then"]]))
            return redirect("workspace:work", number=ticket.number)
    return render_ticket(request, ticket, {"reply_form": form}, status=400)


@engineer_required
@require_POST
def ticket_transition(request, number):
    return change_status(request, selectors.ticket_for(request.user, number), "workspace:work")


def ticket_etag(request, number):
    return live_etag(selectors.ticket_for(request.user, number))


def live_etag(ticket):
    """Changes whenever the conversation, the history or the ticket's row changes."""
    marks = ticket.events.aggregate(last=Max("pk"))
    last_message = ticket.messages.aggregate(last=Max("pk"))["last"]
    return f'"t{ticket.pk}-{ticket.updated_at.timestamp():.6f}-{ticket.status}-{marks["last"]}-{last_message}"'


@engineer_required
@require_GET
@cache_control(private=True, no_cache=True)
@condition(etag_func=ticket_etag)
def ticket_live(request, number):
    """What changes on an open ticket page (conversation, status, facts), polled with
    If-None-Match: 304 and no body while nothing changed."""
    ticket = selectors.ticket_for(request.user, number)
    workspace_services.ticket_seen_mark(user=request.user, ticket=ticket)
    context = {
        "ticket": ticket,
        "items": selectors.conversation(ticket, include_internal=True),
        "targets": selectors.sla_targets(ticket),
        "can_split": ticket.merged_into_id is None,
    }
    return render(request, "workspace/ticket_live.html", context)


@engineer_required
@require_http_methods(["GET", "POST"])
def reply_suggestions(request, number):
    """KB articles (the customers' suggestion engine) and canned replies that match the
    ticket and the draft. POST because a draft can be long; it changes nothing."""
    ticket = selectors.ticket_for(request.user, number)
    draft = (request.POST.get("body") or request.GET.get("body") or "")[:2000]
    text = " ".join([ticket.subject, ticket.body[:500], draft]).strip()
    words = {w.casefold() for w in text.split() if len(w) > 3}
    canned = [
        r for r in canned_replies_rendered(ticket.language, _canned_context(request, ticket))
        if words & {w.casefold().strip(".,:;!?") for w in f"{r['title']} {r['text']}".split()}
    ][:3]
    return render(request, "workspace/reply_suggestions.html", {
        # The subject is ranked alone too: a long body or draft never hides what it finds.
        "ticket": ticket, "articles": suggestions(ticket.subject, ticket.language, body=f"{ticket.body[:500]} {draft}"),
        "canned": canned,
        "site_url": settings.SITE_URL.rstrip("/"),
    })
