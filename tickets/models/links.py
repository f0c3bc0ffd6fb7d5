"""Links between tickets: "related", and "causes / caused by" (tickets.relations)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .ticket import Ticket


class TicketLink(models.Model):
    """One row per pair of tickets, read from both sides: ``source`` *causes* ``target``
    (which is therefore *caused by* ``source``), or the two are *related* (symmetric)."""

    class Kind(models.TextChoices):
        RELATED = "related", _("related to")
        CAUSES = "causes", _("causes")

    # How a link reads from each side: the wording codes the pages and the API show.
    class Wording(models.TextChoices):
        RELATED = "related", _("related to")
        CAUSES = "causes", _("causes")
        CAUSED_BY = "caused_by", _("caused by")

    # Each side has its own index (a page reads the links of one ticket, from both sides).
    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.RELATED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        constraints = [
            # One link per pair whichever way it was made (A–B and B–A are the same pair).
            models.UniqueConstraint(Least("source", "target"), Greatest("source", "target"), name="one_link_per_pair"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="link_not_to_itself"),
        ]

    def wording_for(self, ticket_id):
        """How the link reads on the page of ``ticket_id`` (one of its two tickets)."""
        if self.kind == self.Kind.RELATED:
            return self.Wording.RELATED
        return self.Wording.CAUSES if ticket_id == self.source_id else self.Wording.CAUSED_BY

    def other(self, ticket_id):
        return self.target if ticket_id == self.source_id else self.source


class TicketWatcher(models.Model):
    """Someone besides the requester who hears of the ticket's progress (what support tells
    the customer): today, the requesters of tickets merged into it (tickets.relations)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="watchers", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watched_tickets")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("watcher")
        verbose_name_plural = _("watchers")
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="one_watch_per_person")]
