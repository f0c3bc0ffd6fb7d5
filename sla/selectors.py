"""Which tariff applies, and what it promises."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from helpdesk.accounts.models import Organisation

from .models import EntitlementRule, License, Subscription, Tariff


@dataclass(frozen=True)
class Entitlement:
    tariff: Tariff
    license: License | None
    source: str  # "subscription", "partner", "default"
    ends_on: date | None
    # The organisation holds licenses but every support period is over.
    support_ended_on: date | None = None


def default_tariff():
    return Tariff.objects.filter(is_default=True, is_active=True).select_related("calendar").first()


def entitlement_for(
    organisation: Organisation, license: License | None = None, today: date | None = None, explain: bool = True,
    licenses=None,
):
    """The best tariff that applies to the organisation (and license) today.

    Candidates: active subscriptions of the organisation's licenses whose support period
    has not ended, and free tariffs of the organisation's partner level. The highest
    rank wins; with none, the default (basic) tariff. Returns None if no tariff is set up.
    ``explain=False`` skips looking up when support ended (only the form tells the customer).
    ``licenses``: the organisation's licenses when the caller has them already (the ticket
    form lists them); with none there is no subscription to look up.
    """
    today = today or timezone.localdate()
    candidates = []
    subs = Subscription.objects.none() if licenses is not None and not licenses else (
        Subscription.objects.filter(
            license__organisation=organisation,
            license__support_until__gte=today,
            starts_on__lte=today,
            ends_on__gte=today,
            tariff__is_active=True,
        )
        .select_related("tariff__calendar", "license")
    )
    if license is not None:
        subs = subs.filter(license=license)
    for sub in subs:
        candidates.append(Entitlement(sub.tariff, sub.license, "subscription", sub.ends_on))
    if organisation.partner_level:
        for rule in EntitlementRule.objects.filter(
            kind=EntitlementRule.Kind.PARTNER_LEVEL, partner_level=organisation.partner_level,
            is_active=True, tariff__is_active=True,
        ).select_related("tariff__calendar"):
            candidates.append(Entitlement(rule.tariff, license, "partner", None))
    if candidates:
        return max(candidates, key=lambda e: (e.tariff.rank, e.ends_on or date.max))
    fallback = default_tariff()
    if fallback is None:
        return None
    ended = None
    if not explain:
        return Entitlement(fallback, license, "default", None)
    licenses = License.objects.filter(organisation=organisation)
    if license is not None:
        licenses = licenses.filter(pk=license.pk)
    last = licenses.order_by("-support_until").values_list("support_until", flat=True).first()
    if last is not None and last < today:
        ended = last
    return Entitlement(fallback, license, "default", None, support_ended_on=ended)


def public_tariffs():
    """Tariffs and prices for the customer-facing plans page."""
    return Tariff.objects.filter(is_active=True).select_related("calendar").prefetch_related("prices")


def licenses_of(organisation):
    return License.objects.filter(Q(organisation=organisation)).select_related("edition").order_by("serial")


def promise_for(tariff, urgency="normal", at=None):
    """What the tariff promises for a ticket filed at ``at``: {kind: due instant}."""
    from datetime import timedelta

    from .businesstime import NoWorkingTime, add_business_time

    at = at or timezone.now()
    targets, calendar = tariff.targets_for(urgency)
    pure = calendar.as_calendar(at)
    result = {}
    for kind, minutes in targets.items():
        try:
            result[kind] = add_business_time(pure, at, timedelta(minutes=minutes))
        except NoWorkingTime:
            continue
    return result
