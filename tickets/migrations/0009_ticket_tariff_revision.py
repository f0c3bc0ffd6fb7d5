"""Tickets refer to an immutable tariff revision instead of carrying a JSON copy of it.

Every distinct snapshot already stored becomes one revision (keyed by the SHA-256 of its
content, as sla.services.tariff_revision_for keys new ones), and the tickets that carried
it point to it; then the copies go.
"""

import hashlib
import json

import django.db.models.deletion
from django.db import migrations, models


def snapshots_to_revisions(apps, schema_editor):
    Tariff = apps.get_model("sla", "Tariff")
    TariffRevision = apps.get_model("sla", "TariffRevision")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT sla_snapshot - 'taken_at' FROM tickets_ticket WHERE sla_snapshot <> '{}'::jsonb")
        contents = [row[0] if isinstance(row[0], dict) else json.loads(row[0]) for row in cursor.fetchall()]
        tariffs = dict(Tariff.objects.values_list("code", "pk"))
        for content in contents:
            digest = hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
            revision, _ = TariffRevision.objects.get_or_create(
                content_hash=digest, defaults={"content": content, "tariff_id": tariffs.get(content.get("tariff"))}
            )
            cursor.execute(
                "UPDATE tickets_ticket SET tariff_revision_id = %s WHERE sla_snapshot - 'taken_at' = %s::jsonb",
                [revision.pk, json.dumps(content)],
            )


def revisions_to_snapshots(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("""UPDATE tickets_ticket t SET sla_snapshot = r.content FROM sla_tariffrevision r
                          WHERE r.id = t.tariff_revision_id""")


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0003_tariffrevision'),
        ('tickets', '0008_merge_20261204_0249'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='tariff_revision',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sla.tariffrevision'),
        ),
        migrations.RunPython(snapshots_to_revisions, revisions_to_snapshots, elidable=False),
        migrations.RemoveField(
            model_name='ticket',
            name='sla_snapshot',
        ),
    ]
