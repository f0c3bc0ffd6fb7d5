"""Pieces the customer portal and the engineer workspace share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .. import services
from ..forms import TransitionForm


def change_status(request, ticket, back_to):
    """Bind the status form, run the workflow, report the outcome, go back to the ticket."""
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_transition(ticket=ticket, actor=request.user, to_status=form.cleaned_data["status"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The ticket's status is changed."))
    return redirect(back_to, number=ticket.number)
