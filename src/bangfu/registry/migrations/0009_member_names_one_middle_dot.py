"""Names stored with a dot variant (扎西•多吉, 扎西．多吉, 扎西.多吉, 扎西・多吉 …, written by imports before they
normalised names as the forms do) take the one middle dot "·", so a search for 扎西·多吉 finds them and the forms
can save them again. Each changed member gets a history record (who: the system; reason: this migration) and a
new version, as any change; the household's 户主姓名 follows its head. Nothing else about a name is changed
here: a name the forms would refuse for another reason (digits, a note) is left for a person to correct."""

import unicodedata

from django.db import migrations
from django.db.models import Q

# As core.names.DOT_VARIANTS when this migration was written (frozen here: a migration's meaning never moves).
DOT_VARIANTS = "·•‧・．.⋅･∙⸱"
MIDDLE_DOT = "·"
REASON = "数据迁移：姓名中的间隔号统一为“·”"


def _unified(name: str) -> str:
    text = " ".join(unicodedata.normalize("NFC", name).split())
    text = "".join(MIDDLE_DOT if ch in DOT_VARIANTS else ch for ch in text)
    return text.replace(" · ", MIDDLE_DOT).replace(" ·", MIDDLE_DOT).replace("· ", MIDDLE_DOT)


def unify_dots(apps, schema_editor):
    member_model = apps.get_model("registry", "Member")
    household_model = apps.get_model("registry", "Household")
    change_model = apps.get_model("audit", "ChangeRecord")
    query = Q()
    for dot in DOT_VARIANTS:
        query |= Q(name__contains=dot)
    changed = 0
    for member in member_model.objects.filter(query).select_related("household").iterator(chunk_size=2000):
        name = _unified(member.name)
        if name == member.name:
            continue
        before = member.name
        member_model.objects.filter(pk=member.pk).update(name=name, version=member.version + 1)
        change_model.objects.create(
            actor=None, action="update", object_type="member", object_id=str(member.pk),
            object_label=name[:200], household_id=member.household_id, region_code=member.household.village_id,
            before={"name": before}, after={"name": name}, reason=REASON)
        if member.relation == "head" and member.household.head_name == before:
            household_model.objects.filter(pk=member.household_id).update(head_name=name)
        changed += 1
    if changed:
        print(f"\n  已将 {changed} 名成员姓名中的间隔号统一为“·”（每人一条变更记录）。")


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0008_reindex_resident_numbers_under_other_types"),
        ("audit", "0005_security_events"),
    ]

    operations = [
        migrations.RunPython(unify_dots, migrations.RunPython.noop, elidable=True),
    ]
