from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal-data rights: a copy of one's data, and erasure an admin approves."""

    name = "privacy"
    verbose_name = _("Personal data")
