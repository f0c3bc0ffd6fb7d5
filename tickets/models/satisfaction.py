"""Satisfaction (CSAT): after each resolution the customer is asked once, good or bad."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .ticket import Ticket


class SatisfactionSurvey(models.Model):
    """One per resolution of a ticket. The rating is recorded on POST only (mail scanners
    follow links) and may be changed for ``CSAT_CHANGE_DAYS`` after it was first given."""

    class Rating(models.TextChoices):
        GOOD = "good", _("Good, I was helped")
        BAD = "bad", _("Bad, I was not helped")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="surveys")
    resolved_at = models.DateTimeField(_("resolved"))
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("engineer"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rating = models.CharField(_("rating"), max_length=8, choices=Rating.choices, blank=True, default="")
    comment = models.TextField(_("comment"), blank=True, default="", max_length=2000)
    rated_at = models.DateTimeField(_("first rated"), null=True, blank=True)
    changed_at = models.DateTimeField(_("last changed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [models.UniqueConstraint(fields=["ticket", "resolved_at"], name="one_survey_per_resolution")]
        indexes = [models.Index(fields=["rated_at"], name="survey_rated_idx")]

    def __str__(self):
        return f"{self.ticket.reference}: {self.rating or '—'}"
