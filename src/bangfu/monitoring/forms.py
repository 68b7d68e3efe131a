from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.monitoring.models import RiskType
from bangfu.web.forms import Form


class MonitoringLineForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("人均纯收入监测线（元）"), max_digits=10, decimal_places=2)
    source = forms.CharField(label=_("依据文件"), max_length=200, required=False,
                             help_text=_("如：省乡村振兴局关于确定2026年度防止返贫监测范围的通知"))


class WarningFilterForm(Form):
    region = forms.CharField(required=False, widget=forms.HiddenInput)
    rule = forms.ChoiceField(label=_("规则"), required=False)
    state = forms.ChoiceField(label=_("状态"), required=False, initial="open",
                              choices=[("open", _("待核实")), ("confirmed", _("核实属实")), ("dismissed", _("核实排除")),
                                       ("all", _("全部"))])
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)
    suspected = forms.BooleanField(label=_("只看疑似不符合"), required=False)

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("全部规则"))] + [(r.code, r.name) for r in rules]


class WarningVerifyForm(Form):
    outcome = forms.ChoiceField(label=_("核实结果"), widget=forms.RadioSelect,
                                choices=[("confirmed", _("核实属实（转为识别线索）")), ("dismissed", _("核实排除"))])
    visit_date = forms.DateField(label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"}))
    visit_notes = forms.CharField(label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 3}))
    dismiss_reason = forms.CharField(label=_("排除理由"), max_length=300, required=False,
                                     help_text=_("核实排除时必填，如：已由商业保险报销、收入数据有误"))


class RuleForm(Form):
    enabled = forms.BooleanField(label=_("启用"), required=False)
    verify_days = forms.IntegerField(label=_("核实时限（天）"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("修改依据"), max_length=200, required=False,
                             help_text=_("如：县防返贫监测工作领导小组会议纪要〔2026〕3号"))

    def __init__(self, *args, rule, **kwargs):
        from bangfu.monitoring.rules import DEFAULTS_BY_CODE

        super().__init__(*args, **kwargs)
        self.specs = DEFAULTS_BY_CODE[rule.code].specs if rule.code in DEFAULTS_BY_CODE else ()
        for spec in self.specs:
            value = rule.params.get(spec.key, "")
            initial = ", ".join(value) if isinstance(value, list) else value
            self.fields[f"param_{spec.key}"] = forms.CharField(label=spec.label, initial=initial, required=False)
        self.fields["enabled"].initial = rule.enabled
        self.fields["verify_days"].initial = rule.verify_days
        self.order_fields([f"param_{spec.key}" for spec in self.specs] + ["verify_days", "enabled", "reason"])

    def params(self) -> dict:
        return {spec.key: self.cleaned_data.get(f"param_{spec.key}", "") for spec in self.specs}


class FeedUploadForm(Form):
    kind = forms.ChoiceField(label=_("数据类型"))
    period = forms.RegexField(label=_("数据月份"), regex=r"^\d{4}-\d{2}$", help_text=_("格式 YYYY-MM，如 2025-05"),
                              error_messages={"invalid": _("格式应为 YYYY-MM，如 2025-05")})
    file = forms.FileField(label=_("数据文件"), help_text=_(".xlsx、.xls、.ods 或 .csv；表头上方可以有标题行"))

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the kinds the uploader's department sends (monitoring.feeds.feed_kinds_for).
        self.fields["kind"].choices = [(code, f"{kind.label}（{kind.department.label}）") for code, kind in kinds.items()]


RISK_CHOICES = [(value, label) for value, label in RiskType.choices if value != RiskType.EXCLUSION]


class SelfReportForm(Form):
    name = forms.CharField(label=_("户主姓名"), max_length=30)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    id_number = forms.CharField(label=_("身份证号"), max_length=25)
    village = forms.ChoiceField(label=_("所在村"))
    risk_type = forms.ChoiceField(label=_("遇到的困难类型"), choices=RISK_CHOICES)
    difficulty = forms.CharField(label=_("困难情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                                 help_text=_("如：丈夫住院花了三万多元，家里没有收入"))
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # left empty by people, filled by robots

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("请选择"))] + list(villages)


class LeadForm(Form):
    risk_type = forms.ChoiceField(label=_("风险类型"), choices=RISK_CHOICES)
    difficulty = forms.CharField(label=_("走访发现的困难"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


class LeadFilterForm(Form):
    """The lead list's filters (the page's two selects; its export names them)."""

    state = forms.ChoiceField(label=_("状态"), required=False)
    source = forms.ChoiceField(label=_("来源"), required=False)

    def __init__(self, *args, **kwargs):
        from bangfu.monitoring.models import Lead

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("全部")), *Lead.State.choices]
        self.fields["source"].choices = [("", _("全部")), *Lead.Source.choices]
