"""A solved ticket becomes a knowledge-base article: one click on the engineer's page."""

import pytest
from django.urls import reverse

from knowledgebase.models import Article
from tickets import services

pytestmark = pytest.mark.django_db


def _resolved(customer):
    ticket = services.ticket_create(requester=customer, data={"kind": "question", "subject": "Mail bounces", "body": "b"})
    ticket.status, ticket.resolution_summary, ticket.prevention = "resolved", "Fixed the SPF record.", "Keep SPF in sync."
    ticket.save()
    return ticket


def test_engineer_writes_a_draft_article_from_a_resolved_ticket_and_both_pages_link(customer_a, engineer, client_for):
    ticket = _resolved(customer_a)
    client = client_for(engineer)
    page = client.get(reverse("workspace:work", args=[ticket.number])).content.decode()
    assert reverse("workspace:article_draft", args=[ticket.number]) in page
    response = client.post(reverse("workspace:article_draft", args=[ticket.number]))
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("kb:article_edit", args=[article.pk])
    assert article.status == Article.Status.DRAFT and "Fixed the SPF record." in article.body
    page = client.get(reverse("workspace:work", args=[ticket.number])).content.decode()
    assert reverse("kb:article_edit", args=[article.pk]) in page
    assert reverse("workspace:article_draft", args=[ticket.number]) not in page
    editor = client.get(reverse("kb:article_edit", args=[article.pk])).content.decode()
    assert reverse("workspace:work", args=[ticket.number]) in editor and ticket.reference in editor


def test_an_open_ticket_offers_no_article_and_refuses_one(customer_a, engineer, client_for):
    ticket = services.ticket_create(requester=customer_a, data={"kind": "question", "subject": "s", "body": "b"})
    client = client_for(engineer)
    assert reverse("workspace:article_draft", args=[ticket.number]) not in client.get(
        reverse("workspace:work", args=[ticket.number])).content.decode()
    client.post(reverse("workspace:article_draft", args=[ticket.number]))
    assert not Article.objects.exists()


def test_customer_cannot_write_an_article_from_a_ticket(customer_a, client_for):
    ticket = _resolved(customer_a)
    assert client_for(customer_a).post(reverse("workspace:article_draft", args=[ticket.number])).status_code == 403
    assert not Article.objects.exists()
