"""Reads of the knowledge base: who may read what, lists, search and suggestions."""

from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from .models import Article, ArticleVote, CannedReply, Category, Deflection, SearchMiss
from .search import engine
from .search.language import languages_for
from .search.snippets import snippet

SUGGEST_LIMIT = 5
# A suggestion is shown when its score (engine.py) reaches its language's threshold:
# per language, the value that maximises "no-answer queries showing nothing" +
# "answerable queries still showing the right article" on the public evaluation set
# (bench/kb_eval.py --calibrate). Scores run a little lower in Russian (longer words,
# more of them unknown to a small knowledge base) than in English.
SUGGEST_THRESHOLDS = {"ru": 0.42, "pl": 0.44, "en": 0.46}
SUGGEST_THRESHOLD = 0.45  # any other language
# Another language than the visitor's ranks a little lower at the same score.
OTHER_LANGUAGE_FACTOR = 0.9
SEARCH_LIMIT = 30


def suggest_threshold(language):
    """The score a suggestion needs to be shown in ``language``."""
    return SUGGEST_THRESHOLDS.get(language, SUGGEST_THRESHOLD)


def articles_visible_to(user):
    """Engineers read everything, drafts and internal notes included; everyone else the
    published public articles."""
    if user.is_authenticated and getattr(user, "is_engineer", False):
        return Article.objects.all()
    return Article.objects.public()


def can_edit(user):
    return user.is_authenticated and (getattr(user, "is_engineer", False) or user.is_staff)


def article_for(user, pk):
    article = (
        articles_visible_to(user).select_related("category", "translation_of").filter(pk=pk).first()
    )
    if article is None:
        raise Http404
    return article


def article_translations(user, article):
    """The same article in other languages (siblings through ``translation_of``)."""
    root = article.translation_of_id or article.pk
    return (
        articles_visible_to(user)
        .filter(Q(pk=root) | Q(translation_of_id=root))
        .exclude(pk=article.pk)
        .only("pk", "title", "language")
        .order_by("language")
    )


def categories_with_counts(user, language):
    visible = articles_visible_to(user).filter(language=language, category=OuterRef("pk"))
    count = visible.order_by().values("category").annotate(n=Count("pk")).values("n")
    return Category.objects.annotate(article_count=Coalesce(Subquery(count), Value(0))).order_by("position", "slug")


def category_articles(user, category, language):
    """The category's articles in the visitor's language, and separately those that
    exist only in another language (offered as fallback)."""
    articles = articles_visible_to(user).filter(category=category).only(
        "pk", "title", "language", "status", "visibility", "translation_of", "updated_at"
    ).order_by("title")
    own = [a for a in articles if a.language == language]
    covered = {a.translation_of_id or a.pk for a in own}
    others = [a for a in articles if a.language != language and (a.translation_of_id or a.pk) not in covered]
    return own, others


def ranked(text, language, *, limit=SUGGEST_LIMIT, public=True):
    """[(article_id, score, analysis)] best first, over the visitor's language and the
    language the text is written in. This is what the suggestion endpoint, the search
    page and bench/kb_eval.py all rank with."""
    results = []
    for index, code in enumerate(languages_for(text, language)):
        analysis, hits = engine.search(text, code, limit=limit, public=public)
        factor = 1.0 if index == 0 else OTHER_LANGUAGE_FACTOR
        results += [(hit.article_id, hit.score * factor, analysis) for hit in hits]
    results.sort(key=lambda r: -r[1])
    return results[:limit]


def _with_snippets(rows, user=None, public=True):
    ids = [pk for pk, _, _ in rows]
    queryset = Article.objects.public() if public else articles_visible_to(user)
    articles = queryset.filter(pk__in=ids).only("pk", "title", "language", "plain_text", "status", "visibility").in_bulk()
    out = []
    for pk, score, analysis in rows:
        article = articles.get(pk)
        if article is None:
            continue
        exact, prefixes = analysis.highlight_terms()
        out.append({
            "article": article,
            "score": score,
            "title": snippet(article.title, analysis.language, exact, prefixes, whole=True),
            "snippet": snippet(article.plain_text, analysis.language, exact, prefixes),
        })
    return out


def suggestions(subject, language, *, body=""):
    """Up to five confident suggestions for what a customer is typing. The subject is
    ranked alone and together with the body, and each article keeps its better score:
    writing more text never hides an article the subject alone finds."""
    combined = f"{subject}\n{body}" if body.strip() else subject
    best = {}
    for text in dict.fromkeys(t for t in (subject, combined) if t.strip()):
        for row in ranked(text, language):
            if row[1] >= suggest_threshold(row[2].language) and row[1] > best.get(row[0], (None, -1))[1]:
                best[row[0]] = row
    rows = sorted(best.values(), key=lambda r: -r[1])[:SUGGEST_LIMIT]
    return _with_snippets(rows)


def search_results(user, text, language):
    """The search page: matches in the visitor's language (and the text's), then, as
    fallback, confident matches in the other languages."""
    public = not (user.is_authenticated and getattr(user, "is_engineer", False))
    rows = ranked(text, language, limit=SEARCH_LIMIT, public=public)
    searched = set(languages_for(text, language))
    for code in ("ru", "pl", "en"):
        if code not in searched:
            analysis, hits = engine.search(text, code, limit=SUGGEST_LIMIT, public=public)
            rows += [
                (hit.article_id, hit.score * OTHER_LANGUAGE_FACTOR, analysis)
                for hit in hits if hit.score * OTHER_LANGUAGE_FACTOR >= suggest_threshold(code)
            ]
    results = _with_snippets(rows, user=user, public=public)
    own = [r for r in results if r["article"].language == language]
    others = [r for r in results if r["article"].language != language]
    return own, others


def article_stats(language=None):
    """Per article: views, helpful and unhelpful votes, deflections; one query."""
    def count(model, **extra):
        rows = model.objects.filter(article=OuterRef("pk"), **extra).order_by().values("article")
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), Value(0))

    articles = Article.objects.only("pk", "title", "language", "status", "view_count")
    if language:
        articles = articles.filter(language=language)
    return articles.annotate(
        helpful_yes=count(ArticleVote, helpful=True),
        helpful_no=count(ArticleVote, helpful=False),
        deflection_count=count(Deflection),
    ).order_by("-view_count", "pk")


def search_misses(limit=50):
    return SearchMiss.objects.order_by("-count", "-last_seen")[:limit]


def canned_replies_for(language):
    """Active canned replies, the ticket's language first."""
    replies = CannedReply.objects.filter(is_active=True).only("pk", "title", "language")
    return sorted(replies, key=lambda r: (r.language != language, r.language, r.title.lower()))
