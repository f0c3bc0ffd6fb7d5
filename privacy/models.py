"""Requests under the personal-data agreement (GDPR/RODO art. 15, 17, 20; 152-FZ)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DataExport(models.Model):
    """A ZIP of everything the portal keeps about a person, built by a worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    file = models.CharField(max_length=200, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    finished_at = models.DateTimeField(_("ready"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data export")
        verbose_name_plural = _("personal data exports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="export_user_idx")]


class ErasureRequest(models.Model):
    """A person asks to be erased; an admin approves (or rejects with a reason)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved, being erased")
        DONE = "done", _("Erased")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure_requests")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    reason = models.TextField(_("the person's words"), blank=True, default="")
    requested_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True, default="")
    done_at = models.DateTimeField(_("erased"), null=True, blank=True)
    columns_changed = models.PositiveIntegerField(_("values replaced"), default=0)

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status__in=["requested", "approved"]), name="one_open_erasure_per_user"
            )
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_status_display()}"
