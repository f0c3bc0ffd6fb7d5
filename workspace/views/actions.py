"""Engineer actions on one ticket: triage, commit or refuse, escalate, log a call, resolve,
and the 'someone else is replying' presence."""

from decimal import Decimal

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helpdesk.accounts.access import engineer_required
from tickets import selectors

from .. import services
from ..forms import (
    CommitForm,
    EscalateForm,
    PhoneCallForm,
    RefuseForm,
    ResolveForm,
    TriageForm,
)

PRESENCE_SECONDS = 30


def _done(request, ticket, message):
    messages.success(request, message)
    return redirect("workspace:work", number=ticket.number)


def _failed(request, ticket, form=None, exc=None):
    errors = []
    if form is not None:
        errors += [f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".lstrip(": ") for f, e in form.errors.items()]
    if exc is not None:
        errors += getattr(exc, "messages", [str(exc)])
    for error in errors:
        messages.error(request, error)
    return redirect("workspace:work", number=ticket.number)


def _act(request, number, form_class, action, success):
    ticket = selectors.ticket_for(request.user, number)
    form = form_class(request.POST)
    if not form.is_valid():
        return _failed(request, ticket, form=form)
    try:
        action(ticket, form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        return _failed(request, ticket, exc=exc)
    return _done(request, ticket, success)


@engineer_required
@require_POST
def triage(request, number):
    def run(ticket, data):
        hours = data.get("effort_hours")
        services.ticket_triage(
            ticket=ticket, actor=request.user, urgency=data["urgency"], root_cause=data.get("root_cause"),
            effort_minutes=int(hours * 60) if hours is not None else None,
        )

    return _act(request, number, TriageForm, run, _("Triage saved."))


@engineer_required
@require_POST
def commit(request, number):
    def run(ticket, data):
        services.ticket_commit(ticket=ticket, actor=request.user, planned_at=data["planned_at"])

    return _act(request, number, CommitForm, run, _("The completion date is sent to the customer."))


@engineer_required
@require_POST
def refuse(request, number):
    def run(ticket, data):
        services.ticket_refuse(ticket=ticket, actor=request.user, reason=data["reason"])

    return _act(request, number, RefuseForm, run, _("The refusal is sent to the customer."))


@engineer_required
@require_POST
def escalate(request, number):
    def run(ticket, data):
        services.ticket_escalate(
            ticket=ticket, actor=request.user, to_level=data["to_level"], reason=data["reason"]
        )

    return _act(request, number, EscalateForm, run, _("The ticket's level is changed."))


@engineer_required
@require_POST
def log_call(request, number):
    def run(ticket, data):
        callback = ticket.callback_requests.filter(handled_at__isnull=True).order_by("created_at").first()
        services.phone_call_log(ticket=ticket, actor=request.user, callback=callback, **data)

    return _act(request, number, PhoneCallForm, run, _("The call is logged."))


@engineer_required
@require_POST
def resolve(request, number):
    def run(ticket, data):
        services.ticket_resolve(
            ticket=ticket, actor=request.user, summary=data["summary"], prevention=data.get("prevention", "")
        )

    return _act(request, number, ResolveForm, run, _("Resolved; the customer is told what was fixed."))


@engineer_required
@require_http_methods(["GET", "POST"])
def presence(request, number):
    """POST: I am writing a reply (kept 30 s). GET: who else is writing one now."""
    ticket = selectors.ticket_for(request.user, number)
    key = f"replying:{ticket.pk}"
    others = {k: v for k, v in (cache.get(key) or {}).items() if k != str(request.user.pk)}
    if request.method == "POST":
        import time

        now = time.time()
        current = {k: v for k, v in (cache.get(key) or {}).items() if now - v[1] < PRESENCE_SECONDS}
        current[str(request.user.pk)] = (request.user.full_name, now)
        cache.set(key, current, PRESENCE_SECONDS)
        others = {k: v for k, v in current.items() if k != str(request.user.pk)}
    names = sorted(name for name, _at in others.values())
    return render(request, "workspace/presence.html", {"names": names})


def effort_hours(ticket):
    return (Decimal(ticket.effort_minutes) / 60).quantize(Decimal("0.01")) if ticket.effort_minutes else None


@engineer_required
@require_POST
def article_draft(request, number):
    """One click on a resolved ticket: a draft article from its resolution, opened in the editor."""
    ticket = selectors.ticket_for(request.user, number)
    try:
        article = services.ticket_article_draft(ticket=ticket, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        return _failed(request, ticket, exc=exc)
    messages.success(request, _("A draft article was written from the resolution; check it and publish it."))
    return redirect("kb:article_edit", pk=article.pk)
