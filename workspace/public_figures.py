"""Figures the vendor may publish on the home page (seed 002's company publishes its
average first response). Off unless PUBLIC_FIRST_RESPONSE_FIGURE is on; cached."""

from django.conf import settings
from django.core.cache import cache

from .report_series import average_first_response_seconds

CACHE_KEY = "reports:public:first-response-30d"
CACHE_SECONDS = 3600
DAYS = 30


def public_first_response():
    """{"hours", "minutes"} of the mean first response in business time over the last 30
    days, or None (switched off, or nothing answered yet). Computed at most once an hour."""
    if not settings.PUBLIC_FIRST_RESPONSE_FIGURE:
        return None
    cached = cache.get(CACHE_KEY)
    if cached is None:
        cached = {"seconds": average_first_response_seconds(DAYS)}
        cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    seconds = cached["seconds"]
    if seconds is None:
        return None
    minutes = round(seconds / 60)
    return {"hours": minutes // 60, "minutes": minutes % 60, "days": DAYS}
