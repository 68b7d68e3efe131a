"""Forms of the case pages. Each step's form shows only what that step records."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.roles import Role
from bangfu.cases.choices import (
    MAX_RISKS,
    OPEN_STATES,
    CaseKind,
    CaseSource,
    CaseState,
    EliminationKind,
    MeasureGroup,
    MeasureStatus,
    RiskType,
)
from bangfu.cases.models import Case, MeasureCategory, Transition
from bangfu.cases.workflow import PRECONDITIONS
from bangfu.registry.choices import MonitoringType
from bangfu.web.forms import Form

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads


class CaseOpenForm(Form):
    source = forms.ChoiceField(label=_("线索来源"), choices=[c for c in CaseSource.choices if c[0] != "warning"])
    lead_date = forms.DateField(label=_("线索发现日期"), widget=DATE)
    summary = forms.CharField(label=_("困难情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


# Which fields a step records, by (from state, to state); the approval by kind.
STEP_FIELDS_FOR = {
    (CaseState.VERIFICATION, CaseState.COMPARISON): ("commitment_signed_on", "verification_notes"),
    (CaseState.COMPARISON, CaseState.VILLAGE_REVIEW): ("comparison_result",),
    (CaseState.VILLAGE_REVIEW, CaseState.NOTICE): ("review_date", "review_participants", "review_outcome",
                                                   "notice_started_on"),
}
APPROVAL_FIELDS = {CaseKind.IDENTIFICATION: ("monitoring_type", "risk_types", "identified_month"),
                   CaseKind.ELIMINATION: ("elimination_kind",)}


def step_field_names(transition: Transition) -> tuple[str, ...]:
    if transition.to_state == CaseState.APPROVED:
        return APPROVAL_FIELDS.get(transition.kind, ())
    if transition.to_state == CaseState.REJECTED:
        if transition.from_state == CaseState.VILLAGE_REVIEW:  # 评议不通过: the review is recorded with its reason
            return ("review_date", "review_participants", "review_outcome", "reason")
        return ("reason",)
    return STEP_FIELDS_FOR.get((transition.from_state, transition.to_state), ())


class StepForm(Form):
    """One step of the table: the fields it records, a comment, and the version the page was read at."""

    commitment_signed_on = forms.DateField(label=_("承诺授权书签署日期"), widget=DATE)
    verification_notes = forms.CharField(label=_("入户核实情况"), widget=forms.Textarea(attrs={"rows": 2}))
    comparison_result = forms.CharField(label=_("信息比对结果"), widget=forms.Textarea(attrs={"rows": 2}))
    review_date = forms.DateField(label=_("民主评议日期"), widget=DATE)
    review_participants = forms.CharField(label=_("参会人员"), max_length=300)
    review_outcome = forms.CharField(label=_("评议结果"), max_length=300)
    notice_started_on = forms.DateField(label=_("公示开始日期"), widget=DATE)
    monitoring_type = forms.ChoiceField(label=_("监测对象类别"), choices=[c for c in MonitoringType.choices if c[0]])
    risk_types = forms.MultipleChoiceField(label=_("风险类型（1至5项）"), choices=RiskType.choices,
                                           widget=forms.CheckboxSelectMultiple)
    identified_month = forms.CharField(label=_("识别监测时间（YYYYMM）"), max_length=6)
    elimination_kind = forms.ChoiceField(label=_("消除类型"), choices=EliminationKind.choices)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))
    comment = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, transition: Transition, case: Case | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        keep = set(step_field_names(transition)) | {"comment", "version"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
            elif name not in ("comment", "version"):
                self.fields[name].required = False  # the service's preconditions name what is missing
        self.transition = transition
        if case is not None and not self.is_bound:
            self.initial = {name: getattr(case, name) for name in keep if hasattr(case, name)}
            self.initial["version"] = case.version
        if "risk_types" in self.fields:
            self.fields["risk_types"].help_text = _("最多%(max)s项") % {"max": MAX_RISKS}

    def step_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("comment", "version") and v not in ("", None)}


class MeasureForm(Form):
    category = forms.ModelChoiceField(label=_("措施类别"), queryset=MeasureCategory.objects.none())
    description = forms.CharField(label=_("措施内容"), max_length=200)
    start_on = forms.DateField(label=_("开始日期"), widget=DATE)
    end_on = forms.DateField(label=_("结束日期"), required=False, widget=DATE)
    amount = forms.DecimalField(label=_("金额（元）"), required=False, max_digits=12, decimal_places=2)
    responsible = forms.CharField(label=_("责任单位或责任人"), max_length=100)
    status = forms.ChoiceField(label=_("状态"), choices=MeasureStatus.choices)

    def __init__(self, *args, region_code: str | None = None, keep: int | None = None, **kwargs):
        """The active categories of the catalogue in force at `region_code` (the household's village), and the
        measure's own category when it is edited (`keep`: recorded under a catalogue the county since replaced)."""
        from django.db.models import Q

        from bangfu.regions.config import config_rows

        super().__init__(*args, **kwargs)
        in_force = config_rows(MeasureCategory, region_code).filter(is_active=True)
        self.fields["category"].queryset = (MeasureCategory.objects.filter(Q(pk__in=in_force.values("pk"))
                                                                           | Q(pk=keep)) if keep else in_force)


class ContactForm(Form):
    name = forms.CharField(label=_("帮扶联系人"), max_length=50)
    post = forms.CharField(label=_("单位及职务"), max_length=100, required=False)
    since = forms.DateField(label=_("联系起始日期"), required=False, widget=DATE)


class VisitForm(Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=DATE)
    notes = forms.CharField(label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 3}))
    per_capita_income = forms.DecimalField(label=_("人均纯收入（元，走访时测算）"), required=False, max_digits=12,
                                           decimal_places=2, widget=forms.NumberInput(attrs={"inputmode": "decimal"}))


class EliminationForm(Form):
    elimination_kind = forms.ChoiceField(label=_("消除类型"), choices=EliminationKind.choices)
    summary = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReverseForm(Form):
    comment = forms.CharField(label=_("返贫风险情况"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class SettingsForm(Form):
    decision_days = forms.IntegerField(label=_("从线索到识别结论的期限（天）"), min_value=1, max_value=90)
    decision_working_days = forms.BooleanField(label=_("期限按工作日计算"), required=False)
    notice_min_days = forms.IntegerField(label=_("公示最少天数"), min_value=1, max_value=30)
    elimination_min_months = forms.IntegerField(label=_("消除前至少监测月数"), min_value=1, max_value=36)
    income_stable_months = forms.IntegerField(label=_("收入稳定超过监测线的月数"), min_value=1, max_value=24)
    measure_due_days = forms.IntegerField(label=_("识别后落实帮扶措施的期限（天）"), min_value=1, max_value=180)
    max_member_age = forms.IntegerField(label=_("成员年龄核查上限（岁）"), min_value=90, max_value=150)
    self_reports_per_hour = forms.IntegerField(label=_("同一来源每小时最多自主申报次数"), min_value=1, max_value=100)


# The measure-to-risk table on the same page: one row of boxes per risk type (WorkflowSettings.risk_measure_groups).
RISK_FIELDS = {f"measures_for_{code}": code for code in RiskType.values}
for _name, _code in RISK_FIELDS.items():
    SettingsForm.base_fields[_name] = forms.MultipleChoiceField(
        label=format_lazy(_("{risk}风险须有的措施归类"), risk=RiskType(_code).label), required=False,
        choices=MeasureGroup.choices, widget=forms.CheckboxSelectMultiple)


def settings_form_initial(settings) -> dict:
    initial = {f: getattr(settings, f) for f in SettingsForm.base_fields if f not in RISK_FIELDS}
    initial.update({name: settings.risk_measure_groups.get(code, []) for name, code in RISK_FIELDS.items()})
    return initial


def settings_form_data(form: SettingsForm) -> dict:
    data = {k: v for k, v in form.cleaned_data.items() if k not in RISK_FIELDS}
    data["risk_measure_groups"] = {code: form.cleaned_data.get(name) or [] for name, code in RISK_FIELDS.items()}
    return data


class MeasureCategoryForm(Form):
    """One row of the measure catalogue: its name, its limits (小额信贷: 50,000 元, 36 months shipped), active."""

    name = forms.CharField(label=_("措施类别"), max_length=60)
    amount_limit = forms.DecimalField(label=_("金额上限（元，留空不设）"), required=False, max_digits=12,
                                      decimal_places=2, min_value=0)
    term_limit_months = forms.IntegerField(label=_("期限上限（月，留空不设）"), required=False, min_value=1,
                                           max_value=600)
    is_active = forms.BooleanField(label=_("启用"), required=False)


class TransitionForm(Form):
    label = forms.CharField(label=_("操作名称"), max_length=40)
    role = forms.ChoiceField(label=_("办理角色"), choices=Role.choices)
    preconditions = forms.MultipleChoiceField(label=_("前置条件"), required=False,
                                              widget=forms.CheckboxSelectMultiple,
                                              choices=[(k, v.label) for k, v in PRECONDITIONS.items()])
    deadline_days = forms.IntegerField(label=_("下一环节期限（天，留空不设）"), required=False, min_value=0,
                                       max_value=90)
    working_days = forms.BooleanField(label=_("按工作日计算"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)


# The list's states: open, the home queue's due groups (cases.due), each workflow state, all.
CASE_LIST_STATES = [("open", _("未办结")), ("overdue", _("已逾期")), ("due_today", _("今天到期")),
                    ("due_week", _("本周到期")), *CaseState.choices, ("all", _("全部"))]


class CaseFilterForm(Form):
    """The case list's filters (the page's two selects; its export names them)."""

    state = forms.ChoiceField(label=_("环节"), required=False, choices=CASE_LIST_STATES)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *CaseKind.choices])
    mine = forms.BooleanField(label=_("只看须由我办理的环节"), required=False)
    # Set by the dashboards' links (overdue cases of one step under one region), kept by paging and the export.
    region = forms.CharField(required=False, max_length=12, widget=forms.HiddenInput)
    step = forms.ChoiceField(label=_("环节"), required=False, widget=forms.HiddenInput,
                             choices=[("", "")] + [(s.value, s.label) for s in OPEN_STATES])


class LeadCloseForm(Form):
    reason = forms.CharField(label=_("关闭理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
                             help_text=_("如：重复申报，已并入同户的线索；该户已是监测对象，新增困难由帮扶措施跟进"))


class LeadRegisterForm(Form):
    """An unmatched self-report: a new household of its village, or a member of a household already registered."""

    mode = forms.ChoiceField(label=_("登记为"), widget=forms.RadioSelect, initial="household",
                             choices=[("household", _("新农户（申报人为户主）")), ("member", _("已有农户的成员"))])
    group = forms.CharField(label=_("组"), max_length=20, required=False, help_text=_("登记为新农户时填写，如 3组"))
    household_number = forms.CharField(label=_("户编号"), max_length=30, required=False,
                                       help_text=_("登记为已有农户的成员时填写该户的户编号"))
    relation = forms.ChoiceField(label=_("与户主关系"), required=False)

    def __init__(self, *args, **kwargs):
        from bangfu.registry.choices import Relation

        super().__init__(*args, **kwargs)
        self.fields["relation"].choices = [("", "---------")] + [c for c in Relation.choices if c[0] != "head"]

    def clean(self):
        data = super().clean()
        if data.get("mode") == "member":
            if not (data.get("household_number") or "").strip():
                self.add_error("household_number", _("户编号：登记为已有农户的成员时必填"))
            if not data.get("relation"):
                self.add_error("relation", _("与户主关系：登记为已有农户的成员时必填"))
        return data
