"""Immutable revisions of a tariff: what a ticket's SLA clocks are computed from.

A revision is the tariff's targets per urgency, its warning share and its calendars
(intervals and holiday dates of the years around filing), as JSON, stored once per
distinct content (keyed by its SHA-256) and shared by every ticket filed under it.
A ticket refers to its revision, so editing the tariff never moves its deadlines, and a
ticket costs a foreign key instead of a copy of the calendar.
"""

import hashlib
import json

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .tariffs import Tariff


def content_hash(content):
    """SHA-256 of the canonical JSON of a revision's content."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class TariffRevision(models.Model):
    tariff = models.ForeignKey(Tariff, on_delete=models.SET_NULL, null=True, blank=True, related_name="revisions")
    content_hash = models.CharField(max_length=64, unique=True, editable=False)
    content = models.JSONField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("tariff revision")
        verbose_name_plural = _("tariff revisions")

    def __str__(self):
        return f"{self.content.get('tariff', '')} {self.content_hash[:10]}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a tariff revision is immutable")
        super().save(*args, **kwargs)
