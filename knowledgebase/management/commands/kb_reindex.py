from django.core.management.base import BaseCommand

from knowledgebase import services
from knowledgebase.models import Article


class Command(BaseCommand):
    help = "Rebuild every article's search document and the search vocabulary (after an analyser change)."

    def add_arguments(self, parser):
        parser.add_argument("--vocabulary-only", action="store_true")

    def handle(self, *args, **options):
        if not options["vocabulary_only"]:
            for article in Article.objects.prefetch_related("tags").iterator(chunk_size=500):
                services.article_index(article, previous=(article.language, []), refresh_terms=False)
        services.terms_rebuild()
        self.stdout.write(f"indexed {Article.objects.count()} articles")
