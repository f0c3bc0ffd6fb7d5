"""Help articles, their categories and tags."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = [("ru", _("Russian")), ("pl", _("Polish")), ("en", _("English"))]


class Category(models.Model):
    """A shelf of the public knowledge base; named in every portal language
    (``name_en``, ``name_ru``, ``name_pl`` from ``knowledgebase/translation.py``)."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "slug"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("kb:category", args=[self.slug])


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ArticleQuerySet(models.QuerySet):
    def public(self):
        """What customers and anonymous visitors may read and be suggested."""
        return self.filter(status=Article.Status.PUBLISHED, visibility=Article.Visibility.PUBLIC)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        INTERNAL = "internal", _("Engineers only")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown: **bold**, lists, `code`, [links](https://…)."))
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    editions = models.ManyToManyField(
        "sla.Edition", verbose_name=_("concerns editions"), blank=True, related_name="kb_articles",
        help_text=_("Leave empty when the article concerns every edition."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(_("visible to"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC)
    translation_of = models.ForeignKey(
        "self", verbose_name=_("translation of"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="translations", help_text=_("The article this one translates, to offer it in other languages."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="kb_articles",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    # Written by services.article_index: the body as plain text (for snippets) and the
    # search document (title and tags weight A, body weight B; see README).
    plain_text = models.TextField(default="", editable=False)
    search = SearchVectorField(null=True, editable=False)
    # The character trigrams of title, tags (weight A) and text (B): search/grams.py.
    grams = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at"]
        indexes = [
            GinIndex(fields=["search"], name="kb_article_search_gin"),
            # Suggestions search the public articles of one language: one small index each.
            *[
                GinIndex(
                    fields=["search"], name=f"kb_article_public_{code}_gin",
                    condition=models.Q(language=code, status="published", visibility="public"),
                )
                for code in ("ru", "pl", "en")
            ],
            *[
                GinIndex(
                    fields=["grams"], name=f"kb_article_grams_{code}_gin",
                    condition=models.Q(language=code, status="published", visibility="public"),
                )
                for code in ("ru", "pl", "en")
            ],
            models.Index(fields=["language", "status", "visibility", "category"], name="kb_article_list_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kb:article", args=[self.pk])

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.visibility == self.Visibility.PUBLIC
