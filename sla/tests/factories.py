from datetime import time

import factory

from sla.models import BusinessCalendar, Edition, License, Tariff, WorkingInterval
from sla.serials import make_serial


def working_week(calendar, start=time(9), end=time(18), days=range(5)):
    for day in days:
        WorkingInterval.objects.create(calendar=calendar, weekday=day, start=start, end=end)
    return calendar


class CalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessCalendar
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Calendar {n}")
    time_zone = "Europe/Moscow"

    @factory.post_generation
    def week(obj, create, extracted, **kwargs):
        if create and extracted is not False and not obj.always_open and not obj.intervals.exists():
            working_week(obj)


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tariff
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"tariff-{n}")
    name = factory.LazyAttribute(lambda t: t.code.title())
    calendar = factory.SubFactory(CalendarFactory)
    first_response_minutes = 8 * 60
    commitment_minutes = 120
    resolution_minutes = None


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition
        django_get_or_create = ("code",)

    code = "business"
    name = "Business"


class LicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = License

    serial = factory.Sequence(lambda n: make_serial(f"ABCDE{n:014d}"))
    edition = factory.SubFactory(EditionFactory)
    support_until = factory.Faker("date_between", start_date="+30d", end_date="+400d")
