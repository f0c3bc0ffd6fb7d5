"""List pages and the suggestion endpoint cost a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowledgebase import services

from .factories import CategoryFactory, make_article

pytestmark = pytest.mark.django_db


def _fetch(client, url, data=None):
    method = client.post if url == reverse("kb:suggest") else client.get
    return method(url, data or {})


def _queries(client, url, data=None):
    with CaptureQueriesContext(connection) as ctx:
        response = _fetch(client, url, data)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add(shelf, n, start):
    for i in range(start, start + n):
        article = make_article(f"Пароль почты {i}", f"Как сменить пароль почтового ящика номер {i}.", "ru",
                               category=shelf, tags=[f"tag{i}"])
        services.article_vote(article=article, helpful=bool(i % 2), session_key=f"s{i}")
        services.deflection_record(article=article, query="пароль", language="ru")
        services.search_miss_record(query=f"miss {i}", language="ru", source="search")


@pytest.mark.parametrize(
    "name,args,data,who",
    [
        ("kb:home", (), None, None),
        ("kb:category", ("mail",), None, None),
        ("kb:search", (), {"q": "пароль почты"}, None),
        ("kb:suggest", (), {"subject": "не могу сменить пароль почтового ящика"}, "customer"),
        ("kb:manage", (), None, "engineer"),
        ("kb:stats", (), None, "admin"),
    ],
)
def test_query_count_does_not_grow_with_articles(name, args, data, who, client_for, customer_a, engineer, admin_user):
    shelf = CategoryFactory(slug="mail")
    client = client_for({"customer": customer_a, "engineer": engineer, "admin": admin_user}.get(who))
    client.cookies["django_language"] = "ru"
    url = reverse(name, args=args)
    _add(shelf, 2, 0)
    _fetch(client, url, data)  # warm the session and the cached article counts
    few = _queries(client, url, data)
    _add(shelf, 12, 2)
    _fetch(client, url, data)
    # Never more (a word unknown to a tiny knowledge base may cost one typo lookup that
    # a larger one no longer needs).
    assert _queries(client, url, data) <= few
    assert few <= 8
