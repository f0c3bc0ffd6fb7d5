"""Writes: indexing and the vocabulary, votes, deflections, misses, canned replies."""

import pytest
from django.db import connection

from knowledgebase import services
from knowledgebase.canned import canned_reply_render
from knowledgebase.models import ArticleVote, SearchMiss, SearchTerm
from knowledgebase.search import engine

from .factories import CannedReplyFactory, make_article

pytestmark = pytest.mark.django_db


def df(language, term):
    row = SearchTerm.objects.filter(language=language, term=term).first()
    return row.df if row else 0


def test_publishing_indexes_title_a_and_body_b():
    article = make_article("Backup schedule", "Backups run nightly.", "en")
    with connection.cursor() as cursor:
        cursor.execute("SELECT search::text FROM knowledgebase_article WHERE id = %s", [article.pk])
        vector = cursor.fetchone()[0]
    assert "'backup':1A,4B" in vector and "'schedul':2A" in vector
    assert article.published_at is not None
    assert article.plain_text == "Backups run nightly."


def test_vocabulary_counts_only_public_published_articles():
    first = make_article("Mailbox quota", "Quota of a mailbox.", "en")
    make_article("Mailbox rules", "Filters.", "en", status="draft")
    make_article("Mailbox internals", "Internal.", "en", visibility="internal")
    assert df("en", "mailbox") == 1
    second = make_article("Mailbox size", "Size.", "en")
    assert df("en", "mailbox") == 2
    services.article_update(article=first, status="draft")
    assert df("en", "mailbox") == 1 and df("en", "quota") == 0
    services.article_delete(second)
    assert df("en", "mailbox") == 0


def test_changing_language_moves_the_terms():
    article = make_article("Backup", "Nightly backup.", "en")
    services.article_update(article=article, language="pl")
    assert df("en", "backup") == 0 and df("pl", "backup") == 1


def test_tags_are_searchable_with_title_weight():
    article = make_article("Quota", "Text.", "en", tags=["Storage", " disk "])
    assert sorted(t.name for t in article.tags.all()) == ["disk", "storage"]
    assert df("en", "disk") == 1


def test_rebuild_gives_the_same_vocabulary():
    make_article("Пароль почты", "Сменить пароль почтового ящика.", "ru")
    make_article("Пароль сайта", "Восстановить пароль.", "ru")
    before = set(SearchTerm.objects.values_list("language", "term", "df"))
    services.terms_rebuild()
    assert set(SearchTerm.objects.values_list("language", "term", "df")) == before
    assert engine.document_count("ru") == 2


def test_one_vote_per_person_and_article_the_last_answer_wins(customer_a):
    article = make_article("A", "B", "en")
    services.article_vote(article=article, helpful=True, user=customer_a)
    services.article_vote(article=article, helpful=False, user=customer_a)
    services.article_vote(article=article, helpful=True, session_key="abc")
    assert ArticleVote.objects.count() == 2
    assert ArticleVote.objects.get(voter=f"u:{customer_a.pk}").helpful is False


def test_deflection_keeps_a_truncated_query_and_the_user(customer_a):
    article = make_article("A", "B", "en")
    deflection = services.deflection_record(article=article, user=customer_a, query="x " * 1000, language="ru")
    assert len(deflection.query) == services.QUERY_LOG_CHARS and deflection.user == customer_a


def test_search_misses_are_counted_per_distinct_query():
    for _ in range(3):
        services.search_miss_record(query="  pizza   delivery ", language="en", source="search")
    services.search_miss_record(query="pizza delivery", language="en", source="suggest")
    services.search_miss_record(query="", language="en", source="search")
    assert list(SearchMiss.objects.values_list("query", "source", "count").order_by("source")) == [
        ("pizza delivery", "search", 3), ("pizza delivery", "suggest", 1)
    ]


def test_canned_reply_fills_placeholders_and_links_public_articles(settings):
    settings.SITE_URL = "https://help.example"
    public = make_article("Reset your password", "Text", "en")
    draft = make_article("Secret draft", "Text", "en", status="draft")
    reply = CannedReplyFactory(body="Hello {customer_name}, {reference}: see {articles}\nBye {unknown} {attr.x}")
    reply.articles.set([public, draft])
    text = canned_reply_render(reply, {"customer_name": "Anna", "reference": "HD-10001"})
    assert text.startswith("Hello Anna, HD-10001: see - Reset your password: https://help.example/kb/articles/")
    assert "Secret draft" not in text
    assert "{unknown} {attr.x}" in text


def test_canned_reply_without_articles_placeholder_appends_links():
    article = make_article("Clear the cache", "Text", "en")
    reply = CannedReplyFactory(body="Try this.")
    reply.articles.set([article])
    assert canned_reply_render(reply, {}).startswith("Try this.\n\n- Clear the cache: ")


def test_reindex_command_rebuilds_documents_and_vocabulary():
    from django.core.management import call_command

    article = make_article("Backup schedule", "Backups run nightly.", "en")
    SearchTerm.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE knowledgebase_article SET search = NULL WHERE id = %s", [article.pk])
    call_command("kb_reindex", stdout=__import__("io").StringIO())
    assert df("en", "backup") == 1
