"""Admins write articles in Django admin: saved through the services, so indexed."""

import pytest
from django.urls import reverse

from knowledgebase import selectors
from knowledgebase.models import Article, SearchTerm

from .factories import CategoryFactory, make_article

pytestmark = pytest.mark.django_db


def test_article_changelist_shows_counts(admin_user, client_for):
    make_article("Backup", "Nightly.", "en")
    response = client_for(admin_user).get(reverse("admin:knowledgebase_article_changelist"))
    assert response.status_code == 200 and "Backup" in response.content.decode()


def test_admin_adds_an_article_with_tags_and_it_is_searchable(admin_user, client_for):
    shelf = CategoryFactory()
    client = client_for(admin_user)
    response = client.post(reverse("admin:knowledgebase_article_add"), {
        "title": "Kopia zapasowa strony", "language": "pl", "category": shelf.pk,
        "body": "Kopię zapasową **przywrócisz** w panelu klienta.", "status": "published",
        "visibility": "public", "tags": [], "editions": [],
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    assert article.author == admin_user and article.published_at
    assert selectors.ranked("kopia zapasowa ", "pl")[0][0] == article.pk
    change = client.get(reverse("admin:knowledgebase_article_change", args=[article.pk])).content.decode()
    assert "<strong>przywrócisz</strong>" in change  # the preview


def test_admin_delete_updates_the_vocabulary(admin_user, client_for):
    article = make_article("Backup", "Nightly.", "en")
    client_for(admin_user).post(reverse("admin:knowledgebase_article_delete", args=[article.pk]), {"post": "yes"})
    assert not Article.objects.exists() and not SearchTerm.objects.filter(term="backup").exists()
