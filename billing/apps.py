from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    """Selling support: orders of support periods and packs, invoices, the points wallet."""

    name = "billing"
    verbose_name = _("Orders and points")
