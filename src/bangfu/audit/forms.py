from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.audit.models import ChangeRecord

OBJECT_TYPES = [("", _("全部对象")), ("household", _("农户")), ("member", _("家庭成员")), ("incomerecord", _("收入记录")),
                ("monitoringline", _("监测范围")), ("user", _("用户")), ("demo", _("演示数据"))]


class AuditFilterForm(forms.Form):
    view = forms.ChoiceField(required=False, choices=[("changes", _("变更记录")), ("reveals", _("敏感信息查看与导出")),
                                                       ("security", _("安全事件"))],
                             widget=forms.HiddenInput)
    actor = forms.CharField(label=_("操作人"), required=False,
                            widget=forms.TextInput(attrs={"placeholder": _("操作人用户名或姓名"), "type": "search"}))
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部操作"))] + list(ChangeRecord.Action.choices))
    object_type = forms.ChoiceField(label=_("对象"), required=False, choices=OBJECT_TYPES)
    date_from = forms.DateField(label=_("自"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
