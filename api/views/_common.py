"""Helpers shared by the API views."""

from sla.promise import zone_or_default
from tickets import selectors, workflow

from ..serializers.tickets import TicketDetailSerializer


def detail_response_data(request, ticket):
    """The ticket with its conversation, through the same selectors as the ticket pages:
    customers never get internal notes or their files."""
    engineer = request.user.is_engineer
    items = selectors.conversation(ticket, include_internal=engineer)
    ticket.api_messages = [item for kind, _at, item in items if kind == "message"]
    ticket.api_events = [item for kind, _at, item in items if kind == "event"]
    ticket.api_files = selectors.ticket_files(ticket, include_internal=engineer)
    ticket.api_sla_targets = selectors.sla_targets(ticket)
    ticket.api_time_zone = zone_or_default(request.user.time_zone)
    ticket.api_promise = list(selectors.ticket_promise(ticket, ticket.api_time_zone).values())
    ticket.api_merged_into = selectors.merge_target(ticket) if ticket.merged_into_id else None
    ticket.api_merged_here = selectors.merged_here(ticket)
    ticket.api_links = [
        {"kind": wording, "link": link, "other": other} for wording, link, other in selectors.ticket_links(ticket, request.user)
    ]
    ticket.api_transitions = [] if ticket.merged_into_id else [
        status.value for status in workflow.allowed_transitions(request.user, ticket.status)
    ]
    context = {"request": request, "ticket_number": ticket.number}
    return TicketDetailSerializer(ticket, context=context).data
