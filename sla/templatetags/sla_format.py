from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def duration_text(delta):
    """'3 h 12 min', '2 d 4 h' or '45 min' for a duration (its absolute value)."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours and mins:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
    if hours:
        return _("%(h)d h") % {"h": hours}
    return _("%(m)d min") % {"m": mins}


def hours_text(delta):
    """'5 h', '8 h 30 min' or '45 min': business time is counted in hours, never in days
    (a business day is the calendar's, not 24 h)."""
    hours, mins = divmod(int(abs(delta).total_seconds() // 60), 60)
    if hours and mins:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
    if hours:
        return _("%(h)d h") % {"h": hours}
    return _("%(m)d min") % {"m": mins}


@register.filter
def minutes_text(minutes):
    return duration_text(timedelta(minutes=int(minutes or 0)))


@register.filter
def with_zone(value, zone_name=""):
    """A deadline in the reader's zone with the zone named: '5 Dec 2026, 17:00 (Europe/Warsaw)'.
    Without ``zone_name``, the active time zone (the viewer's)."""
    from django.utils import timezone

    from sla.promise import deadline_text

    if not value:
        return ""
    return deadline_text(value, zone_name or timezone.get_current_timezone_name())
