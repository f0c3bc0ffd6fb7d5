"""The one wording of what support promises a customer, with the time zone named.

The confirmation email, the portal (new-request page, ticket page) and the API all call
``promise_sentences``; a deadline is never shown without its zone.
"""

import zoneinfo

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import TargetKind

SENTENCES = {
    TargetKind.FIRST_RESPONSE: lambda at: _("We will answer by %(at)s") % {"at": at},
    TargetKind.COMMITMENT: lambda at: _(
        "By %(at)s we tell you the date the work will be done, or why we cannot do it."
    ) % {"at": at},
    TargetKind.RESOLUTION: lambda at: _("We aim to resolve it by %(at)s") % {"at": at},
}


def zone_or_default(name):
    """A valid IANA zone name, else ``DEFAULT_USER_TIME_ZONE``."""
    try:
        zoneinfo.ZoneInfo(name or "")
        return name
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return settings.DEFAULT_USER_TIME_ZONE


def deadline_text(at, zone_name):
    """'5 December 2026, 17:00 (Europe/Warsaw)': the instant in the reader's zone, named."""
    zone_name = zone_or_default(zone_name)
    local = timezone.localtime(at, zoneinfo.ZoneInfo(zone_name))
    return _("%(datetime)s (%(zone)s)") % {"datetime": formats.date_format(local, "DATETIME_FORMAT"), "zone": zone_name}


def promise_sentences(dues, zone_name):
    """{target kind: sentence} for the running deadlines in ``dues`` ({kind: instant}),
    in the order first response, commitment, resolution, in the active language."""
    return {
        kind.value: SENTENCES[kind](deadline_text(dues[kind.value], zone_name))
        for kind in TargetKind
        if dues.get(kind.value) is not None
    }
