"""The outbox: every email the portal sends is first a row here.

The row is written in the same transaction as the change that caused it, so an email is
never lost (Redis down, worker killed) and never sent twice (state is checked and the
Message-ID is stable per row).
"""

import uuid

from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (gave up)")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    to = models.EmailField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("plain text"))
    body_html = models.TextField(_("HTML"), blank=True, default="")
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    # An email queued to be rendered by the worker (services.email_enqueue_deferred):
    # {"template", "builder", "params", "language"}; subject and bodies are empty until the
    # worker renders them, once, just before the first delivery attempt. NULL otherwise.
    deferred = models.JSONField(_("rendered by the worker from"), null=True, blank=True, editable=False)
    # What caused it, for admins tracing a notification ("ticket:10042").
    topic = models.CharField(_("topic"), max_length=120, blank=True, default="")
    # Account or notification email, for the per-recipient caps (services.email_allowed).
    kind = models.CharField(_("kind"), max_length=20, default="notification")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at"]
        indexes = [
            # The retry sweep: only unsent rows are indexed, so it stays small.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due_idx",
                condition=models.Q(state__in=["pending", "sending"]),
            ),
            models.Index(fields=["topic"], name="outbox_topic_idx"),
            # The per-recipient cap counts one address's emails of the last hour.
            models.Index(Upper("to"), "kind", "created_at", name="outbox_recipient_cap_idx"),
        ]

    def __str__(self):
        return f"{self.to}: {self.subject}"

    @property
    def message_id(self):
        return f"<{self.uid}@helpdesk>"
