"""Orders of support periods (a tariff for a license) and of points packs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helpdesk.accounts.models import Organisation
from sla.models import License, Subscription, Tariff

ORDER_NUMBER_SEQUENCE = "billing_order_number_seq"


class PointsPack(models.Model):
    """Extra support points, sold like a period: bought once, valid for some months."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    points = models.PositiveIntegerField(_("points"))
    valid_months = models.PositiveSmallIntegerField(_("valid for (months)"), default=12)
    amount = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("points pack")
        verbose_name_plural = _("points packs")
        ordering = ["points"]

    def __str__(self):
        return self.name


class Order(models.Model):
    """One order: placed → invoiced → paid → active, or cancelled (``billing.services.orders``)."""

    class Status(models.TextChoices):
        PLACED = "placed", _("Placed")
        INVOICED = "invoiced", _("Invoiced")
        PAID = "paid", _("Paid")
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.PositiveIntegerField(_("number"), unique=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="orders"
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("placed by"), on_delete=models.PROTECT, related_name="+"
    )
    license = models.ForeignKey(
        License, verbose_name=_("license"), on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    tariff = models.ForeignKey(
        Tariff, verbose_name=_("tariff"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    months = models.PositiveSmallIntegerField(_("period (months)"), null=True, blank=True)
    pack = models.ForeignKey(
        PointsPack, verbose_name=_("points pack"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLACED)
    starts_on = models.DateField(_("period from"), null=True, blank=True)
    ends_on = models.DateField(_("period until"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    created_at = models.DateTimeField(_("placed"), auto_now_add=True)
    invoiced_at = models.DateTimeField(_("invoiced"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True, default="")
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("marked paid by"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )
    subscription = models.OneToOneField(
        Subscription, verbose_name=_("subscription"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="order",
    )
    renewal_of = models.ForeignKey(
        Subscription, verbose_name=_("renews"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="order_org_created_idx"),
            models.Index(fields=["status", "paid_at"], name="order_status_paid_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(pack__isnull=True) & Q(license__isnull=False) & Q(tariff__isnull=False) & Q(months__gte=1))
                | (Q(pack__isnull=False) & Q(license__isnull=True) & Q(tariff__isnull=True)),
                name="order_is_period_or_pack",
            ),
            # An integration that repeats a payment notification finds the order it paid.
            models.UniqueConstraint(
                fields=["payment_reference"], condition=~Q(payment_reference=""), name="order_payment_reference_once"
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self):
        return f"ORD-{self.number}"

    @property
    def is_open(self):
        return self.status in (self.Status.PLACED, self.Status.INVOICED)

    @property
    def invoice_number(self):
        return f"PF-{self.number}"

    def describe(self):
        """What was ordered, in the active language."""
        if self.pack_id:
            return _("%(pack)s: %(points)d support points") % {"pack": self.pack.name, "points": self.pack.points}
        return _("%(tariff)s for license %(serial)s, %(months)d months") % {
            "tariff": self.tariff.name, "serial": self.license.serial, "months": self.months,
        }


class ReminderSent(models.Model):
    """A renewal reminder went out: each (what ends, on which day, how many days before) once."""

    class Subject(models.TextChoices):
        SUBSCRIPTION = "subscription", _("Support tariff period")
        LICENSE = "license", _("License support period")

    subject = models.CharField(max_length=16, choices=Subject.choices)
    object_id = models.PositiveBigIntegerField()
    ends_on = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "object_id", "ends_on", "days_before"], name="reminder_once")
        ]
