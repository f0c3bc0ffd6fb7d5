"""Reads for orders, offers and the points wallet."""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from helpdesk.accounts.models import Organisation
from sla.models import EntitlementRule, License, Subscription, TariffPrice

from .models import ChargeItem, Order, PointsPack, PointsRule, Wallet, WalletEntry


def price_for(tariff, item, kind="", urgency=""):
    """Points ``item`` costs under ``tariff``: the most specific rule wins (type and urgency,
    type, urgency, any). None when no rule applies: the tariff charges nothing for it."""
    if tariff is None:
        return None
    rules = [r for r in rules_of(tariff) if r.item == item]
    best = None
    for rule in rules:
        if rule.ticket_kind and rule.ticket_kind != kind:
            continue
        if rule.urgency and rule.urgency != urgency:
            continue
        score = (bool(rule.ticket_kind), bool(rule.urgency))
        if best is None or score > best[0]:
            best = (score, rule.points)
    return best[1] if best else None


def rules_of(tariff):
    """The tariff's points rules (cached on the instance for one request)."""
    cached = getattr(tariff, "_points_rules", None)
    if cached is None:
        cached = list(PointsRule.objects.filter(tariff=tariff))
        tariff._points_rules = cached
    return cached


def tariff_charges_points(tariff):
    """A tariff without points rules behaves exactly as if points did not exist."""
    return bool(tariff is not None and rules_of(tariff))


def ticket_points_table(tariff, kinds, urgencies):
    """{kind: {urgency: points}} for the ticket form, or None when the tariff charges nothing."""
    if not tariff_charges_points(tariff):
        return None
    return {k: {u: price_for(tariff, ChargeItem.TICKET, kind=k, urgency=u) or 0 for u in urgencies} for k in kinds}


def _live_credits(wallet, today):
    return WalletEntry.objects.filter(wallet=wallet, points__gt=0).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    ).filter(expired_by__isnull=True)


def credits_remaining(wallet, today):
    """[(credit, points left)] of live credits, soonest expiry first (never-expiring last)."""
    credits = (
        _live_credits(wallet, today)
        .annotate(used=Coalesce(Sum("used_by__points"), 0))
        .order_by(Coalesce("expires_on", date.max), "created_at", "id")
    )
    return [(c, c.points - c.used) for c in credits if c.points > c.used]


def wallet_balance(organisation, today=None):
    """Points the organisation may spend today: what is left of its live credits."""
    today = today or timezone.localdate()
    wallet = Wallet.objects.filter(organisation=organisation).first()
    if wallet is None:
        return 0
    return sum(left for _credit, left in credits_remaining(wallet, today))


def wallet_history(organisation, limit=200):
    return (
        WalletEntry.objects.filter(wallet__organisation=organisation)
        .select_related("order", "actor")
        .order_by("-created_at", "-id")[:limit]
    )


def wallet_next_expiry(organisation, today=None):
    """(date, points) of the soonest expiry, or None."""
    today = today or timezone.localdate()
    wallet = Wallet.objects.filter(organisation=organisation).first()
    if wallet is None:
        return None
    for credit, left in credits_remaining(wallet, today):
        if credit.expires_on:
            return credit.expires_on, left
    return None


@dataclass(frozen=True)
class Offer:
    """One line of the order page: a tariff period for a license, or why it is not for sale."""

    license: License
    price: TariffPrice | None
    starts_on: date | None
    ends_on: date | None
    included: str = ""  # "partner" or "trial": shown as such, not sold
    included_until: date | None = None

    @property
    def can_order(self):
        return self.price is not None and not self.included


def period_dates(license, tariff, months, today=None):
    """The exact dates a new period would cover: from the day after the current period of
    this tariff ends (or today), for ``months`` months (``sla.services.subscription_activate``)."""
    today = today or timezone.localdate()
    current = (
        license.subscriptions.filter(tariff=tariff, ends_on__gte=today).order_by("-ends_on").values_list("ends_on", flat=True).first()
    )
    start = current + relativedelta(days=1) if current else today
    return start, start + relativedelta(months=months) - relativedelta(days=1)


def organisations_ordering_for(user):
    """Organisations a customer may order for: their own and, for a dealer, its clients."""
    if not user.is_authenticated or user.organisation_id is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(Q(pk=user.organisation_id) | Q(dealer_id=user.organisation_id))


def licenses_orderable_by(user):
    return (
        License.objects.filter(organisation__in=organisations_ordering_for(user))
        .select_related("edition", "organisation").order_by("organisation__name", "serial")
    )


def offers_for(user, tariff, today=None):
    """Every license the user may order for × every price of the tariff, with dates; a
    tariff that the organisation gets free for its partner level, or that the license is on a
    trial of, says so instead (the trial can still be followed by a bought period)."""
    today = today or timezone.localdate()
    offers = []
    prices = list(tariff.prices.all())
    for license in licenses_orderable_by(user):
        partner = license.organisation.partner_level and EntitlementRule.objects.filter(
            kind=EntitlementRule.Kind.PARTNER_LEVEL, partner_level=license.organisation.partner_level,
            tariff=tariff, is_active=True,
        ).exists()
        if partner:
            offers.append(Offer(license, None, None, None, included="partner"))
            continue
        trial = license.subscriptions.filter(
            tariff=tariff, source=Subscription.Source.TRIAL, ends_on__gte=today
        ).order_by("-ends_on").first()
        if trial:
            offers.append(Offer(license, None, None, None, included="trial", included_until=trial.ends_on))
        for price in prices:
            start, end = period_dates(license, tariff, price.months, today)
            offers.append(Offer(license, price, start, end))
    return offers


def orders_visible_to(user):
    """Orders of the organisations the user may order for; staff see all."""
    qs = Order.objects.select_related("license", "tariff", "pack", "organisation")
    if user.is_staff:
        return qs
    return qs.filter(organisation__in=organisations_ordering_for(user))


def order_for(user, number):
    """The order, or None if it does not exist or the user may not see it."""
    return orders_visible_to(user).filter(number=number).first()


def packs_on_sale():
    return PointsPack.objects.filter(is_active=True)


def points_used_per_organisation(since, until):
    """[(organisation name, points charged)] most first: seed 003's Pareto in points."""
    rows = (
        WalletEntry.objects.filter(kind=WalletEntry.Kind.CHARGE, created_at__gte=since, created_at__lt=until)
        .values("wallet__organisation__name")
        .annotate(points=-Sum("points"), unpaid=Sum("unpaid_points"))
        .order_by("-points")
    )
    return [(r["wallet__organisation__name"], r["points"], r["unpaid"]) for r in rows]


