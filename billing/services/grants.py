"""Points that come with a support period."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from sla.models import Subscription

from ..models import PointsPlan, WalletEntry
from .wallet import wallet_grant


def subscription_grant_points(subscription):
    """A period of a tariff with a points plan grants points_per_month × its months, valid
    until the period ends; once per period, whether bought, a trial or granted by an admin."""
    plan = PointsPlan.objects.filter(tariff_id=subscription.tariff_id).first()
    if plan is None:
        return None
    start, end = subscription.starts_on, subscription.ends_on
    span = relativedelta(end + timedelta(days=1), start)
    months = max(1, span.years * 12 + span.months + (1 if span.days >= 15 else 0))
    return wallet_grant(
        organisation=subscription.license.organisation, points=plan.points_per_month * months,
        expires_on=end, subscription=subscription,
        reason=_("%(tariff)s, %(start)s – %(end)s") % {"tariff": subscription.tariff.name, "start": start, "end": end},
    )


def subscriptions_grant_due():
    """Grant the points of periods that have none yet (trials from license registration,
    periods an admin added): beat runs this, so no path that creates a period can forget."""
    granted = WalletEntry.objects.filter(kind=WalletEntry.Kind.GRANT, subscription=OuterRef("pk"))
    due = (
        Subscription.objects.filter(tariff__points_plan__isnull=False)
        .annotate(done=Exists(granted)).filter(done=False)
        .select_related("license__organisation", "tariff")
    )
    return [g for g in (subscription_grant_points(s) for s in due.iterator()) if g]
