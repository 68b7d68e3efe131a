"""Count an existing registry into the new village summaries (installations that already hold households)."""

from django.db import migrations
from django.db.models import Count

DIMENSIONS = ("household_type", "monitoring_type", "monitoring_status", "housing_safety", "relocated")


def count_existing(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    Member = apps.get_model("registry", "Member")
    VillageSummary = apps.get_model("reports", "VillageSummary")
    households = Household.objects.filter(is_active=True).order_by()
    cells = {}
    for row in households.values("village_id", *DIMENSIONS).annotate(n=Count("pk")):
        cells[tuple(row[key] for key in ("village_id", *DIMENSIONS))] = [row["n"], 0]
    keys = [f"household__{key}" for key in ("village_id", *DIMENSIONS)]
    for row in Member.objects.filter(household__is_active=True).order_by().values(*keys).annotate(n=Count("pk")):
        cells[tuple(row[key] for key in keys)][1] = row["n"]
    VillageSummary.objects.bulk_create(
        [VillageSummary(village_id=key[0], **dict(zip(DIMENSIONS, key[1:])), households=h, people=p)
         for key, (h, p) in cells.items()], batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_village_summaries"),
        ("registry", "0003_income_members_message"),
    ]

    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
