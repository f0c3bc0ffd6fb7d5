"""Editions, licenses and the subscriptions that entitle a license to a tariff."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helpdesk.accounts.models import Organisation
from sla.serials import validate_serial

from .tariffs import Tariff


class Edition(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("product edition")
        verbose_name_plural = _("product editions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class License(models.Model):
    serial = models.CharField(_("serial number"), max_length=23, unique=True)
    edition = models.ForeignKey(Edition, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="licenses")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="licenses"
    )
    support_until = models.DateField(
        _("support and updates until"), help_text=_("After this date the license gets no support.")
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("license")
        verbose_name_plural = _("licenses")
        ordering = ["serial"]
        indexes = [models.Index(fields=["organisation", "support_until"], name="license_org_support_idx")]

    def __str__(self):
        return f"{self.serial} ({self.edition})"

    def clean(self):
        if self.serial:
            self.serial = validate_serial(self.serial)


class Subscription(models.Model):
    """A license's entitlement to a tariff for a period: bought, granted or a trial."""

    class Source(models.TextChoices):
        BOUGHT = "bought", _("Bought")
        PARTNER = "partner", _("Free for partner level")
        TRIAL = "trial", _("Free trial")
        GRANTED = "granted", _("Granted by an admin")

    license = models.ForeignKey(License, verbose_name=_("license"), on_delete=models.CASCADE, related_name="subscriptions")
    tariff = models.ForeignKey(Tariff, verbose_name=_("tariff"), on_delete=models.PROTECT, related_name="subscriptions")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (inclusive)"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.BOUGHT)
    rule = models.ForeignKey(
        "EntitlementRule", verbose_name=_("rule"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-ends_on"]
        indexes = [models.Index(fields=["license", "ends_on"], name="subscription_active_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="subscription_period_valid"),
            # A trial is granted once per license and rule.
            models.UniqueConstraint(
                fields=["license", "rule"], condition=Q(source="trial"), name="one_trial_per_license_rule"
            ),
        ]

    def __str__(self):
        return f"{self.license.serial} → {self.tariff} {self.starts_on}…{self.ends_on}"


class EntitlementRule(models.Model):
    """Configurable free entitlements (seed 000): partner levels get a tariff free;
    owners of an edition get a trial of a tariff for some months."""

    class Kind(models.TextChoices):
        PARTNER_LEVEL = "partner_level", _("Free for a partner level")
        EDITION_TRIAL = "edition_trial", _("Trial for owners of an edition")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    partner_level = models.CharField(
        _("partner level"), max_length=16, choices=Organisation.PartnerLevel.choices, blank=True, default=""
    )
    edition = models.ForeignKey(Edition, verbose_name=_("edition"), on_delete=models.CASCADE, null=True, blank=True)
    tariff = models.ForeignKey(Tariff, verbose_name=_("tariff"), on_delete=models.CASCADE, related_name="+")
    months = models.PositiveSmallIntegerField(_("trial length (months)"), default=3)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("entitlement rule")
        verbose_name_plural = _("entitlement rules")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="partner_level") & ~Q(partner_level=""))
                | (Q(kind="edition_trial") & Q(edition__isnull=False)),
                name="entitlement_rule_complete",
            )
        ]

    def __str__(self):
        return self.name
