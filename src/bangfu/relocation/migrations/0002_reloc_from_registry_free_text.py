"""Existing relocation data kept: every household the registry marks 易地扶贫搬迁 gets its relocation record, and
each free-text 安置点 becomes a site in the township where most of its households live (the text stays on the
household too)."""

from collections import Counter

from django.db import migrations


def forwards(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    Region = apps.get_model("regions", "Region")
    Site = apps.get_model("relocation", "ResettlementSite")
    Relocated = apps.get_model("relocation", "RelocatedHousehold")
    rows = list(Household.objects.filter(relocated=True).values_list("pk", "village_id", "resettlement_site"))
    townships: dict[str, Counter] = {}
    for _pk, village, text in rows:
        name = (text or "").strip()
        if name:
            townships.setdefault(name, Counter())[village[:9] + "000"] += 1
    known = set(Region.objects.filter(code__in={t for c in townships.values() for t in c}).values_list(
        "code", flat=True))
    sites = {site.name: site for site in Site.objects.all()}
    for name, counter in townships.items():
        township = next((code for code, _n in counter.most_common() if code in known), None)
        if name not in sites and township:
            sites[name] = Site.objects.create(name=name[:100], township_id=township)
    have = set(Relocated.objects.values_list("household_id", flat=True))
    Relocated.objects.bulk_create([
        Relocated(household_id=pk, site=sites.get((text or "").strip()))
        for pk, _village, text in rows if pk not in have], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("relocation", "0001_reloc_sites_households_employment"),
        ("registry", "0009_member_names_one_middle_dot"),
        ("regions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
