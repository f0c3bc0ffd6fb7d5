"""What a person's profile may hold: an IANA time zone and one of the site's languages."""

import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_TIME_ZONE = "Europe/Moscow"


@lru_cache(maxsize=1)
def time_zone_names():
    """Every IANA zone this machine's tz database knows (``zoneinfo.available_timezones``)."""
    return frozenset(zoneinfo.available_timezones())


def time_zone_choices():
    """Region/City zones (and UTC) for a select, sorted by name."""
    return [("UTC", "UTC"), *sorted((name, name) for name in time_zone_names() if "/" in name)]


def validate_time_zone(value):
    if value not in time_zone_names():
        raise ValidationError(_("“%(value)s” is not a time zone. Choose one from the list."), params={"value": value})


def validate_language(value):
    if value and value not in dict(settings.LANGUAGES):
        raise ValidationError(_("“%(value)s” is not one of the site’s languages."), params={"value": value})
