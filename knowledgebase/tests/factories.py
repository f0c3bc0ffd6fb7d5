"""Articles go through the service, so that they are indexed as in production."""

import factory

from knowledgebase import services
from knowledgebase.models import Article, CannedReply, Category


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    slug = factory.Sequence(lambda n: f"shelf-{n}")
    name_en = factory.Sequence(lambda n: f"Shelf {n}")
    name_ru = factory.Sequence(lambda n: f"Полка {n}")
    name_pl = factory.Sequence(lambda n: f"Półka {n}")


def make_article(title, body, language="en", *, status="published", visibility="public", tags=(), **extra):
    return services.article_create(
        author=None, title=title, body=body, language=language, status=status, visibility=visibility,
        tags=tags, **extra,
    )


class CannedReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CannedReply

    title = factory.Sequence(lambda n: f"Canned {n}")
    language = "en"
    body = "Hello {customer_name}, about {reference}: please restart the service."


__all__ = ["Article", "CannedReplyFactory", "CategoryFactory", "make_article"]
