"""The audit log's filters, declared once (see bangfu.web.filters)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.audit.models import ChangeRecord
from bangfu.web.filters import Filter, FilterSet

OBJECT_TYPES = [("", _("全部对象")), ("household", _("农户")), ("member", _("家庭成员")), ("incomerecord", _("收入记录")),
                ("monitoringline", _("监测范围")), ("user", _("用户")), ("demo", _("演示数据"))]

AUDIT_FILTERS = FilterSet("Audit", (
    Filter("view", lambda: forms.ChoiceField(required=False, widget=forms.HiddenInput, choices=[
        ("changes", _("变更记录")), ("reveals", _("敏感信息查看与导出")), ("security", _("安全事件"))])),
    Filter("actor", lambda: forms.CharField(label=_("操作人"), required=False, max_length=60, widget=forms.TextInput(
        attrs={"placeholder": _("操作人用户名或姓名"), "type": "search"}))),
    Filter("action", lambda: forms.ChoiceField(label=_("操作"), required=False,
                                               choices=[("", _("全部操作"))] + list(ChangeRecord.Action.choices))),
    Filter("object_type", lambda: forms.ChoiceField(label=_("对象"), required=False, choices=OBJECT_TYPES)),
    Filter("date_from", lambda: forms.DateField(label=_("自"), required=False,
                                                widget=forms.DateInput(attrs={"type": "date"}))),
    Filter("date_to", lambda: forms.DateField(label=_("至"), required=False,
                                              widget=forms.DateInput(attrs={"type": "date"}))),
))
