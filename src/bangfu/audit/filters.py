"""The audit log's filters, declared once (see bangfu.web.filters)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.audit.models import ChangeRecord
from bangfu.web.filters import Filter, FilterSet

OBJECT_TYPES = [("", _("全部对象")), ("household", _("农户")), ("member", _("家庭成员")), ("incomerecord", _("收入记录")),
                ("monitoringline", _("监测范围")), ("user", _("用户")), ("demo", _("演示数据")),
                # identification and assistance of households (cases)
                ("riskwarning", _("预警")), ("lead", _("识别线索")), ("case", _("案件")), ("measure", _("帮扶措施")),
                ("visit", _("走访记录")),
                # paired assistance (assistance): units, cadres, plan, the ledgers, the meeting, findings
                ("unit", _("帮扶单位")), ("linkedvillage", _("联系点")), ("cadre", _("帮扶干部")),
                ("checkin", _("驻村签到")), ("leaverequest", _("请假申请")), ("plan", _("帮扶工作规划")),
                ("plantarget", _("规划目标")), ("fund", _("帮扶资金")), ("project", _("帮扶项目")),
                ("donation", _("捐赠")), ("training", _("培训")), ("producetrade", _("消费帮扶")),
                ("leadervisit", _("领导调研")), ("jointmeeting", _("联席会议")), ("task", _("督办事项")),
                ("finding", _("整改问题"))]

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
