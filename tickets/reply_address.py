"""The addresses replies to ticket notifications go to (inbound/README.md).

Every notification about a ticket carries ``Reply-To: support+<token>@…``, the ticket's
unguessable token (``SUPPORT_REPLY_ADDRESS``). Customers see that address, so it
cannot prove that a reply comes from an engineer. Notifications *to engineers* carry
``support+<token>-<signature>@…`` instead: the signature is an HMAC (Django's
``salted_hmac``, keyed by ``SECRET_KEY``) of the token and the address the
notification was sent to. Only someone who received that email can know it, and it
is valid only for that address (or, for mail sent to the shared queue address, for
the engineers on that list).
"""

import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SIGNATURE_LENGTH = 20
_SALT = "tickets.reply_address.engineer"
# The "+tag" of a reply address: the token, then optionally "-" and a signature.
_TAG = re.compile(r"\+([0-9a-f]{32})(?:-([0-9a-f]{%d}))?@" % SIGNATURE_LENGTH, re.IGNORECASE)


def engineer_signature(token_hex, address):
    """The signature for ``address`` on the ticket with token ``token_hex``."""
    value = f"{token_hex.lower()}:{address.strip().lower()}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:SIGNATURE_LENGTH]


def signature_is_valid(token_hex, signature, address):
    return bool(signature) and constant_time_compare(signature.lower(), engineer_signature(token_hex, address))


def reply_address_parse(address):
    """(token hex, signature or '') of a reply address this module made; None for any
    other address."""
    match = _TAG.search(address or "")
    if match is None:
        return None
    return match.group(1).lower(), (match.group(2) or "").lower()


def ticket_reply_address(ticket, engineer_address=None):
    """The ticket's own reply address (``SUPPORT_REPLY_ADDRESS`` with the token, e.g.
    ``support+<token>@example.com``); for a notification to an engineer (or to the
    queue) the token is followed by that address's signature. '' when the email
    channel is off."""
    template = getattr(settings, "SUPPORT_REPLY_ADDRESS", "")
    if not template:
        return ""
    token = ticket.token.hex
    if engineer_address:
        token = f"{token}-{engineer_signature(token, engineer_address)}"
    return template.format(token=token)


def ticket_email_headers(ticket, engineer_address=None):
    """Headers for every notification about a ticket: replies go to its own address,
    which is how inbound email finds the ticket. Pass ``engineer_address`` when the
    notification goes to an engineer or the queue: their replies must prove who they are."""
    address = ticket_reply_address(ticket, engineer_address)
    return {"Reply-To": address} if address else {}
