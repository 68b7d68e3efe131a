"""The days the comparison and the notice were recorded (filled from the decisions already kept), and the
democratic review's "not approved" branch added to a table the county already has (a fresh table gets it from
the shipped defaults). The self-report limit becomes a setting the county edits."""

from django.db import migrations, models
from django.utils import timezone

REVIEW_NOT_APPROVED = {"from_state": "village_review", "to_state": "rejected", "role": "village_cadre",
                       "label": "评议不通过", "preconditions": ["review_recorded", "reason_given"],
                       "deadline_days": None, "working_days": False, "position": 8}


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Decision = apps.get_model("cases", "Decision")
    Transition = apps.get_model("cases", "Transition")
    for field, condition in (("comparison_recorded_on", {"from_state": "comparison", "to_state": "village_review"}),
                             ("notice_recorded_on", {"to_state": "notice"})):
        latest = {}
        for case_id, at in Decision.objects.filter(**condition).order_by("at", "id").values_list("case_id", "at"):
            latest[case_id] = timezone.localdate(at) if timezone.is_aware(at) else at.date()
        for case_id, day in latest.items():
            Case.objects.filter(pk=case_id).update(**{field: day})
    if Transition.objects.exists():
        for kind in ("identification", "elimination"):
            Transition.objects.get_or_create(kind=kind, from_state="village_review", to_state="rejected",
                                             role="village_cadre", defaults=REVIEW_NOT_APPROVED)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_case_keeps_its_lead'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='comparison_recorded_on',
            field=models.DateField(blank=True, null=True, verbose_name='信息比对完成日期'),
        ),
        migrations.AddField(
            model_name='case',
            name='notice_recorded_on',
            field=models.DateField(blank=True, null=True, verbose_name='公示录入日期'),
        ),
        migrations.AddField(
            model_name='workflowsettings',
            name='self_reports_per_hour',
            field=models.PositiveSmallIntegerField(default=5, verbose_name='同一来源每小时最多自主申报次数'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
