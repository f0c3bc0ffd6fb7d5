"""The trigram document of every article (search/grams.py) and the grams' document
frequencies in the vocabulary. Existing articles get theirs here, from the same
analyser the service uses."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations, models


def build_grams(apps, schema_editor):
    from knowledgebase.search.document import grams_literal

    Article = apps.get_model("knowledgebase", "Article")
    table = Article._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        for article in Article.objects.prefetch_related("tags").iterator(chunk_size=500):
            literal = grams_literal(title=article.title, tags=[t.name for t in article.tags.all()],
                                    text=article.plain_text, language=article.language)
            cursor.execute(f"UPDATE {table} SET grams = %s::tsvector WHERE id = %s", [literal, article.pk])
        cursor.execute(
            f"""
            INSERT INTO knowledgebase_searchterm (language, term, df)
            SELECT language, word, ndoc FROM (VALUES ('ru'), ('pl'), ('en')) AS l(language),
            LATERAL ts_stat(
                'SELECT grams FROM {table} WHERE language = ' || quote_literal(l.language)
                || ' AND status = ''published'' AND visibility = ''public'' AND grams IS NOT NULL'
            ) WHERE length(word) <= 64
            ON CONFLICT (language, term) DO UPDATE SET df = EXCLUDED.df
            """
        )


class Migration(migrations.Migration):

    dependencies = [
        ('knowledgebase', '0002_search_inline_storage'),
        ('sla', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='grams',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='article',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('language', 'ru'), ('status', 'published'), ('visibility', 'public')), fields=['grams'], name='kb_article_grams_ru_gin'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('language', 'pl'), ('status', 'published'), ('visibility', 'public')), fields=['grams'], name='kb_article_grams_pl_gin'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('language', 'en'), ('status', 'published'), ('visibility', 'public')), fields=['grams'], name='kb_article_grams_en_gin'),
        ),
        migrations.RunPython(build_grams, migrations.RunPython.noop),
    ]
