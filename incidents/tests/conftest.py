import pytest

from sla.models import BusinessCalendar
from sla.tests.factories import CalendarFactory, TariffFactory


@pytest.fixture
def always_tariff(db):
    calendar = BusinessCalendar.objects.create(name="24x7 incidents", always_open=True)
    return TariffFactory(code="basic", name="Basic", is_default=True, calendar=calendar, first_response_minutes=240)


@pytest.fixture
def business_tariff(db):
    return TariffFactory(code="biz", name="Business", calendar=CalendarFactory())
