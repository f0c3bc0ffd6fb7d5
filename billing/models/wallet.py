"""The support-points wallet: an append-only ledger per organisation.

Credits (grants, refunds, positive adjustments) carry an expiry date; debits (charges,
expiries, negative adjustments) are allocated to credits, soonest-expiring first, by
``Allocation`` rows, so "what is left of a grant" and "what expires today" are sums, never
stored counters. Rows are only ever inserted: a trigger in the migration refuses UPDATE and
DELETE on both tables.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helpdesk.accounts.models import Organisation
from sla.models import RequestKind, Subscription, Tariff, Urgency


class ChargeItem(models.TextChoices):
    TICKET = "ticket", _("Ticket")
    PHONE_MINUTE = "phone_minute", _("Phone minute")
    CALLBACK = "callback", _("Callback request")


class PointsPlan(models.Model):
    """Points a tariff includes: granted with each period of it, valid until the period ends."""

    tariff = models.OneToOneField(Tariff, verbose_name=_("tariff"), on_delete=models.CASCADE, related_name="points_plan")
    points_per_month = models.PositiveIntegerField(_("points per month of the period"))

    class Meta:
        verbose_name = _("points included in a tariff")
        verbose_name_plural = _("points included in tariffs")

    def __str__(self):
        return f"{self.tariff}: {self.points_per_month}"


class PointsRule(models.Model):
    """What costs what under a tariff. The most specific rule wins (type and urgency, then
    type, then urgency, then any); a tariff without rules charges nothing."""

    tariff = models.ForeignKey(Tariff, verbose_name=_("tariff"), on_delete=models.CASCADE, related_name="points_rules")
    item = models.CharField(_("what"), max_length=16, choices=ChargeItem.choices, default=ChargeItem.TICKET)
    ticket_kind = models.CharField(
        _("request type"), max_length=16, choices=RequestKind.choices, blank=True, default="",
        help_text=_("Empty: any type."),
    )
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, blank=True, default="", help_text=_("Empty: any urgency.")
    )
    points = models.PositiveIntegerField(_("points"))

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["tariff", "item", "ticket_kind", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["tariff", "item", "ticket_kind", "urgency"], name="one_points_rule"),
        ]

    def __str__(self):
        return f"{self.tariff} · {self.get_item_display()} · {self.ticket_kind or '*'} · {self.urgency or '*'} = {self.points}"


class Wallet(models.Model):
    """One per organisation; its row is what concurrent charges lock. The balance is the
    sum of the ledger, never a stored number."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="wallet")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points wallet")
        verbose_name_plural = _("points wallets")

    def __str__(self):
        return str(self.organisation)


class WalletEntry(models.Model):
    class Kind(models.TextChoices):
        GRANT = "grant", _("Granted")
        CHARGE = "charge", _("Charged")
        REFUND = "refund", _("Refunded")
        EXPIRY = "expiry", _("Expired")
        ADJUSTMENT = "adjustment", _("Adjusted by an admin")

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    points = models.IntegerField(_("points"), help_text=_("Positive for credits, negative for debits."))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    item = models.CharField(_("what"), max_length=16, choices=ChargeItem.choices, blank=True, default="")
    ticket_number = models.PositiveIntegerField(_("ticket"), null=True, blank=True)
    phone_call_id = models.PositiveBigIntegerField(null=True, blank=True)
    callback_id = models.PositiveBigIntegerField(null=True, blank=True)
    unpaid_points = models.PositiveIntegerField(
        _("not covered"), default=0, help_text=_("Points a phone call cost beyond the balance.")
    )
    order = models.ForeignKey("Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    refund_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunded_by"
    )
    expiry_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="expired_by"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("points ledger entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["wallet", "-created_at"], name="wallet_entry_recent_idx"),
            models.Index(fields=["expires_on"], condition=Q(points__gt=0), name="wallet_credit_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=["grant", "refund"]) & Q(points__gt=0))
                | (Q(kind__in=["charge", "expiry"]) & Q(points__lte=0))
                | Q(kind="adjustment"),
                name="wallet_entry_sign",
            ),
            # Nothing is charged twice: one charge per ticket, per call, per callback.
            models.UniqueConstraint(
                fields=["ticket_number"], condition=Q(kind="charge", item="ticket"), name="one_charge_per_ticket"
            ),
            models.UniqueConstraint(fields=["phone_call_id"], condition=Q(kind="charge"), name="one_charge_per_call"),
            models.UniqueConstraint(fields=["callback_id"], condition=Q(kind="charge"), name="one_charge_per_callback"),
            # A period grants its points once, a pack once.
            models.UniqueConstraint(fields=["subscription"], condition=Q(kind="grant"), name="one_grant_per_period"),
            models.UniqueConstraint(fields=["order"], condition=Q(kind="grant"), name="one_grant_per_order"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.points:+d}"

    @property
    def is_credit(self):
        return self.points > 0


class Allocation(models.Model):
    """``points`` of a debit were taken from a credit."""

    debit = models.ForeignKey(WalletEntry, on_delete=models.PROTECT, related_name="allocations")
    credit = models.ForeignKey(WalletEntry, on_delete=models.PROTECT, related_name="used_by")
    points = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["credit"], name="allocation_credit_idx")]
