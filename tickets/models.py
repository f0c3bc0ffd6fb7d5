"""Tickets, their conversation, attachments and the event log (the audit trail)."""

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.accounts.models import Organisation
from sla.models import License, Tariff, TargetKind

REFERENCE_PREFIX = "HD"


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Kind(models.TextChoices):
    QUESTION = "question", _("Question about the system")
    ERROR = "error", _("System error")
    SUGGESTION = "suggestion", _("Suggestion")


class Urgency(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical: work has stopped")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    API = "api", _("API")


class Level(models.TextChoices):
    L1 = "L1", "L1"
    L2 = "L2", "L2"
    L3 = "L3", "L3"


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING)


class Ticket(models.Model):
    # Drawn from a PostgreSQL sequence (see services.next_ticket_number): unique under
    # concurrency and never reused, even when the transaction that drew it rolls back.
    number = models.BigIntegerField(_("number"), unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="tickets"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.QUESTION)
    is_integration = models.BooleanField(_("integration / template import"), default=False)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("description"))
    reproduced_at = models.DateTimeField(_("problem reproduced at"), null=True, blank=True)
    browser = models.CharField(_("browser and version"), max_length=120, blank=True, default="")
    customer_urgency = models.CharField(
        _("urgency (customer's view)"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    suspected_cause = models.TextField(_("suspected cause"), blank=True, default="")
    # Set by the engineer at triage; the customer's view above is kept as they said it.
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    level = models.CharField(_("support level"), max_length=2, choices=Level.choices, default=Level.L1)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    # SLA: the tariff applied at filing, and a frozen copy of its targets and calendars,
    # so later tariff edits never move this ticket's deadlines unless an admin asks.
    tariff = models.ForeignKey(
        Tariff, verbose_name=_("tariff"), on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    license = models.ForeignKey(
        License, verbose_name=_("license"), on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    sla_snapshot = models.JSONField(default=dict, blank=True, editable=False)
    # The nearest unmet deadline (NULL when none runs, e.g. while waiting for the customer).
    next_due_at = models.DateTimeField(_("next deadline"), null=True, blank=True, db_index=True)
    # Unguessable per-ticket secret (reply-address token for the email channel).
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last activity"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    search = models.GeneratedField(
        expression=SearchVector("subject", "body", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at"]
        indexes = [
            # Customer portal list: one organisation, newest first (optionally by status).
            models.Index(fields=["organisation", "-created_at"], name="ticket_org_created_idx"),
            models.Index(fields=["organisation", "status", "-created_at"], name="ticket_org_status_idx"),
            # Engineer queue: by status (and type), newest or oldest first.
            models.Index(fields=["status", "-created_at"], name="ticket_status_created_idx"),
            models.Index(fields=["status", "kind", "-created_at"], name="ticket_status_kind_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status_idx"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_idx"),
            models.Index(fields=["-created_at"], name="ticket_created_idx"),
            GinIndex(fields=["search"], name="ticket_search_gin"),
            # Engineer queue sorted by nearest deadline within a status.
            models.Index(fields=["status", "next_due_at"], name="ticket_status_due_idx"),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    @property
    def reference(self):
        return format_reference(self.number)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


def format_reference(number):
    return f"{REFERENCE_PREFIX}-{number}"


def parse_reference(text):
    """'HD-10042', 'hd 10042', '#10042' or '10042' → 10042; anything else → None."""
    cleaned = text.strip().upper().lstrip("#")
    if cleaned.startswith(REFERENCE_PREFIX):
        cleaned = cleaned[len(REFERENCE_PREFIX):].lstrip(" -")
    return int(cleaned) if cleaned.isdigit() and len(cleaned) < 18 else None


class Message(models.Model):
    """One entry of the conversation: a public reply or an internal note."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public reply")
        INTERNAL = "internal", _("Internal note")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
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
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
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

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
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
        if self.field == "status" and value in Status.values:
            return Status(value).label
        return value

    @property
    def old_display(self):
        return self._label(self.old_value)

    @property
    def new_display(self):
        return self._label(self.new_value)


class SlaTarget(models.Model):
    """One SLA clock of a ticket: first response, planned-date commitment or resolution.

    ``due_at`` is NULL while the ticket waits for the customer (the clock is paused).
    ``warned_at`` and ``breached_at`` are set once, by a conditional UPDATE, so a warning
    or breach is recorded exactly once even when two sweeps run at the same time.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_targets")
    kind = models.CharField(_("target"), max_length=16, choices=TargetKind.choices)
    minutes = models.PositiveIntegerField(_("business minutes"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)

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

    @property
    def is_running(self):
        return self.met_at is None and self.due_at is not None


class CallbackRequest(models.Model):
    """A customer on a tariff with phone support asks an engineer to call about a ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callback_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("phone number"), max_length=40)
    preferred_time = models.CharField(_("when to call"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("callback request")
        verbose_name_plural = _("callback requests")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"], name="callback_open_idx", condition=models.Q(handled_at__isnull=True)),
            models.Index(fields=["ticket", "created_at"], name="callback_ticket_idx"),
        ]
