"""The registry's change marks (monitoring.models.RegistryChange) and the triggers that write them."""

from django.db import migrations, models

TABLES = ("registry_household", "registry_member", "registry_incomerecord")
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
PG_FUNCTION = "screening_registry_changed"


def _sqlite_trigger(table: str, operation: str) -> str:
    return (f"CREATE TRIGGER {PG_FUNCTION}_{table}_{operation.lower()} AFTER {operation} ON {table} BEGIN "
            "INSERT OR REPLACE INTO monitoring_registrychange (id, token, txid, writes) "
            "VALUES (1, lower(hex(randomblob(16))), NULL, 0); "
            "END")


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("INSERT INTO monitoring_registrychange (id, token, txid, writes) "
                              "VALUES (1, lower(hex(randomblob(16))), NULL, 0)")
        for table in TABLES:
            for operation in OPERATIONS:
                schema_editor.execute(_sqlite_trigger(table, operation))
    elif vendor == "postgresql":
        schema_editor.execute(
            # One row per writing transaction (its id), counting its writing statements: a bulk load of a million
            # rows, one statement per row, adds one row; concurrent transactions never wait on each other's row; a
            # transaction that writes again after a run read the marks moves them too.
            f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO monitoring_registrychange (token, txid, writes) VALUES ('', txid_current(), 1) "
            "ON CONFLICT (txid) DO UPDATE SET writes = monitoring_registrychange.writes + 1; RETURN NULL; END $$")
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {PG_FUNCTION} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in TABLES:
            for operation in OPERATIONS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {PG_FUNCTION}_{table}_{operation.lower()}")
    elif vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {PG_FUNCTION} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0009_counties_config_per_region"),
        ("registry", "0009_member_names_one_middle_dot"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegistryChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(blank=True, default="", max_length=32)),
                ("txid", models.BigIntegerField(blank=True, null=True, unique=True)),
                ("writes", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
