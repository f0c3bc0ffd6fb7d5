"""Ticket.search becomes a document kept by tickets.search (ru/pl/en terms, weights A-D,
replies and notes included) instead of a generated 'simple' tsvector of subject and body."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models


def fill(apps, schema_editor):
    from tickets.search import ticket_search_rebuild

    Ticket = apps.get_model("tickets", "Ticket")
    ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        ticket_search_rebuild(ids[start:start + 1000])


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0014_merge_20261204_0318"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="ticket", name="ticket_search_gin"),
        migrations.RemoveField(model_name="ticket", name="search"),
        migrations.AddField(
            model_name="ticket",
            name="search",
            field=django.contrib.postgres.search.SearchVectorField(
                db_default=models.Value("", output_field=django.contrib.postgres.search.SearchVectorField()),
                default="", editable=False,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="ticket",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search"], name="ticket_search_gin"),
        ),
    ]
