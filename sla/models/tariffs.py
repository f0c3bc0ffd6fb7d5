"""Tariffs (SLA tiers): channels, targets, per-urgency overrides and prices."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .calendars import BusinessCalendar


class Urgency(models.TextChoices):
    """Urgencies, the one definition: a ticket's urgency and the tariff's per-urgency overrides."""

    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical: work has stopped")


class Channel(models.TextChoices):
    """Ways a request reaches support, the one definition: a ticket's channel and what a
    tariff sells (``Tariff.allows``)."""

    WEB = "web", _("Web form")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    API = "api", _("API")


class RequestKind(models.TextChoices):
    """Request types (seed 004), the one definition: a ticket's type, and what points rules
    (billing) price by."""

    QUESTION = "question", _("Question about the system")
    ERROR = "error", _("System error")
    SUGGESTION = "suggestion", _("Suggestion")


class TargetKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    COMMITMENT = "commitment", _("Planned date or justified refusal")
    RESOLUTION = "resolution", _("Resolution")


class Tariff(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("what it promises, for customers"), blank=True, default="")
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=0, help_text=_("When several tariffs apply, the highest rank wins.")
    )
    is_default = models.BooleanField(
        _("default tariff"), default=False, help_text=_("Applies to every organisation without a better one.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    allows_web = models.BooleanField(_("web form"), default=True)
    allows_email = models.BooleanField(_("email"), default=True)
    allows_phone = models.BooleanField(_("phone with an engineer"), default=False)
    phone_number = models.CharField(_("phone number to call"), max_length=40, blank=True, default="")
    calendar = models.ForeignKey(BusinessCalendar, verbose_name=_("business hours"), on_delete=models.PROTECT, related_name="+")
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (business minutes)"), validators=[MinValueValidator(1)]
    )
    commitment_minutes = models.PositiveIntegerField(
        _("planned date or refusal within (business minutes)"), null=True, blank=True, default=120
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (business minutes)"), null=True, blank=True,
        help_text=_("Leave empty if the tariff promises no resolution time."),
    )
    # Incidents (issue 14): an incident's public update posted into a linked ticket's
    # conversation meets its first-response target when this is on (read at the update).
    incident_update_is_first_response = models.BooleanField(
        _("an incident update counts as the first response"), default=False,
        help_text=_("When on, the first public update of an incident a ticket is linked to is that ticket's first "
                    "response; when off, an engineer still owes the ticket its own first reply."),
    )
    warn_at_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("warn at (% of the target used)"), default=75, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["-rank", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_tariff"),
        ]

    def __str__(self):
        return self.name

    def targets_for(self, urgency):
        """{kind: (minutes, calendar)} for an urgency, overrides applied."""
        rule = next((r for r in self.urgency_rules.all() if r.urgency == urgency), None)
        calendar = rule.calendar if rule and rule.calendar_id else self.calendar
        result = {}
        for kind, field in (
            (TargetKind.FIRST_RESPONSE, "first_response_minutes"),
            (TargetKind.COMMITMENT, "commitment_minutes"),
            (TargetKind.RESOLUTION, "resolution_minutes"),
        ):
            minutes = getattr(rule, field) if rule and getattr(rule, field) else getattr(self, field)
            if minutes:
                result[kind.value] = minutes
        return result, calendar

    def allows(self, channel):
        """Whether the tariff sells this channel; the API is the web form's programmatic twin."""
        return {
            Channel.WEB: self.allows_web, Channel.API: self.allows_web,
            Channel.EMAIL: self.allows_email, Channel.PHONE: self.allows_phone,
        }[Channel(channel)]

    @property
    def channels(self):
        return [label for allowed, label in (
            (self.allows_web, _("web form")), (self.allows_email, _("email")), (self.allows_phone, _("phone")),
        ) if allowed]


class TariffUrgencyRule(models.Model):
    """Per-urgency override: e.g. a critical ticket on a 24x7 clock with a 1-hour target."""

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="urgency_rules")
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices)
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("business hours"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_response_minutes = models.PositiveIntegerField(_("first response (min)"), null=True, blank=True)
    commitment_minutes = models.PositiveIntegerField(_("planned date (min)"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution (min)"), null=True, blank=True)

    class Meta:
        verbose_name = _("urgency override")
        verbose_name_plural = _("urgency overrides")
        constraints = [models.UniqueConstraint(fields=["tariff", "urgency"], name="one_rule_per_urgency")]

    def __str__(self):
        return f"{self.tariff} · {self.get_urgency_display()}"


class TariffPrice(models.Model):
    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="prices")
    months = models.PositiveSmallIntegerField(_("period (months)"), validators=[MinValueValidator(1)])
    amount = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["tariff", "currency", "months"]
        constraints = [models.UniqueConstraint(fields=["tariff", "months", "currency"], name="one_price_per_period")]

    def __str__(self):
        return f"{self.tariff}: {self.months} mo = {self.amount} {self.currency}"
