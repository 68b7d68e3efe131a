"""Name search through an index: pg_trgm's GIN index on members' names (PostgreSQL only).

SQLite gets its FTS5 trigram table from `registry.search.ensure_sqlite_name_index`, run after every migrate.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "registry_member_name_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_member USING gin (name gin_trgm_ops)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_household_closure")]

    operations = [
        TrigramExtension(),  # does nothing on other databases
        migrations.RunPython(create_index, drop_index),
    ]
