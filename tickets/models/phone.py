"""Phone support: callback requests from customers and the engineers' call log."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .ticket import Ticket


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


class PhoneCall(models.Model):
    """A call logged on a ticket (tariffs with phone support)."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Customer called us")
        OUTBOUND = "out", _("We called the customer")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="phone_calls")
    engineer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    summary = models.TextField(_("summary"))
    callback = models.ForeignKey(
        CallbackRequest, verbose_name=_("answers callback request"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="calls",
    )

    class Meta:
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")
        ordering = ["started_at"]
        indexes = [
            models.Index(fields=["ticket", "started_at"], name="call_ticket_idx"),
            models.Index(fields=["started_at"], name="call_started_idx"),
        ]
