"""Admin finds organisations and people by any part of a name or email ("Ромашка" finds
"ООО Ромашка"): Django's ``icontains`` is ``UPPER(col::text) LIKE UPPER('%…%')``, which a
GIN trigram index on the same expression serves on large tables.

pg_trgm ships with PostgreSQL's contrib package, not with every build (the embedded
``pgserver`` lacks it): where it cannot be installed the indexes are skipped and the
search still works, as a scan."""

from django.db import migrations

INDEXES = [
    ("organisation_name_trgm_idx", "accounts_organisation", "name"),
    ("user_email_trgm_idx", "accounts_user", "email"),
    ("user_full_name_trgm_idx", "accounts_user", "full_name"),
]


def create(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in INDEXES:
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )


def drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name, _table, _column in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_user_time_zone_default_and_validators")]

    operations = [migrations.RunPython(create, drop)]
