"""SLA clocks of a ticket (the arithmetic is in tickets.sla_clock and sla.businesstime)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sla.models import TargetKind

from .ticket import Ticket


class SlaTarget(models.Model):
    """One SLA clock of a ticket: first response, planned-date commitment or resolution.

    ``due_at`` is NULL while the ticket waits for the customer (the clock is paused).
    ``warned_at`` and ``breached_at`` are set once, by a conditional UPDATE, so a warning
    or breach is recorded exactly once even when two sweeps run at the same time.
    """

    # No index of its own: the unique (ticket, kind) constraint's index starts with it.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_targets", db_index=False)
    kind = models.CharField(_("target"), max_length=16, choices=TargetKind.choices)
    minutes = models.PositiveIntegerField(_("business minutes"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    # The ticket was merged into another one (tickets.relations.ticket_merge): the clock
    # stopped at that time (``met_at`` is set with it, so sweeps and indexes skip it) and
    # its outcome is "merged", counted neither as met nor as missed.
    merged_at = models.DateTimeField(_("closed by a merge"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [models.UniqueConstraint(fields=["ticket", "kind"], name="one_target_per_kind")]
        indexes = [
            # The sweeps touch only running clocks: partial indexes stay small.
            models.Index(
                fields=["warn_at"], name="sla_warn_due_idx",
                condition=models.Q(met_at__isnull=True, warned_at__isnull=True, warn_at__isnull=False),
            ),
            models.Index(
                fields=["due_at"], name="sla_breach_due_idx",
                condition=models.Q(met_at__isnull=True, breached_at__isnull=True, due_at__isnull=False),
            ),
        ]

    class Outcome(models.TextChoices):
        MET = "met", _("met in time")
        MET_LATE = "met_late", _("met late (breached)")
        BREACHED = "breached", _("breached, still open")
        RUNNING = "running", _("running")
        PAUSED = "paused", _("paused")
        MERGED = "merged", _("closed by a merge")

    @property
    def is_running(self):
        return self.met_at is None and self.due_at is not None

    @property
    def outcome(self):
        """Read from the stored columns only: a late answer has ``breached_at`` set at
        meet time (``tickets.sla_clock.target_meet``), so nothing is recomputed here."""
        if self.merged_at is not None:
            # A deadline missed before the merge stays a breach: the customer did wait.
            return self.Outcome.BREACHED if self.breached_at is not None else self.Outcome.MERGED
        if self.met_at is not None:
            return self.Outcome.MET_LATE if self.breached_at is not None else self.Outcome.MET
        if self.breached_at is not None:
            return self.Outcome.BREACHED
        return self.Outcome.RUNNING if self.due_at is not None else self.Outcome.PAUSED
