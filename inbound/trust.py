"""Who may post as whom, and who may be written to (inbound/README.md, "Who may post as
whom"). The services ask; this module decides:

* ``engineer_has_proof``: an engineer's mail joins a ticket only if it was sent to the
  signed address of a notification that engineer (or the queue) received, or our mail
  server DKIM-verified it for a domain in ``INBOUND_ENGINEER_DKIM_DOMAINS``;
* ``over_limit``: at most ``INBOUND_SENDER_LIMIT`` messages per address and
  ``INBOUND_DOMAIN_LIMIT`` per domain in their windows, known senders included;
* ``may_write_to``: whether we may send anything at all to the sender: a registered,
  active user (the mail goes to the address they registered), or a From address our
  mail server verified. Nobody else is ever written to: a forged From would make us
  spam whoever it names;
* ``is_unverified_contact``: the only inactive accounts that may still file by email
  are the contacts opened from mail, in the organisation of their own.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.reply_address import signature_is_valid

from . import routing
from .authresults import aligned
from .models import InboundMessage, UnverifiedContact


def engineer_has_proof(parsed, engineer, ticket, auth):
    token = ticket.token.hex
    for signature in routing.token_signatures(parsed.recipients, ticket):
        if signature_is_valid(token, signature, engineer.email):
            return True
        if signature_is_valid(token, signature, settings.SUPPORT_QUEUE_EMAIL):
            return True  # the queue's notifications go to the engineers on that list
    domain = engineer.email.rpartition("@")[2].lower()
    staff_domain = any(aligned(domain, d) for d in settings.INBOUND_ENGINEER_DKIM_DOMAINS)
    return staff_domain and any(aligned(d, domain) for d in auth.dkim_domains)


def over_limit(row):
    """'' or why this message is over a sender's limit. Every message counts except
    machine mail (never answered anyway) and forgeries our server caught (a forger
    must not use up a real customer's allowance)."""
    now = timezone.now()
    earlier = InboundMessage.objects.filter(pk__lt=row.pk).exclude(state=InboundMessage.State.IGNORED).exclude(
        hold=InboundMessage.Hold.AUTHENTICATION
    )
    limits = [
        ("from_address", row.from_address, settings.INBOUND_SENDER_LIMIT, settings.INBOUND_SENDER_WINDOW_SECONDS),
        ("from_domain", row.from_domain, settings.INBOUND_DOMAIN_LIMIT, settings.INBOUND_DOMAIN_WINDOW_SECONDS),
    ]
    for field, value, limit, window in limits:
        if not value or not limit:
            continue
        since = now - timedelta(seconds=window)
        count = earlier.filter(**{field: value, "fetched_at__gte": since}).count()
        if count >= limit:
            return _("More than %(limit)d messages from %(sender)s within %(minutes)d minutes: parked for review, "
                     "nothing was opened or answered.") % {
                "limit": limit, "sender": value, "minutes": max(1, window // 60)}
    return ""


def may_write_to(sender, auth):
    return (sender is not None and sender.is_active) or auth.verified


def is_unverified_contact(user):
    return UnverifiedContact.objects.filter(user=user, organisation_id=user.organisation_id).exists()
