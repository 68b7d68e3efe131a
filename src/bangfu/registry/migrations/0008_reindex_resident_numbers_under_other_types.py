"""Members registered as 其他 or 残疾人证 whose number is a resident ID number: index them as that person (the rule
the registry keeps since), so the unique index and a search by ID number find them. The same person registered
twice is reported (log and output; `bangfu check-duplicates` lists it again), never merged, and does not stop the
migration."""

from django.db import migrations


def reindex(apps, schema_editor):
    from bangfu.core.keys import KeyFileError
    from bangfu.registry.duplicates import duplicate_line, members_identity_reindex, reindex_report

    member_model = apps.get_model("registry", "Member")
    try:
        result = members_identity_reindex(member_model=member_model)
    except KeyFileError as error:
        # The key guard has refused before a real `bangfu migrate` gets here; say it rather than fail.
        print(f"\n  未能重建证件号码索引（{error.message}）。找回密钥后运行 bangfu check-duplicates。")
        return
    reindex_report(result)
    if result.reindexed:
        print(f"\n  已按身份证号重建 {result.reindexed} 名成员的证件号码索引（原登记为其他证件类型）。")
    for duplicate in result.duplicates:
        print("\n  " + duplicate_line(duplicate) + "。请核实后删除重复的一条；运行 bangfu check-duplicates 查看。")


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0007_income_record_marks_what_the_ledger_gave"),
    ]

    operations = [
        migrations.RunPython(reindex, migrations.RunPython.noop, elidable=True),
    ]
