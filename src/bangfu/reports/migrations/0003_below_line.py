"""Keep whether a household lies below the monitoring line in the village summaries, and count it for an
existing registry (installations that already hold households)."""

from django.db import migrations, models

KEPT = ("village_id", "household_type", "monitoring_type", "monitoring_status", "housing_safety", "relocated",
        "below_line", "households", "people")


def count_below_line(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    VillageSummary = apps.get_model("reports", "VillageSummary")
    if not Household.objects.exists():
        return
    # The recount reads only columns that exist at this point; the rows are written through the historical model.
    from bangfu.reports.summaries import _recount

    rows = [VillageSummary(**{key: getattr(row, key) for key in KEPT}) for row in _recount(None)]
    VillageSummary.objects.all().delete()
    VillageSummary.objects.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):

    dependencies = [
        ('regions', '0001_initial'),
        ('reports', '0002_count_existing_registry'),
        ('registry', '0007_income_record_marks_what_the_ledger_gave'),
        ('monitoring', '0003_install_default_rules'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='villagesummary',
            name='village_summary_one_row_per_kind',
        ),
        migrations.AddField(
            model_name='villagesummary',
            name='below_line',
            field=models.BooleanField(default=False),
        ),
        migrations.AddConstraint(
            model_name='villagesummary',
            constraint=models.UniqueConstraint(fields=('village', 'household_type', 'monitoring_type',
                                                       'monitoring_status', 'housing_safety', 'relocated',
                                                       'below_line'), name='village_summary_one_row_per_kind'),
        ),
        migrations.RunPython(count_below_line, migrations.RunPython.noop),
    ]
