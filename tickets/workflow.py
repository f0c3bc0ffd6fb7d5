"""The status workflow: which transitions exist and who may make them."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Status

# Transitions an engineer may make, with the button label for each. A new ticket waits
# for the customer only through a public reply (``ticket_reply(wait_for_customer=True)``):
# pausing the first-response clock without answering is not a transition.
ENGINEER_TRANSITIONS = {
    Status.NEW: (Status.OPEN, Status.RESOLVED),
    Status.OPEN: (Status.WAITING, Status.RESOLVED),
    Status.WAITING: (Status.OPEN, Status.RESOLVED),
    Status.RESOLVED: (Status.CLOSED, Status.OPEN),
    Status.CLOSED: (Status.OPEN,),
}

# A customer may close their ticket at any time and reopen a resolved or closed one.
CUSTOMER_TRANSITIONS = {
    Status.NEW: (Status.CLOSED,),
    Status.OPEN: (Status.CLOSED,),
    Status.WAITING: (Status.CLOSED,),
    Status.RESOLVED: (Status.CLOSED, Status.OPEN),
    Status.CLOSED: (Status.OPEN,),
}

ACTION_LABELS = {
    Status.OPEN: pgettext_lazy("button", "Open"),
    Status.WAITING: _("Wait for customer"),
    Status.RESOLVED: _("Resolve"),
    Status.CLOSED: _("Close"),
}
REOPEN_LABEL = _("Reopen")


def allowed_transitions(user, status):
    table = ENGINEER_TRANSITIONS if user.is_engineer else CUSTOMER_TRANSITIONS
    return table.get(Status(status), ())


def transition_choices(user, status):
    """[(target, label)] for the buttons on a ticket page."""
    result = []
    for target in allowed_transitions(user, status):
        reopening = target == Status.OPEN and status in (Status.RESOLVED, Status.CLOSED)
        result.append((target.value, REOPEN_LABEL if reopening else ACTION_LABELS[target]))
    return result
