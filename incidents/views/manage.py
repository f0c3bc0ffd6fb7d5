"""The engineers' incident pages: declare, follow, update, link tickets, resolve."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helpdesk.accounts.access import engineer_required
from tickets.models import Ticket

from .. import selectors, services
from ..forms import DeclareForm, KeepOpenForm, LinkForm, ResolveForm, UpdateForm
from ..models import Incident, IncidentTicket


def _incident(pk):
    incident = Incident.objects.filter(pk=pk).first()
    if incident is None:
        raise Http404
    return incident


def _ticket(number):
    ticket = Ticket.objects.filter(number=number).first()
    if ticket is None:
        raise Http404
    return ticket


def _back(request, incident, ticket):
    """To the ticket page when the form was there (its incident panel), else the incident."""
    if request.POST.get("back") == "ticket":
        return redirect("workspace:work", number=ticket.number)  # by URL name: workspace is above us
    return redirect("incidents:detail", pk=incident.pk)


def _errors_into(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@engineer_required
def incident_list(request):
    return render(request, "incidents/list.html", {"incidents": selectors.incident_list()})


@engineer_required
@require_http_methods(["GET", "POST"])
def incident_declare(request):
    form = DeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_declare(
                actor=request.user, data=data, organisations=data["organisations"], editions=data["editions"],
                tariffs=data["tariffs"],
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("The incident is declared; customers it affects see it on the ticket form."))
            return redirect("incidents:detail", pk=incident.pk)
    return render(request, "incidents/declare.html", {"form": form}, status=400 if form.errors else 200)


def _detail(request, incident, status=200, **forms):
    context = {
        "incident": incident,
        "links": selectors.linked_tickets(incident),
        "suggestions": selectors.suggestions_for(incident) if incident.is_open else [],
        "updates": incident.updates.select_related("author").order_by("-created_at"),
        "events": incident.events.select_related("actor").order_by("-created_at")[:50],
        "figures": selectors.incident_figures(incident),
        "affects": {
            "organisations": list(incident.organisations.all()), "editions": list(incident.editions.all()),
            "tariffs": list(incident.tariffs.all()),
        },
        "update_form": forms.get("update_form") or UpdateForm(initial={"state": incident.state}),
        "resolve_form": forms.get("resolve_form") or ResolveForm(),
        "link_form": forms.get("link_form") or LinkForm(),
    }
    return render(request, "incidents/detail.html", context, status=status)


@engineer_required
def incident_detail(request, pk):
    return _detail(request, _incident(pk))


@engineer_required
@require_POST
def incident_update(request, pk):
    incident = _incident(pk)
    form = UpdateForm(request.POST)
    if form.is_valid():
        try:
            services.incident_update_post(incident=incident, actor=request.user, state=form.cleaned_data["state"],
                                          texts=form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("The update is posted: it goes to every linked ticket and every person concerned, once."))
            return redirect("incidents:detail", pk=incident.pk)
    return _detail(request, incident, status=400, update_form=form)


@engineer_required
@require_POST
def incident_resolve(request, pk):
    incident = _incident(pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.incident_resolve(incident=incident, actor=request.user, summary=data["summary"],
                                      prevention=data["prevention"], texts=data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("The incident is resolved; its linked tickets are resolved with its summary."))
            return redirect("incidents:detail", pk=incident.pk)
    return _detail(request, incident, status=400, resolve_form=form)


@engineer_required
@require_POST
def incident_link(request, pk):
    incident = _incident(pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        ticket = Ticket.objects.filter(number=form.cleaned_data["reference"]).first()
        if ticket is None:
            form.add_error("reference", _("There is no ticket with this reference."))
        else:
            try:
                _link, created = services.incident_link(incident=incident, ticket=ticket, actor=request.user,
                                                        source=IncidentTicket.Source.ENGINEER
                                                        if not request.POST.get("suggested") else
                                                        IncidentTicket.Source.SUGGESTION)
            except ValidationError as exc:
                form.add_error("reference", exc)
            else:
                if created:
                    messages.success(request, _("%(ref)s is linked to the incident.") % {"ref": ticket.reference})
                else:
                    messages.info(request, _("%(ref)s was already linked.") % {"ref": ticket.reference})
                return _back(request, incident, ticket)
    return _detail(request, incident, status=400, link_form=form)


@engineer_required
@require_POST
def incident_unlink(request, pk, number):
    incident, ticket = _incident(pk), _ticket(number)
    if services.incident_unlink(incident=incident, ticket=ticket, actor=request.user):
        messages.success(request, _("%(ref)s is unlinked: the incident's updates and resolution leave it alone.")
                         % {"ref": ticket.reference})
    return redirect("incidents:detail", pk=incident.pk)


@engineer_required
@require_POST
def incident_keep_open(request, pk, number):
    incident, ticket = _incident(pk), _ticket(number)
    form = KeepOpenForm(request.POST)
    keep = form.is_valid() and form.cleaned_data["keep_open"]
    services.incident_keep_open(incident=incident, ticket=ticket, actor=request.user, keep_open=keep)
    messages.success(request, (_("%(ref)s stays open when the incident is resolved.") if keep else
                               _("%(ref)s is resolved with the incident.")) % {"ref": ticket.reference})
    return redirect("incidents:detail", pk=incident.pk)


@engineer_required
@require_POST
def suggestion_dismiss(request, pk, number):
    incident, ticket = _incident(pk), _ticket(number)
    services.suggestion_dismiss(incident=incident, ticket=ticket, actor=request.user)
    messages.success(request, _("The suggestion for %(ref)s is dismissed.") % {"ref": ticket.reference})
    return _back(request, incident, ticket)
