"""Keep the search document in the table row (not in TOAST): scoring reads it several
times per candidate, and a TOAST fetch each time made suggestions 3-4x slower at 100k
articles (bench/kb_suggest_latency.py). Body and plain text move out of line first."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("knowledgebase", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE knowledgebase_article ALTER COLUMN search SET STORAGE MAIN",
            "ALTER TABLE knowledgebase_article ALTER COLUMN search SET STORAGE EXTENDED",
        ),
    ]
