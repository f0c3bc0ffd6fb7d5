from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from . import markdown, selectors, services
from .models import Article, CannedReply, Category, Deflection, SearchMiss, Tag


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    list_display = ["slug", "name_en", "name_ru", "name_pl", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "category", "status", "visibility", "view_count", "helpful_yes",
                    "helpful_no", "deflection_count", "updated_at"]
    list_filter = ["language", "status", "visibility", "category"]
    search_fields = ["title", "body"]
    filter_horizontal = ["tags", "editions"]
    autocomplete_fields = ["translation_of"]
    readonly_fields = ["preview", "view_count", "published_at", "author"]
    fields = ["title", "language", "category", "body", "preview", "tags", "editions", "status", "visibility",
              "translation_of", "author", "published_at", "view_count"]

    def get_queryset(self, request):
        stats = selectors.article_stats()
        return super().get_queryset(request).select_related("category").annotate(
            **{k: v for k, v in stats.query.annotations.items()}
        )

    @admin.display(description=_("helpful"), ordering="helpful_yes")
    def helpful_yes(self, obj):
        return obj.helpful_yes

    @admin.display(description=_("not helpful"), ordering="helpful_no")
    def helpful_no(self, obj):
        return obj.helpful_no

    @admin.display(description=_("deflections"), ordering="deflection_count")
    def deflection_count(self, obj):
        return obj.deflection_count

    @admin.display(description=_("preview (as saved; “View on site” shows drafts to engineers)"))
    def preview(self, obj):
        return markdown.render(obj.body) if obj.pk else "—"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        fields = {name: form.cleaned_data[name] for name in services.ARTICLE_FIELDS if name in form.cleaned_data}
        services.article_update(article=obj, **fields)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.article_index(form.instance)  # the tags are part of the search document

    def delete_model(self, request, obj):
        services.article_delete(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.article_delete(obj)


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "is_active", "updated_at"]
    list_filter = ["language", "is_active"]
    search_fields = ["title", "body"]
    filter_horizontal = ["articles"]


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "article", "user", "language", "query"]
    list_filter = ["language"]
    list_select_related = ["article", "user"]
    readonly_fields = ["article", "user", "query", "language", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(SearchMiss)
class SearchMissAdmin(admin.ModelAdmin):
    list_display = ["query", "language", "source", "count", "last_seen"]
    list_filter = ["language", "source"]
    search_fields = ["query"]
    readonly_fields = ["query", "language", "source", "count", "first_seen", "last_seen"]

    def has_add_permission(self, request):
        return False
