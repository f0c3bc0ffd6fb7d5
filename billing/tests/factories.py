from billing.models import PointsPack, PointsPlan, PointsRule
from sla.models import TariffPrice
from sla.tests.factories import LicenseFactory, TariffFactory


def points_tariff(code="points", ticket_points=10, critical_points=30, phone_minute=2, callback=5, per_month=20):
    """A tariff that charges points: a ticket 10, a critical one 30, a phone minute 2, a callback 5."""
    tariff = TariffFactory(code=code, name="Points", rank=5, allows_phone=True)
    PointsRule.objects.create(tariff=tariff, item="ticket", points=ticket_points)
    PointsRule.objects.create(tariff=tariff, item="ticket", urgency="critical", points=critical_points)
    PointsRule.objects.create(tariff=tariff, item="phone_minute", points=phone_minute)
    PointsRule.objects.create(tariff=tariff, item="callback", points=callback)
    PointsPlan.objects.create(tariff=tariff, points_per_month=per_month)
    TariffPrice.objects.create(tariff=tariff, months=3, amount="9000.00", currency="RUB")
    return tariff


def vip_tariff():
    tariff = TariffFactory(code="vip", name="VIP", rank=10, allows_phone=True, first_response_minutes=5 * 60)
    for months, amount in ((3, "9000.00"), (6, "13000.00"), (12, "17000.00")):
        TariffPrice.objects.create(tariff=tariff, months=months, amount=amount, currency="RUB")
    return tariff


def pack(points=50):
    return PointsPack.objects.create(code=f"pack-{points}", name=f"{points} points", points=points, valid_months=12,
                                     amount="5000.00", currency="RUB")


__all__ = ["LicenseFactory", "pack", "points_tariff", "vip_tariff"]
