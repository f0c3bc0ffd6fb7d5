"""Channels a tariff sells (web form and API, email, phone), enforced at every entrance.

``channel_check`` is the one check: ticket filing (web form, API, inbound email), the
phone log and callback requests call it. A refusal says, in the reader's language,
which channel the plan lacks, which ones it has, and where to upgrade.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import Channel

REFUSALS = {
    Channel.WEB: _("Your support plan “%(tariff)s” does not include requests through the web form or the API."),
    Channel.API: _("Your support plan “%(tariff)s” does not include requests through the web form or the API."),
    Channel.EMAIL: _("Your support plan “%(tariff)s” does not include requests by email."),
    Channel.PHONE: _("Your support plan “%(tariff)s” does not include phone support."),
}
UPGRADE = _("You can reach us through: %(channels)s. Plans that include more are listed at %(url)s")
NO_CHANNEL = _("Plans that include it are listed at %(url)s")


class ChannelNotAllowed(PermissionDenied):
    """A request arrived through a channel the organisation's tariff does not sell.

    ``str()`` renders in the active language, so a caller answering by email renders it
    inside ``translation.override(<the customer's language>)``."""

    def __init__(self, tariff, channel):
        self.tariff, self.channel = tariff, Channel(channel)
        super().__init__(self.message)

    @property
    def message(self):
        url = settings.SITE_URL + reverse("sla:plans")
        refusal = REFUSALS[self.channel] % {"tariff": self.tariff.name}
        channels = ", ".join(str(c) for c in self.tariff.channels)
        way = UPGRADE % {"channels": channels, "url": url} if channels else NO_CHANNEL % {"url": url}
        return str(format_lazy("{} {}", refusal, way))

    def __str__(self):
        return self.message


def channel_check(tariff, channel):
    """Raise ChannelNotAllowed unless the tariff sells the channel (no tariff: no limits)."""
    if tariff is not None and not tariff.allows(channel):
        raise ChannelNotAllowed(tariff, channel)
