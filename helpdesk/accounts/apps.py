from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "helpdesk.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .consent import remember_at_login
        from .two_factor import remember_when_not_needed

        user_logged_in.connect(remember_when_not_needed, dispatch_uid="accounts.two_factor")
        user_logged_in.connect(remember_at_login, dispatch_uid="accounts.consent")
