import io

import pytest
from django.core.management import call_command

from knowledgebase import selectors
from knowledgebase.models import Article, CannedReply


@pytest.mark.django_db
def test_demo_knowledge_base_is_seeded_once_and_searchable():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert Article.objects.public().count() == 6 and CannedReply.objects.count() == 1
    assert set(Article.objects.values_list("language", flat=True)) == {"ru", "pl", "en"}
    assert selectors.suggestions("забыл пароль от админки", "ru")
