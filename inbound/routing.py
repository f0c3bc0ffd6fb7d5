"""Which ticket an emailed reply belongs to, and whether its sender may post there.

A reply joins a ticket only by an unguessable reference, never by the "HD-10042" in
its subject (that number is printed on every page and is easy to guess):

1. the ticket's token in a recipient address (``support+<token>@…``, the Reply-To of
   every notification: ``tickets.services.ticket_email_headers``);
2. otherwise the Message-ID of one of our notifications in ``In-Reply-To`` or
   ``References`` (random per email, so equally unguessable): covers a client that
   answered the From address instead of Reply-To, or a server that drops "+tags".

Even then the sender must be someone who may see the ticket: its requester, a member
of its organisation or of the dealer serving it, or an engineer. Anyone else's mail
(a colleague outside the organisation, a forged reply quoting someone's reference) is
handled as new mail from that sender and never joins the ticket.

A ticket merged into another one (``tickets.relations.ticket_merge``) keeps its token
and its Message-IDs: mail found through them threads into the ticket it was merged
into (``thread_target``), checked against that ticket's visibility.
"""

import re
import uuid

from helpdesk.mail.models import OutboundEmail
from tickets.models import Ticket
from tickets.reply_address import reply_address_parse
from tickets.selectors import merge_target, tickets_visible_to

_OUR_MESSAGE_ID = re.compile(r"^<([0-9a-f-]{36})@helpdesk>$", re.IGNORECASE)


def ticket_by_token(addresses):
    for address in addresses:
        parsed = reply_address_parse(address)
        if parsed:
            ticket = Ticket.objects.filter(token=uuid.UUID(parsed[0])).first()
            if ticket is not None:
                return ticket
    return None


def token_signatures(addresses, ticket):
    """The engineer signatures next to ``ticket``'s token in ``addresses``."""
    found = []
    for address in addresses:
        parsed = reply_address_parse(address)
        if parsed and parsed[1] and parsed[0] == ticket.token.hex:
            found.append(parsed[1])
    return found


def ticket_by_references(message_ids):
    uids = []
    for message_id in message_ids:
        match = _OUR_MESSAGE_ID.match(message_id.strip())
        if match:
            uids.append(match.group(1))
    if not uids:
        return None
    topics = OutboundEmail.objects.filter(uid__in=uids, topic__startswith="ticket:").values_list("topic", flat=True)
    for topic in topics:
        number = topic.split(":", 1)[1]
        if number.isdigit():
            ticket = Ticket.objects.filter(number=int(number)).first()
            if ticket is not None:
                return ticket
    return None


def find_ticket(parsed):
    """The ticket a parsed mail answers, by token or by our Message-IDs; None if new."""
    return ticket_by_token(parsed.recipients) or ticket_by_references(
        [*parsed.in_reply_to, *reversed(parsed.references)]
    )


def thread_target(ticket):
    """Where mail for ``ticket`` is posted: the ticket it was merged into, if any."""
    return merge_target(ticket) if ticket is not None else None


def may_post(user, ticket):
    """The requester (even before their account is verified), anyone who may see the
    ticket in the portal (organisation, dealer, engineers)."""
    if user is None:
        return False
    if user.pk == ticket.requester_id:
        return True
    return tickets_visible_to(user).filter(pk=ticket.pk).exists()
