"""History written before ID numbers stopped being stored masked kept the mask beside the birth date, which
together give the number back. Drop both from old records (the fingerprint scheme replaces them)."""

import re

from django.db import migrations

MASK_IN_LABEL = re.compile(r"（\d{6}\*+[\dX]{4}）")


def scrub(apps, schema_editor):
    ChangeRecord = apps.get_model("audit", "ChangeRecord")
    for record in ChangeRecord.objects.filter(object_type="member"):
        for side in ("before", "after"):
            data = getattr(record, side)
            if data:
                data.pop("id_number_masked", None)
                data.pop("birth_date", None)
        record.object_label = MASK_IN_LABEL.sub("", record.object_label)
        record.save(update_fields=["before", "after", "object_label"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_backfill_reveal_region"), ("registry", "0002_member_mask_not_stored")]
    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
