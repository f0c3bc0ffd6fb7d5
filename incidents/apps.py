from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    """One problem, many tickets: declared incidents, their linked tickets, public updates.

    Between ``workspace`` and ``tickets``: it uses the ticket services; ``tickets`` reaches
    it only through the ``ticket_filed`` signal and the ticket-form hook registered here.
    """

    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from tickets.hooks import ticket_form_hook_register
        from tickets.signals import ticket_filed

        from .hooks import IncidentBanner
        from .receivers import on_ticket_filed

        ticket_filed.connect(on_ticket_filed, dispatch_uid="incidents.on_ticket_filed")
        ticket_form_hook_register(IncidentBanner())
