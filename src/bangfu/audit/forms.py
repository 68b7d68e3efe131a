from django import forms

from bangfu.audit.models import ChangeRecord

OBJECT_TYPES = [("", "全部对象"), ("household", "农户"), ("member", "家庭成员"), ("incomerecord", "收入记录"),
                ("monitoringline", "监测范围"), ("user", "用户"), ("demo", "演示数据")]


class AuditFilterForm(forms.Form):
    view = forms.ChoiceField(required=False, choices=[("changes", "变更记录"), ("reveals", "敏感信息查看与导出")],
                             widget=forms.HiddenInput)
    actor = forms.CharField(label="操作人", required=False,
                            widget=forms.TextInput(attrs={"placeholder": "操作人用户名或姓名", "type": "search"}))
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "全部操作")] + list(ChangeRecord.Action.choices))
    object_type = forms.ChoiceField(label="对象", required=False, choices=OBJECT_TYPES)
    date_from = forms.DateField(label="自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
