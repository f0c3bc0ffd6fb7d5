"""Knowledge-base suggestions through the API: the same ranking as the ticket form."""

import pytest

from knowledgebase.models import Article
from knowledgebase.services import article_create

pytestmark = pytest.mark.django_db
URL = "/api/kb/suggestions/"


@pytest.fixture
def articles(admin_user):
    public = article_create(
        author=admin_user, title="Import of products fails with error 500",
        body="If the product import fails with error 500, check the CSV encoding: it must be UTF-8.",
        language="en", status=Article.Status.PUBLISHED, visibility=Article.Visibility.PUBLIC,
    )
    draft = article_create(
        author=admin_user, title="Import of products: internal notes",
        body="Import of products fails with error 500 for customers on the old version.",
        language="en", status=Article.Status.DRAFT,
    )
    return public, draft


def test_suggestions_for_a_typed_text(api_for, customer_a, articles):
    public, draft = articles
    response = api_for(customer_a).get(URL, {"q": "product import fails with error 500", "language": "en"})
    assert response.status_code == 200, response.json()
    ids = [r["id"] for r in response.json()["results"]]
    assert ids and ids[0] == public.pk
    assert draft.pk not in ids
    assert "<mark>" in response.json()["results"][0]["snippet_html"]


def test_empty_text_suggests_nothing(api_for, customer_a, articles):
    assert api_for(customer_a).get(URL, {"q": "  "}).json() == {"results": []}


def test_missing_text_or_unknown_language_is_a_400(api_for, customer_a):
    assert "q" in api_for(customer_a).get(URL).json()["errors"]
    assert "language" in api_for(customer_a).get(URL, {"q": "x", "language": "de"}).json()["errors"]
