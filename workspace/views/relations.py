"""Merge, split, link and unlink from the engineer's ticket page (tickets.relations)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helpdesk.accounts.access import engineer_required
from tickets import relations, selectors
from tickets.models import Message, TicketLink

from ..forms import LinkForm, MergeForm, SplitForm


def _refused(form, exc, field=None):
    """A service's refusal beside the field it is about (or above the form)."""
    if isinstance(exc, ValidationError):
        form.add_error(None if hasattr(exc, "error_dict") else field, exc)
    else:
        form.add_error(field, str(exc))


@engineer_required
@require_http_methods(["GET", "POST"])
def merge(request, number):
    """GET with ``into``: the confirmation (both subjects side by side); POST with
    ``confirm``: the merge. A bad reference shows the form again with the input kept."""
    ticket = selectors.ticket_for(request.user, number)
    data = request.POST if request.method == "POST" else (request.GET if "into" in request.GET else None)
    form = MergeForm(data)
    target = None
    if form.is_bound and form.is_valid():
        target = selectors.ticket_by_reference(request.user, form.cleaned_data["into"])
        if target is None:
            form.add_error("into", _("No ticket with that reference."))
        else:
            try:
                relations.merge_check(ticket, target)
            except ValidationError as exc:
                _refused(form, exc, "into")
    if request.method == "POST" and not form.errors and request.POST.get("confirm") == "yes":
        try:
            relations.ticket_merge(ticket=ticket, into=target, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            _refused(form, exc, "into")
        else:
            messages.success(request, _("%(ref)s is merged into %(target)s; its customer is told.")
                             % {"ref": ticket.reference, "target": target.reference})
            return redirect("workspace:work", number=target.number)
    context = {"ticket": ticket, "form": form, "target": target if not form.errors else None}
    return render(request, "workspace/ticket/merge.html", context, status=400 if form.errors else 200)


def _public_message(ticket, message_id):
    message = Message.objects.select_related("author").filter(
        ticket=ticket, pk=message_id, visibility=Message.Visibility.PUBLIC
    ).first()
    if message is None:
        raise Http404
    return message


@engineer_required
@require_http_methods(["GET", "POST"])
def split(request, number, message_id):
    """One public message becomes a new ticket of the same requester."""
    ticket = selectors.ticket_for(request.user, number)
    message = _public_message(ticket, message_id)
    form = SplitForm(request.POST if request.method == "POST" else None, initial={"subject": ticket.subject})
    if form.is_bound and form.is_valid():
        try:
            new = relations.ticket_split(
                ticket=ticket, message=message, actor=request.user, subject=form.cleaned_data["subject"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The message is now %(ref)s.") % {"ref": new.reference})
            return redirect("workspace:work", number=new.number)
    context = {"ticket": ticket, "message": message, "form": form}
    return render(request, "workspace/ticket/split.html", context, status=400 if form.errors else 200)


@engineer_required
@require_POST
def link(request, number):
    from .ticket import render_ticket

    ticket = selectors.ticket_for(request.user, number)
    form = LinkForm(request.POST)
    if form.is_valid():
        other = selectors.ticket_by_reference(request.user, form.cleaned_data["ticket"])
        if other is None:
            form.add_error("ticket", _("No ticket with that reference."))
        else:
            try:
                relations.ticket_link(ticket=ticket, other=other, kind=form.cleaned_data["kind"], actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                _refused(form, exc, "ticket")
            else:
                messages.success(request, _("Linked to %(ref)s.") % {"ref": other.reference})
                return redirect("workspace:work", number=ticket.number)
    return render_ticket(request, ticket, {"link_form": form}, status=400)


@engineer_required
@require_POST
def unlink(request, number, link_id):
    ticket = selectors.ticket_for(request.user, number)
    found = TicketLink.objects.select_related("source", "target").filter(pk=link_id).first()
    if found is None or ticket.pk not in (found.source_id, found.target_id):
        raise Http404
    relations.ticket_unlink(ticket=ticket, link=found, actor=request.user)
    messages.success(request, _("The link to %(ref)s is removed.") % {"ref": found.other(ticket.pk).reference})
    return redirect("workspace:work", number=ticket.number)
