"""Incidents: one outage, many tickets (issue 14)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.accounts.models import Organisation
from sla.models import Edition, Tariff
from tickets.models import Ticket

LANGUAGES = ("en", "ru", "pl")


class State(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    IDENTIFIED = "identified", _("Identified")
    MONITORING = "monitoring", _("Monitoring")
    RESOLVED = "resolved", _("Resolved")


# The states in which an incident is still going on: the one definition.
OPEN_STATES = (State.INVESTIGATING, State.IDENTIFIED, State.MONITORING)
# Forward or back among the open states (a fix that did not hold goes back to
# investigating); resolved is final: a relapse is a new incident, so the old one's
# resolution and its resolved tickets stay true.
TRANSITIONS = {
    State.INVESTIGATING: {State.IDENTIFIED, State.MONITORING, State.RESOLVED},
    State.IDENTIFIED: {State.INVESTIGATING, State.MONITORING, State.RESOLVED},
    State.MONITORING: {State.INVESTIGATING, State.IDENTIFIED, State.RESOLVED},
    State.RESOLVED: set(),
}


class PublicText(models.Model):
    """Text in the three languages of the portal; one field each (see README, Incidents)."""

    class Meta:
        abstract = True

    def text_in(self, prefix, language):
        """The text in ``language``, else the first written one (English, Russian, Polish)."""
        for code in (language, *LANGUAGES):
            value = getattr(self, f"{prefix}_{code}", "") if code in LANGUAGES else ""
            if value:
                return value
        return ""


class Incident(PublicText):
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True, default="")
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True, default="")
    title_pl = models.CharField(_("title (Polish)"), max_length=200, blank=True, default="")
    # The current public status text (the latest update's), shown on the ticket form and
    # the status page.
    status_text_en = models.TextField(_("public status (English)"), blank=True, default="")
    status_text_ru = models.TextField(_("public status (Russian)"), blank=True, default="")
    status_text_pl = models.TextField(_("public status (Polish)"), blank=True, default="")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.INVESTIGATING)
    # Who is affected: everyone, or the customers of these organisations, of organisations
    # holding a license of these editions (products), or subscribed to these tariffs
    # (services) through a license whose subscription runs today.
    affects_everyone = models.BooleanField(_("affects every customer"), default=False)
    organisations = models.ManyToManyField(Organisation, verbose_name=_("organisations"), blank=True, related_name="+")
    editions = models.ManyToManyField(Edition, verbose_name=_("products (editions)"), blank=True, related_name="+")
    tariffs = models.ManyToManyField(Tariff, verbose_name=_("services (tariffs)"), blank=True, related_name="+")
    # The resolution (seed 001): what was fixed and how it is prevented.
    resolution_summary = models.TextField(_("what was fixed"), blank=True, default="")
    prevention = models.TextField(_("how it is prevented"), blank=True, default="")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    tickets = models.ManyToManyField(Ticket, through="IncidentTicket", related_name="+")

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-declared_at"]
        indexes = [
            # Open incidents (the form's banner, the filing receiver) and recent ones (the status page).
            models.Index(fields=["declared_at"], name="incident_open_idx", condition=~Q(state="resolved")),
            models.Index(fields=["-resolved_at"], name="incident_resolved_idx"),
        ]

    def __str__(self):
        return self.title_in("en")

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    def title_in(self, language):
        return self.text_in("title", language)

    def status_text_in(self, language):
        return self.text_in("status_text", language)


class IncidentEvent(models.Model):
    """The incident's audit trail: every change is a row (what, old, new, actor, time)."""

    class Kind(models.TextChoices):
        DECLARED = "declared", _("declared")
        STATE = "state", _("state changed")
        UPDATE = "update", _("public update posted")
        LINKED = "linked", _("ticket linked")
        UNLINKED = "unlinked", _("ticket unlinked")
        KEEP_OPEN = "keep_open", _("ticket to stay open")
        SUBSCRIBED = "subscribed", _("customer subscribed")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events", db_index=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    old_value = models.CharField(max_length=200, blank=True, default="")
    new_value = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["incident", "created_at"], name="incident_event_idx")]


class IncidentUpdate(PublicText):
    """A public update: its text goes to the status page, every linked ticket's
    conversation and, once, every person concerned (``delivered_at`` when done)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates", db_index=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    body_en = models.TextField(_("update (English)"), blank=True, default="")
    body_ru = models.TextField(_("update (Russian)"), blank=True, default="")
    body_pl = models.TextField(_("update (Polish)"), blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    tickets_updated = models.PositiveIntegerField(default=0)
    people_emailed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["incident", "created_at"], name="incident_update_idx"),
            # The sweep for updates whose delivery task was lost (Redis down).
            models.Index(fields=["created_at"], name="incident_update_pending_idx", condition=Q(delivered_at=None)),
        ]

    @property
    def is_resolution(self):
        return self.state == State.RESOLVED

    def body_in(self, language):
        return self.text_in("body", language)


class IncidentTicket(models.Model):
    """A ticket linked to an incident (our own through table: the ticket model is untouched)."""

    class Source(models.TextChoices):
        ENGINEER = "engineer", _("linked by an engineer")
        BULK = "bulk", _("linked from the queue")
        SUGGESTION = "suggestion", _("suggested and accepted")
        CUSTOMER = "customer", _("filed by the customer from the banner")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links", db_index=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="incident_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.ENGINEER)
    # An engineer's "this one is not just the outage": the incident's resolution leaves it open.
    keep_open = models.BooleanField(_("stays open when the incident is resolved"), default=False)

    class Meta:
        ordering = ["linked_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["incident", "ticket"], name="incident_ticket_once")]


class IncidentSuggestion(models.Model):
    """A new ticket that reads like an open incident, proposed to the engineers."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="suggestions", db_index=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="incident_suggestions")
    score = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["incident", "ticket"], name="incident_suggestion_once")]


class IncidentSubscription(models.Model):
    """A customer asked to be told of updates ("notify me"), with or without a ticket.
    ``deflected``: they chose it on the ticket form instead of filing (a deflection)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="subscriptions", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    deflected = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "user"], name="incident_subscription_once")]
