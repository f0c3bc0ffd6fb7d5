"""Reactions to the events of the apps below (signals sent after commit)."""

import logging

from . import services

log = logging.getLogger(__name__)


def on_ticket_filed(sender, ticket, **kwargs):
    """A new ticket that reads like an open incident affecting its organisation is
    proposed for linking on the engineers' screens (the incident page, the ticket page).
    Runs after the filing's commit; one indexed query when no incident is open."""
    services.suggestions_record(ticket)
