"""Writes for licenses and subscriptions."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import EntitlementRule, License, Subscription
from .serials import validate_serial


def _months_later(start: date, months: int) -> date:
    return start + relativedelta(months=months) - relativedelta(days=1)


@transaction.atomic
def license_register(*, serial, edition, organisation, support_until, today=None):
    """Register a license; owners of an edition with a trial rule get the trial at once."""
    license = License.objects.create(
        serial=validate_serial(serial), edition=edition, organisation=organisation, support_until=support_until
    )
    entitlements_apply(license, today=today)
    return license


def entitlements_apply(license, today=None):
    """Grant the edition trials that apply to this license (each at most once)."""
    today = today or timezone.localdate()
    granted = []
    for rule in EntitlementRule.objects.filter(
        kind=EntitlementRule.Kind.EDITION_TRIAL, edition=license.edition, is_active=True
    ):
        try:
            with transaction.atomic():
                granted.append(
                    Subscription.objects.create(
                        license=license, tariff=rule.tariff, rule=rule, source=Subscription.Source.TRIAL,
                        starts_on=today, ends_on=_months_later(today, rule.months),
                    )
                )
        except IntegrityError:
            continue  # this license already had this trial
    return granted


def subscription_activate(*, license, tariff, months, source=Subscription.Source.BOUGHT, starts_on=None):
    """A bought (or granted) period; it starts when the current one of the same tariff ends."""
    start = starts_on or timezone.localdate()
    current = license.subscriptions.filter(tariff=tariff, ends_on__gte=start).order_by("-ends_on").first()
    if current is not None:
        start = current.ends_on + relativedelta(days=1)
    return Subscription.objects.create(
        license=license, tariff=tariff, source=source, starts_on=start, ends_on=_months_later(start, months)
    )
