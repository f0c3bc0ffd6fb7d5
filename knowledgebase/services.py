"""Writes of the knowledge base. Views, admin and commands all come through here."""

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from . import markdown
from .models import Article, ArticleVote, Deflection, SearchMiss, SearchTerm, Tag
from .search.document import grams_literal, tsvector_literal
from .search.engine import forget_document_count
from .search.grams import is_gram

QUERY_LOG_CHARS = 500
MISS_QUERY_CHARS = 200
ARTICLE_FIELDS = ("title", "body", "language", "category", "status", "visibility", "translation_of")


@transaction.atomic
def article_create(*, author, tags=(), editions=(), **fields):
    """A new article, indexed for search at once."""
    article = Article(author=author)
    return article_update(article=article, tags=tags, editions=editions, **fields)


@transaction.atomic
def article_update(*, article, tags=None, editions=None, **fields):
    """Change an article; the first publication stamps ``published_at``; the search
    document and the vocabulary follow in the same transaction."""
    previous = _indexed(article.pk) if article.pk else None
    for name, value in fields.items():
        if name not in ARTICLE_FIELDS:
            raise TypeError(f"unknown article field {name!r}")
        setattr(article, name, value)
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    article.updated_at = timezone.now()
    article.save()
    if tags is not None:
        article.tags.set(tag_get_or_create(tags))
    if editions is not None:
        article.editions.set(editions)
    article_index(article, previous=previous)
    return article


def tag_get_or_create(names):
    tags = []
    for name in names:
        if isinstance(name, Tag):
            tags.append(name)
        elif name.strip():
            tags.append(Tag.objects.get_or_create(name=name.strip().lower()[:60])[0])
    return tags


def _indexed(pk):
    """(language, terms) of the article as last indexed and published, or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT language, tsvector_to_array(search) || tsvector_to_array(grams)"
            f" FROM {Article._meta.db_table} WHERE id = %s", [pk]
        )
        row = cursor.fetchone()
    return (row[0], row[1] or []) if row else None


def article_index(article, *, previous=None, refresh_terms=True):
    """Rebuild the article's search document, then the document frequencies of the terms
    it had and has, in the languages concerned (so the vocabulary never drifts).
    ``previous`` is (language, terms) from before a change of language. Bulk rebuilds
    pass ``refresh_terms=False`` and call ``terms_rebuild`` once at the end."""
    table = Article._meta.db_table
    old_language, old_terms = previous or _indexed(article.pk) or (None, [])
    article.plain_text = markdown.plain_text(article.body)
    tags = [tag.name for tag in article.tags.all()]
    document = dict(title=article.title, tags=tags, text=article.plain_text, language=article.language)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET plain_text = %s, search = %s::tsvector, grams = %s::tsvector WHERE id = %s"
            " RETURNING tsvector_to_array(search) || tsvector_to_array(grams)",
            [article.plain_text, tsvector_literal(**document), grams_literal(**document), article.pk],
        )
        new_terms = cursor.fetchone()[0] or []
    if not refresh_terms:
        return
    if old_language and old_language != article.language:
        terms_refresh(old_language, old_terms)
        terms_refresh(article.language, new_terms)
    else:
        terms_refresh(article.language, set(old_terms) | set(new_terms))


def article_delete(article):
    language, terms = article.language, (_indexed(article.pk) or (None, []))[1]
    article.delete()
    terms_refresh(language, terms)


def terms_refresh(language, terms):
    """Recount, for the given terms (words and grams), how many public articles of the
    language hold them."""
    forget_document_count(language)
    words = sorted(t for t in set(terms) if not is_gram(t))
    grams = sorted(t for t in set(terms) if is_gram(t))
    for column, chosen in (("search", words), ("grams", grams)):
        if chosen:
            _terms_recount(language, column, chosen)


def _terms_recount(language, column, terms):
    article, term = Article._meta.db_table, SearchTerm._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH counted AS (
                SELECT t AS term, (
                    SELECT count(*) FROM {article} a
                    WHERE a.language = %s AND a.status = 'published' AND a.visibility = 'public'
                      AND a.{column} @@ quote_literal(t)::tsquery
                ) AS df
                FROM unnest(%s::text[]) AS t
            ), gone AS (
                DELETE FROM {term} s USING counted c
                WHERE s.language = %s AND s.term = c.term AND c.df = 0
            )
            INSERT INTO {term} (language, term, df)
            SELECT %s, term, df FROM counted WHERE df > 0
            ON CONFLICT (language, term) DO UPDATE SET df = EXCLUDED.df
            """,
            [language, terms, language, language],
        )


def terms_rebuild(language=None):
    """The whole vocabulary from scratch (after bulk loads; ``manage.py kb_reindex``)."""
    article, term = Article._meta.db_table, SearchTerm._meta.db_table
    languages = [language] if language else ["ru", "pl", "en"]
    with connection.cursor() as cursor:
        for code in languages:
            cursor.execute(f"DELETE FROM {term} WHERE language = %s", [code])
            for column in ("search", "grams"):
                cursor.execute(
                    f"""
                    INSERT INTO {term} (language, term, df)
                    SELECT %s, word, ndoc FROM ts_stat(
                        'SELECT {column} FROM {article} WHERE language = ' || quote_literal(%s)
                        || ' AND status = ''published'' AND visibility = ''public'' AND {column} IS NOT NULL'
                    ) WHERE length(word) <= 64
                    """,
                    [code, code],
                )
            forget_document_count(code)


def article_record_view(article):
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


def article_vote(*, article, helpful, user=None, session_key=""):
    """One vote per person and article; voting again changes the answer."""
    voter = f"u:{user.pk}" if user is not None and user.is_authenticated else f"s:{session_key}"
    ArticleVote.objects.update_or_create(
        article=article, voter=voter,
        defaults={"helpful": helpful, "user": user if user is not None and user.is_authenticated else None,
                  "created_at": timezone.now()},
    )


def deflection_record(*, article, user=None, query="", language="en"):
    """The customer found the answer in ``article`` and left without filing a ticket."""
    return Deflection.objects.create(
        article=article,
        user=user if user is not None and user.is_authenticated else None,
        query=" ".join((query or "").split())[:QUERY_LOG_CHARS],
        language=language,
    )


def search_miss_record(*, query, language, source):
    """Count a query that found nothing, once per distinct text."""
    query = " ".join((query or "").split())[:MISS_QUERY_CHARS]
    if not query:
        return
    now = timezone.now()
    table = SearchMiss._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (language, source, query, count, first_seen, last_seen)
            VALUES (%s, %s, %s, 1, %s, %s)
            ON CONFLICT (language, source, query) DO UPDATE
            SET count = {table}.count + 1, last_seen = EXCLUDED.last_seen
            """,
            [language, source, query, now, now],
        )
