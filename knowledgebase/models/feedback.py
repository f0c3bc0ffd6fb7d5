"""What the knowledge base does for people: votes, deflections, and searches that failed."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .articles import LANGUAGE_CHOICES, Article


class ArticleVote(models.Model):
    """One "was this helpful?" answer per visitor (user, or browser session) and article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    voter = models.CharField(max_length=64, help_text="u:<user id> or s:<session key>")
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("helpful vote")
        verbose_name_plural = _("helpful votes")
        constraints = [models.UniqueConstraint(fields=["article", "voter"], name="kb_vote_once_per_voter")]


class Deflection(models.Model):
    """A customer read a suggested article and left without filing a ticket."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    query = models.CharField(_("what they typed"), max_length=500, blank=True, default="")
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
        ordering = ["-created_at"]


class SearchMiss(models.Model):
    """A query that found nothing (or nothing confident): a missing article, perhaps."""

    class Source(models.TextChoices):
        SEARCH = "search", _("Knowledge-base search")
        SUGGEST = "suggest", _("Ticket-form suggestions")

    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    source = models.CharField(_("where"), max_length=16, choices=Source.choices)
    query = models.CharField(_("query"), max_length=200)
    count = models.PositiveIntegerField(_("times"), default=1)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("search without an answer")
        verbose_name_plural = _("searches without an answer")
        ordering = ["-count", "-last_seen"]
        constraints = [
            models.UniqueConstraint(fields=["language", "source", "query"], name="kb_search_miss_unique"),
        ]

    def __str__(self):
        return self.query
