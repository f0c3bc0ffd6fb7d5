"""Writes to the points wallet. Every rule about points lives here.

The ledger is append-only. A debit is allocated to credits that have not expired,
soonest-expiring first ("oldest first"); concurrent debits of one organisation serialise
on its ``Wallet`` row (``SELECT … FOR UPDATE``), so two tickets filed at once against a
wallet that holds enough for one give one charge and one refusal.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Allocation, ChargeItem, Wallet, WalletEntry
from ..selectors import credits_remaining, price_for, wallet_balance


class NotEnoughPoints(ValidationError):
    """The wallet cannot pay for this request; the message says what it costs and holds."""

    def __init__(self, cost, balance):
        self.cost, self.balance = cost, balance
        super().__init__(
            _("This request costs %(cost)d points and your organisation has %(balance)d.")
            % {"cost": cost, "balance": balance},
            code="not_enough_points",
        )


def wallet_lock(organisation):
    """The organisation's wallet row, created if needed and locked for this transaction."""
    wallet, _created = Wallet.objects.get_or_create(organisation=organisation)
    return Wallet.objects.select_for_update().get(pk=wallet.pk)


def _allocate(wallet, debit, points, today):
    """Take ``points`` from live credits, soonest expiry first; returns what was covered."""
    left = points
    for credit, remaining in credits_remaining(wallet, today):
        if left <= 0:
            break
        take = min(left, remaining)
        Allocation.objects.create(debit=debit, credit=credit, points=take)
        left -= take
    return points - left


def wallet_grant(*, organisation, points, expires_on, reason="", subscription=None, order=None, actor=None):
    """Credit points valid until ``expires_on`` (inclusive). A period or a pack grants once:
    a second call for the same subscription or order returns the first grant."""
    if points <= 0:
        return None
    with transaction.atomic():
        wallet = wallet_lock(organisation)
        existing = WalletEntry.objects.filter(
            wallet=wallet, kind=WalletEntry.Kind.GRANT, subscription=subscription, order=order
        ).first() if (subscription or order) else None
        if existing:
            return existing
        return WalletEntry.objects.create(
            wallet=wallet, kind=WalletEntry.Kind.GRANT, points=points, expires_on=expires_on,
            subscription=subscription, order=order, reason=reason[:300], actor=actor,
        )


def _charge(*, organisation, points, item, reason, allow_short=False, today=None, **refs):
    today = today or timezone.localdate()
    wallet = wallet_lock(organisation)
    balance = wallet_balance(organisation, today=today)
    if points > balance and not allow_short:
        raise NotEnoughPoints(points, balance)
    covered = min(points, max(balance, 0))
    try:
        with transaction.atomic():
            debit = WalletEntry.objects.create(
                wallet=wallet, kind=WalletEntry.Kind.CHARGE, points=-covered, item=item,
                unpaid_points=points - covered, reason=reason[:300], **refs,
            )
    except IntegrityError:
        return WalletEntry.objects.get(kind=WalletEntry.Kind.CHARGE, **refs)  # charged already: once
    _allocate(wallet, debit, covered, today)
    return debit


def wallet_charge_ticket(*, organisation, tariff, ticket_number, kind, urgency):
    """Charge a ticket at filing, by the tariff's rules for its type and the urgency the
    customer declared (seed 003: an "emergency" costs more, which is the point). Returns the
    charge, or None when the tariff charges nothing. Raises ``NotEnoughPoints``."""
    cost = price_for(tariff, ChargeItem.TICKET, kind=kind, urgency=urgency)
    if cost is None:
        return None
    with transaction.atomic():
        return _charge(
            organisation=organisation, points=cost, item=ChargeItem.TICKET, ticket_number=ticket_number,
            reason=_("Ticket HD-%(number)s") % {"number": ticket_number},
        )


def wallet_charge_callback(*, organisation, tariff, callback_id, ticket_number):
    """A callback request costs its rule's points, paid before the call is booked."""
    cost = price_for(tariff, ChargeItem.CALLBACK)
    if cost is None:
        return None
    with transaction.atomic():
        return _charge(
            organisation=organisation, points=cost, item=ChargeItem.CALLBACK, callback_id=callback_id,
            ticket_number=ticket_number, reason=_("Callback for HD-%(number)s") % {"number": ticket_number},
        )


def wallet_charge_call(*, organisation, tariff, phone_call_id, ticket_number, minutes):
    """A logged phone call costs its minutes. The call has happened, so it is charged even
    when the balance is short: the shortfall is recorded as ``unpaid_points`` for the vendor."""
    per_minute = price_for(tariff, ChargeItem.PHONE_MINUTE)
    if per_minute is None or minutes <= 0:
        return None
    with transaction.atomic():
        return _charge(
            organisation=organisation, points=per_minute * minutes, item=ChargeItem.PHONE_MINUTE,
            phone_call_id=phone_call_id, ticket_number=ticket_number, allow_short=True,
            reason=_("Phone call on HD-%(number)s, %(minutes)d min") % {"number": ticket_number, "minutes": minutes},
        )


def wallet_refund_ticket(*, organisation, ticket_number, reason, actor=None):
    """Give back what a ticket (and its callbacks and calls) cost, once each. The refund is
    a credit that keeps the expiry of the points it returns, and lasts at least
    ``POINTS_REFUND_MIN_DAYS`` from today. Returns the refund rows (empty if nothing to do)."""
    today = timezone.localdate()
    refunds = []
    with transaction.atomic():
        wallet = wallet_lock(organisation)
        charges = WalletEntry.objects.filter(
            wallet=wallet, kind=WalletEntry.Kind.CHARGE, ticket_number=ticket_number, refunded_by__isnull=True,
        ).exclude(points=0)
        for charge in charges:
            latest = charge.allocations.aggregate(latest=Max("credit__expires_on"))["latest"]
            floor = today + timedelta(days=settings.POINTS_REFUND_MIN_DAYS)
            refunds.append(WalletEntry.objects.create(
                wallet=wallet, kind=WalletEntry.Kind.REFUND, points=-charge.points, refund_of=charge,
                expires_on=max(latest or floor, floor), ticket_number=ticket_number, item=charge.item,
                reason=reason[:300], actor=actor,
            ))
    return refunds


def wallet_adjust(*, organisation, points, reason, actor, expires_on=None):
    """An admin's correction, with a reason; a negative one is taken from live credits and
    may not take the balance below zero."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the balance changes.")})
    if points == 0:
        raise ValidationError({"points": _("An adjustment must change the balance.")})
    today = timezone.localdate()
    with transaction.atomic():
        wallet = wallet_lock(organisation)
        if points < 0:
            balance = wallet_balance(organisation, today=today)
            if -points > balance:
                raise ValidationError({"points": _("The balance is only %(balance)d points.") % {"balance": balance}})
        entry = WalletEntry.objects.create(
            wallet=wallet, kind=WalletEntry.Kind.ADJUSTMENT, points=points, reason=reason[:300], actor=actor,
            expires_on=expires_on if points > 0 else None,
        )
        if points < 0:
            _allocate(wallet, entry, -points, today)
    return entry


def wallet_expire(today=None):
    """Write an expiry row for what is left of every credit whose validity ended before
    ``today``; safe to run twice (one expiry per credit). Returns the number of rows written."""
    today = today or timezone.localdate()
    written = 0
    due = WalletEntry.objects.filter(points__gt=0, expires_on__lt=today, expired_by__isnull=True)
    for credit_id, wallet_id in due.values_list("id", "wallet_id").iterator():
        with transaction.atomic():
            Wallet.objects.select_for_update().get(pk=wallet_id)
            credit = WalletEntry.objects.get(pk=credit_id)
            if WalletEntry.objects.filter(expiry_of=credit).exists():
                continue
            used = credit.used_by.aggregate(s=Sum("points"))["s"] or 0
            left = credit.points - used
            expiry = WalletEntry.objects.create(
                wallet_id=wallet_id, kind=WalletEntry.Kind.EXPIRY, points=-left, expiry_of=credit,
                reason=_("Validity ended on %(date)s") % {"date": credit.expires_on.isoformat()},
            )
            if left:
                Allocation.objects.create(debit=expiry, credit=credit, points=left)
            written += 1
    return written
