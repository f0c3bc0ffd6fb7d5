"""The conversation of a ticket: messages, attachments and the event log (the audit trail)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sla.models import TargetKind

from .ticket import Channel, Status, Ticket, Urgency

FIELD_LABELS = {
    "status": _("status"),
    "urgency": _("urgency"),
    "root_cause": _("root cause"),
    "effort_minutes": _("estimated effort (minutes)"),
    "level": _("support level"),
    "assignee": _("assignee"),
    "planned_at": _("planned completion"),
}


class Message(models.Model):
    """One entry of the conversation: a public reply or an internal note."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public reply")
        INTERNAL = "internal", _("Internal note")

    # No index of its own: the (ticket, created_at) index below starts with it.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    body = models.TextField(_("text"))
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_idx")]

    @property
    def is_internal(self):
        return self.visibility == self.Visibility.INTERNAL

    @property
    def by_staff(self):
        return self.author is not None and self.author.role == "engineer"


def attachment_path(instance, filename):
    # Server-made name: the customer's file name is kept only as data, never as a path.
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    # No index of its own: the (ticket, created_at) index below starts with it.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments", db_index=False)
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="attachment_ticket_idx")]

    def __str__(self):
        return self.original_name

    @property
    def is_inline_image(self):
        """Shown as a thumbnail and in the page's viewer (the safe image types only)."""
        from ..attachments import INLINE_TYPES

        return self.content_type in INLINE_TYPES


class Event(models.Model):
    """The audit trail: every change to a ticket is a row (old, new, actor, time)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        STATUS = "status", _("status changed")
        ASSIGNED = "assigned", _("assigned")
        REPLIED = "replied", _("replied")
        NOTE = "note", _("internal note added")
        ATTACHED = "attached", _("files attached")
        FIELD = "field", _("field changed")
        SLA_WARNING = "sla_warning", _("SLA deadline near")
        SLA_BREACH = "sla_breach", _("SLA deadline missed")
        ESCALATED = "escalated", _("escalated")
        CALLBACK = "callback", _("callback requested")
        TRIAGED = "triaged", _("triaged")
        COMMITTED = "committed", _("completion date committed")
        REFUSED = "refused", _("refused with a reason")
        CALL = "call", _("phone call logged")
        MERGED = "merged", _("merged")
        SPLIT = "split", _("split")
        LINKED = "linked", _("linked")
        UNLINKED = "unlinked", _("unlinked")

    # No index of its own: the (ticket, created_at) index below starts with it.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    field = models.CharField(max_length=40, blank=True, default="")
    old_value = models.CharField(max_length=200, blank=True, default="")
    new_value = models.CharField(max_length=200, blank=True, default="")
    # Internal events (notes) are never shown to customers.
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_idx"),
            models.Index(fields=["kind", "created_at"], name="event_kind_created_idx"),
        ]

    def _label(self, value):
        """Stored codes ('high', 'first_response') shown as the reader's words."""
        choices = {"status": Status, "urgency": Urgency}.get(self.field)
        if choices is not None and value in choices.values:
            return choices(value).label
        return value

    @property
    def field_display(self):
        """The changed field, or the SLA target of a warning or breach, in words."""
        if self.kind in (self.Kind.SLA_WARNING, self.Kind.SLA_BREACH) and self.field in TargetKind.values:
            return TargetKind(self.field).label
        return FIELD_LABELS.get(self.field, self.field)

    @property
    def link_display(self):
        """How a link or unlink event's link read on this ticket ("causes", …)."""
        from .links import TicketLink

        return TicketLink.Wording(self.field).label if self.field in TicketLink.Wording.values else self.field

    @property
    def old_display(self):
        return self._label(self.old_value)

    @property
    def new_display(self):
        return self._label(self.new_value)
