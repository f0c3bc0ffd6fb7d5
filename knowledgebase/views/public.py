"""The public knowledge base: shelves, articles, search, "was this helpful?"."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.throttle import ALL, ratelimit

from .. import markdown, selectors, services
from ..forms import SearchForm, VoteForm
from ..models import Category, SearchMiss
from .access import visitor_language

LATEST = 10


def home(request):
    language = visitor_language()
    context = {
        "form": SearchForm(),
        "categories": selectors.categories_with_counts(request.user, language),
        "latest": selectors.articles_visible_to(request.user).filter(language=language)
        .only("pk", "title", "language", "status", "visibility").order_by("-updated_at")[:LATEST],
    }
    return render(request, "knowledgebase/home.html", context)


def category(request, slug):
    shelf = get_object_or_404(Category, slug=slug)
    own, others = selectors.category_articles(request.user, shelf, visitor_language())
    return render(request, "knowledgebase/category.html", {"category": shelf, "articles": own, "others": others})


def article(request, pk):
    item = selectors.article_for(request.user, pk)
    if item.is_public:
        services.article_record_view(item)
    context = {
        "article": item,
        "body": markdown.render(item.body),
        "translations": selectors.article_translations(request.user, item),
        "can_edit": selectors.can_edit(request.user),
    }
    return render(request, "knowledgebase/article.html", context)


@require_POST
def vote(request, pk):
    item = selectors.article_for(request.user, pk)
    form = VoteForm(request.POST)
    if form.is_valid() and item.is_public:
        if not request.session.session_key:
            request.session.save()
        services.article_vote(
            article=item, helpful=form.cleaned_data["helpful"], user=request.user,
            session_key=request.session.session_key,
        )
        messages.success(request, _("Thank you for your feedback."))
    return redirect(item)


@ratelimit("kb_search", methods=ALL)
def search(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    own, others = selectors.search_results(request.user, query, visitor_language()) if query else ([], [])
    if query and not own and not others:
        services.search_miss_record(query=query, language=visitor_language(), source=SearchMiss.Source.SEARCH)
    return render(request, "knowledgebase/search.html", {"form": form, "query": query, "results": own, "others": others})
