"""Reveal records written before they carried a region: take it from the household, so scoped readers see them."""

from django.db import migrations


def backfill(apps, schema_editor):
    RevealRecord = apps.get_model("audit", "RevealRecord")
    Household = apps.get_model("registry", "Household")
    missing = RevealRecord.objects.filter(region_code="", household_id__isnull=False)
    villages = dict(Household.objects.filter(pk__in=missing.values("household_id")).values_list("pk", "village_id"))
    for record in missing:
        if record.household_id in villages:
            record.region_code = villages[record.household_id]
            record.save(update_fields=["region_code"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_reveal_region_code"), ("registry", "0001_initial")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
