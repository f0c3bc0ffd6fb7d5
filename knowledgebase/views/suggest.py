"""Suggestions beside the ticket form, and "this solved my problem"."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import DeflectionForm
from ..models import Article, SearchMiss
from ..ratelimit import allow
from .access import visitor_language

MAX_FIELD_CHARS = 2000  # of the subject and of the text each; the rest is ignored
# Longer fields are refused (400): the page's script never sends more than
# MAX_FIELD_CHARS of each (data-kb-max-chars), so only other clients reach this.
MAX_POSTED_CHARS = 20_000
MIN_QUERY_CHARS = 3
MIN_WORDS_TO_LOG_MISS = 3


def _rate():
    return settings.KB_SUGGEST_RATE  # (requests, seconds)


def typed_fields(data):
    """(subject, body) as the analyser reads them, or None when a field is too long."""
    subject, body = data.get("subject") or "", data.get("body") or data.get("q") or ""
    if len(subject) > MAX_POSTED_CHARS or len(body) > MAX_POSTED_CHARS:
        return None
    return subject[:MAX_FIELD_CHARS].strip(), body[:MAX_FIELD_CHARS]


@require_POST
def suggest(request):
    """An HTML fragment with up to five articles for what the customer is typing. The
    text comes in the POST body (CSRF-protected), so it never lands in access logs."""
    limit, window = _rate()
    if not allow(request, "suggest", limit=limit, window=window):
        response = render(request, "knowledgebase/suggestions.html", {"limited": True}, status=429)
        response["Retry-After"] = str(window)
        return response
    fields = typed_fields(request.POST)
    if fields is None:
        return render(request, "knowledgebase/suggestions.html", {"too_long": True}, status=400)
    subject, body = fields
    text = f"{subject}\n{body}" if body.strip() else subject
    language = visitor_language()
    results = (
        selectors.suggestions(subject, language, body=body) if len(text.strip()) >= MIN_QUERY_CHARS else []
    )
    if not results and len(text.split()) >= MIN_WORDS_TO_LOG_MISS and not text[-1:].isalnum():
        # Logged only at a word boundary, so half-typed words do not fill the report.
        services.search_miss_record(query=text, language=language, source=SearchMiss.Source.SUGGEST)
    return render(request, "knowledgebase/suggestions.html", {"results": results, "query": text})


@require_POST
def deflect(request):
    """The customer's problem is solved by an article: record it; no ticket is filed."""
    form = DeflectionForm(request.POST)
    article = None
    if form.is_valid():
        article = Article.objects.public().filter(pk=form.cleaned_data["article"]).first()
    if article is None:
        return redirect("kb:home")
    services.deflection_record(
        article=article, user=request.user, query=form.cleaned_data["q"], language=visitor_language(),
    )
    return redirect(f"{reverse('kb:deflected')}?article={article.pk}")


def deflected(request):
    pk = request.GET.get("article", "")
    article = Article.objects.public().filter(pk=int(pk)).first() if pk.isdigit() and len(pk) < 12 else None
    return render(request, "knowledgebase/deflected.html", {"article": article})
