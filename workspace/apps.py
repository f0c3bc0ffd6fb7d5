from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The engineer's workspace: queue, triage, planning, escalation, phone, reports.

    Above ``tickets``: it uses the ticket services and models; its own tables are per-engineer
    (when each ticket was last seen, saved queue views).
    """

    name = "workspace"
    verbose_name = _("Engineer workspace")
