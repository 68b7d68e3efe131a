from django.db import migrations


def install(apps, schema_editor):
    from bangfu.monitoring.rules import rules_install_defaults

    rules_install_defaults(apps.get_model("monitoring", "Rule"))


class Migration(migrations.Migration):
    """The eleven shipped warning rules and four exclusion comparisons (the county edits them afterwards)."""

    dependencies = [
        ("monitoring", "0002_feeds_rules_warnings_leads"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
