"""Engineers write and preview articles without the admin site."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import markdown, selectors, services
from ..forms import ArticleForm
from ..models import Article
from .access import editor_required, staff_required

PAGE_SIZE = 50


@editor_required
def manage(request):
    articles = Article.objects.select_related("category").only(
        "pk", "title", "language", "status", "visibility", "updated_at", "category__slug",
        "category__name_en", "category__name_ru", "category__name_pl",
    ).order_by("-updated_at")
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "knowledgebase/manage.html", {"page": page})


@editor_required
@require_http_methods(["GET", "POST"])
def edit(request, pk=None):
    """New or existing article. "Preview" renders the Markdown without saving."""
    article = get_object_or_404(Article, pk=pk) if pk else None
    form = ArticleForm(request.POST or None, instance=article)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = markdown.render(form.cleaned_data["body"])
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("tag_names", "editions")}
            write = dict(tags=form.cleaned_data["tag_names"], editions=form.cleaned_data["editions"], **data)
            if article is None:
                article = services.article_create(author=request.user, **write)
            else:
                article = services.article_update(article=article, **write)
            messages.success(request, _("The article is saved."))
            return redirect(article)
    return render(request, "knowledgebase/edit.html", {"form": form, "article": article, "preview": preview})


@staff_required
def stats(request):
    """What the knowledge base does: views, votes, deflections; searches that failed."""
    page = Paginator(selectors.article_stats(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "knowledgebase/stats.html", {"page": page, "misses": selectors.search_misses()})
