"""The ticket and its vocabularies (status, type, urgency, channel, level)."""

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.accounts.models import Organisation, SupportLevel
from sla.models import Channel, License, RequestKind, Tariff, TariffRevision, Urgency

REFERENCE_PREFIX = "HD"
TICKET_NUMBER_SEQUENCE = "tickets_ticket_number_seq"


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# A ticket's type is the request type tariffs and points rules know (one definition, in sla).
Kind = RequestKind


# Support levels and urgencies are defined once, in the lower apps, and re-exported here.
Level = SupportLevel

# The statuses in which a ticket is still being worked on: the one definition.
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING)


class TicketManager(models.Manager):
    """Tickets without their search document: pages never need it, and an instance that
    never read it never writes it back."""

    def get_queryset(self):
        return super().get_queryset().defer("search")


class Ticket(models.Model):
    # Drawn from a PostgreSQL sequence (see services.next_ticket_number): unique under
    # concurrency and never reused, even when the transaction that drew it rolls back.
    # The INSERT draws it (a column default), so filing costs no separate query.
    number = models.BigIntegerField(
        _("number"), unique=True, editable=False,
        db_default=models.Func(models.Value(TICKET_NUMBER_SEQUENCE), function="nextval", output_field=models.BigIntegerField()),
    )
    # Foreign keys below without db_index: a composite index in Meta starts with them.
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        db_index=False,
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
    # The SLA urgency: the tariff's default (normal) until an engineer sets it at triage;
    # the customer's declared urgency above never sets a clock (seed 001, seed 003).
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
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
        db_index=False,
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    # SLA: the tariff applied at filing, and the immutable revision of its targets and
    # calendars the clocks run on, so later tariff edits never move this ticket's
    # deadlines unless an admin asks.
    tariff = models.ForeignKey(
        Tariff, verbose_name=_("tariff"), on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
        db_index=False,
    )
    # Most tickets name no license and have no root cause yet: partial indexes in Meta.
    license = models.ForeignKey(
        License, verbose_name=_("license"), on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets",
        db_index=False,
    )
    # No index: revisions are immutable and never deleted (nothing looks tickets up by one).
    tariff_revision = models.ForeignKey(
        TariffRevision, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+",
        db_index=False,
    )
    # Triage (seed 001): the engineers' view of the problem and the plan.
    root_cause = models.ForeignKey(
        "tickets.RootCause", verbose_name=_("root cause"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False,
    )
    effort_minutes = models.PositiveIntegerField(_("estimated effort (minutes)"), null=True, blank=True)
    planned_at = models.DateTimeField(_("planned completion"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True, default="")
    # Resolution (seed 001): what was fixed and how to prevent it; both go to the customer.
    resolution_summary = models.TextField(_("what was fixed"), blank=True, default="")
    prevention = models.TextField(_("how to prevent it"), blank=True, default="")
    # Knowledge-base articles written from this ticket's resolution (workspace's
    # ticket_article_draft); article.source_tickets is the other direction.
    knowledge_articles = models.ManyToManyField(
        "knowledgebase.Article", verbose_name=_("articles written from it"), blank=True, related_name="source_tickets"
    )
    # Business time from filing to the first public reply, stored once for reports.
    first_response_business_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # The nearest unmet deadline (NULL when none runs, e.g. while waiting for the customer).
    next_due_at = models.DateTimeField(_("next deadline"), null=True, blank=True, db_index=True)
    # Unguessable per-ticket secret (reply-address token for the email channel).
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last activity"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Set by filing and by each public message of the customer (its time), cleared by an
    # engineer's public reply: the queue's "needs reply" view and "customer replied" marker.
    awaiting_reply_since = models.DateTimeField(_("awaiting a reply since"), null=True, blank=True)
    # Set once, by tickets.relations.ticket_merge: this ticket is a closed duplicate whose
    # conversation now lives on that one (its reference and reply address lead there).
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), on_delete=models.PROTECT, null=True, blank=True,
        editable=False, related_name="merged_tickets",
    )
    # The search document (tickets/search.py): subject A, description B, public replies C,
    # internal notes D, analysed in Python; written only by tickets.search, never by save().
    search = SearchVectorField(editable=False, default="", db_default=models.Value("", output_field=SearchVectorField()))

    objects = TicketManager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at"]
        # Every index is written on every insert and every non-HOT update, and weighs on
        # each ticket: one per list or scan that needs it, none that another one's prefix
        # or a small per-organisation set already serves (README, "Weight of a ticket").
        indexes = [
            # Customer portal list: one organisation, newest first. A status or the queue's
            # organisation filter reads the same index: one organisation's tickets are few.
            models.Index(fields=["organisation", "-created_at"], name="ticket_org_created_idx"),
            # Engineer queue: by status, newest or oldest first (a type filter reads along).
            models.Index(fields=["status", "-created_at"], name="ticket_status_created_idx"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_idx"),
            models.Index(fields=["-created_at"], name="ticket_created_idx"),
            # The search document (tickets/search.py): subject, description, replies, notes.
            GinIndex(fields=["search"], name="ticket_search_gin"),
            # Engineer queue sorted by nearest deadline within a status (only running
            # tickets have one: the per-column ones index the open statuses only).
            models.Index(fields=["status", "next_due_at"], name="ticket_status_due_idx"),
            models.Index(fields=["level", "status", "next_due_at"], name="ticket_level_due_idx"),
            models.Index(fields=["assignee", "status", "next_due_at"], name="ticket_assignee_due_idx"),
            models.Index(fields=["tariff", "status", "next_due_at"], name="ticket_tariff_open_due_idx",
                         condition=models.Q(status__in=OPEN_STATUSES)),
            models.Index(fields=["urgency", "status", "next_due_at"], name="ticket_urgency_open_due_idx",
                         condition=models.Q(status__in=OPEN_STATUSES)),
            models.Index(fields=["license"], name="ticket_license_idx", condition=models.Q(license__isnull=False)),
            models.Index(fields=["root_cause"], name="ticket_root_cause_idx", condition=models.Q(root_cause__isnull=False)),
            # "Needs reply": open tickets the customer is waiting on, nearest deadline first.
            models.Index(
                fields=["status", "next_due_at"], name="ticket_awaiting_due_idx",
                condition=models.Q(awaiting_reply_since__isnull=False),
            ),
            # The reports' engineer load: open tickets per assignee with their committed
            # effort, read from the index alone (workspace.reports.engineer_load).
            models.Index(
                fields=["assignee"], include=["effort_minutes", "planned_at", "status"], name="ticket_open_load_idx",
                condition=models.Q(status__in=OPEN_STATUSES, assignee__isnull=False),
            ),
            # Declared emergencies awaiting triage: the top of the engineers' queue, on every
            # page. Open ones only: a closed ticket once declared critical and never triaged
            # would otherwise stay in it for ever (and the oldest-first scan walks them all).
            models.Index(
                fields=["created_at"], name="ticket_open_emergency_idx",
                condition=models.Q(customer_urgency="critical", triaged_at__isnull=True, status__in=OPEN_STATUSES),
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    def save(self, *args, **kwargs):
        """The search document is kept by ``tickets.search`` (one UPDATE per message); a
        save of a ticket read earlier must not write back a stale copy of it."""
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.attname for f in self._meta.concrete_fields
                if not f.primary_key and f.attname != "search" and f.attname not in deferred
            ]
        return super().save(*args, **kwargs)

    # Labels straight from the choices enums: Django's generated get_FOO_display rebuilds a
    # dict of the choices on every call, and the queue shows three of them per row.
    def get_status_display(self):
        return _choice_label(Status, self.status)

    def get_kind_display(self):
        return _choice_label(Kind, self.kind)

    def get_urgency_display(self):
        return _choice_label(Urgency, self.urgency)

    @property
    def reference(self):
        return format_reference(self.number)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def is_declared_emergency(self):
        """The customer said work has stopped and no engineer has triaged it yet."""
        return self.customer_urgency == Urgency.CRITICAL and self.triaged_at is None


def _choice_label(choices, value):
    return choices(value).label if value in choices.values else value


def format_reference(number):
    return f"{REFERENCE_PREFIX}-{number}"


def parse_reference(text):
    """'HD-10042', 'hd 10042', '#10042' or '10042' → 10042; anything else → None."""
    cleaned = text.strip().upper().lstrip("#")
    if cleaned.startswith(REFERENCE_PREFIX):
        cleaned = cleaned[len(REFERENCE_PREFIX):].lstrip(" -")
    return int(cleaned) if cleaned.isdigit() and len(cleaned) < 18 else None
