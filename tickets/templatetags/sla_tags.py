"""How an SLA clock reads on a page: 'due in 3 h 12 min (business hours)'."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from sla.templatetags.sla_format import duration_text

from .. import sla_clock

register = template.Library()


@register.simple_tag
def sla_left(ticket, due_at=None, now=None):
    """Business time left until the ticket's nearest (or the given) deadline."""
    due_at = due_at or ticket.next_due_at
    if due_at is None or ticket.tariff_revision_id is None:
        return ""
    left = sla_clock.business_time_left(ticket, due_at, now or timezone.now())
    if left.total_seconds() < 0:
        return _("overdue by %(t)s (business hours)") % {"t": duration_text(left)}
    return _("due in %(t)s (business hours)") % {"t": duration_text(left)}


@register.filter
def sla_state(ticket):
    """'breached', 'soon' (within the hour) or 'ok', for colouring the queue."""
    if ticket.next_due_at is None:
        return ""
    now = timezone.now()
    if ticket.next_due_at <= now:
        return "breached"
    if (ticket.next_due_at - now).total_seconds() <= 3600:
        return "soon"
    return "ok"
