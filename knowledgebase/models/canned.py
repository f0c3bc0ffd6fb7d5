"""Standard answers engineers insert into replies."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .articles import LANGUAGE_CHOICES, Article


class CannedReply(models.Model):
    title = models.CharField(_("title"), max_length=120)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {customer_name}, {reference}, {engineer_name}, {articles} "
            "(links to the articles below; appended at the end when not placed)."
        ),
    )
    articles = models.ManyToManyField(Article, verbose_name=_("linked articles"), blank=True, related_name="canned_replies")
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["language", "title"]
        indexes = [models.Index(fields=["language", "is_active", "title"], name="kb_canned_lang_idx")]

    def __str__(self):
        return f"{self.title} ({self.language})"
