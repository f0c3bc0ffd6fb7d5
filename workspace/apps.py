from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The engineer's workspace: queue, triage, planning, escalation, phone, reports.

    Above ``tickets``: it uses the ticket services and models and owns no tables of its own.
    """

    name = "workspace"
    verbose_name = _("Engineer workspace")
