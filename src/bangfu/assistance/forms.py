"""Forms of the assistance pages. Field rules live in the models and services; these only shape the input."""

from django import forms
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _

from bangfu.assistance.ledger import LedgerKind
from bangfu.assistance.models import (
    AssistanceNeed,
    AssistanceRole,
    Cadre,
    CadreSpeech,
    Finding,
    JointMeeting,
    Project,
    Task,
    Unit,
)
from bangfu.regions.models import Region
from bangfu.web.forms import Form, ModelForm


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _villages(county_code: str):
    return Region.objects.filter(level="village", code__startswith=county_code[:6]).select_related("parent")


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        from bangfu.assistance.selectors import village_label

        return village_label(obj)


def ledger_form_class(kind: LedgerKind):
    widgets = {"date": DateInput(), "seen": forms.Textarea(attrs={"rows": 3})}
    return modelform_factory(kind.model, form=ModelForm, fields=kind.fields, widgets=widgets,
                             field_classes={"village": VillageChoiceField})


def ledger_form(kind: LedgerKind, unit, *args, **kwargs):
    """The kind's form with the village offered from the unit's county and projects from the unit's own."""
    form = ledger_form_class(kind)(*args, **kwargs)
    if "village" in form.fields:
        form.fields["village"].queryset = _villages(unit.county_id)
    if "project" in form.fields:
        form.fields["project"].queryset = Project.objects.filter(unit=unit)
    for name in ("amount", "budget", "value"):
        if name in form.fields:
            form.fields[name].widget.attrs.update({"inputmode": "decimal", "min": "0"})
    for name in ("participants", "people", "beneficiaries"):
        if name in form.fields:
            form.fields[name].widget.attrs.update({"inputmode": "numeric", "min": "0"})
    return form


class DeleteForm(Form):
    reason = forms.CharField(label=_("删除原因"), max_length=200)


class EvidenceForm(Form):
    file = forms.FileField(label=_("佐证材料（JPG、PNG 或 PDF）"))


class PeriodForm(Form):
    since = forms.DateField(label=_("起始日期"), widget=DateInput())
    until = forms.DateField(label=_("截止日期"), widget=DateInput(), required=False)


class LedgerFilterForm(Form):
    """The ledger list's filter. Besides unit and year, what a figure's link carries (assistance indicators):
    the period it sums, the indicator it is (`indicator=`, whose own condition the list applies: e.g. flow:invested
    for 直接投入帮扶资金), a direction and a place, so the list shows exactly its rows."""

    unit = forms.ChoiceField(label=_("帮扶单位"), required=False)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2015, max_value=2100)
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.HiddenInput)
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.HiddenInput)
    # Set by the dashboards' links: a period other than a year, one indicator's entries (its own filter, as
    # reports.assistance_indicators defines it) and one of the five directions (projects).
    indicator = forms.CharField(label=_("指标"), required=False, max_length=40, widget=forms.HiddenInput)
    direction = forms.CharField(label=_("方向"), required=False, max_length=20, widget=forms.HiddenInput)
    region = forms.CharField(label=_("区划"), required=False, max_length=12, widget=forms.HiddenInput)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("全部单位"))] + [(str(u.pk), u.label) for u in units]


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.username}（{obj.display_name}，{obj.place_label}）"


class CadreForm(ModelForm):
    """A cadre's record; an account manager also links the account the cadre signs in with, or makes one."""

    new_username = forms.CharField(label=_("或新建账号：用户名"), max_length=150, required=False,
                                   help_text=_("新账号为“村干部/驻村工作队”，绑定所驻村"))
    new_password = forms.CharField(label=_("新账号初始密码"), required=False,
                                   widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}))

    class Meta:
        model = Cadre
        fields = ("name", "kind", "post", "village", "term_start", "term_end", "user")
        widgets = {"term_start": DateInput(), "term_end": DateInput()}
        field_classes = {"village": VillageChoiceField, "user": AccountChoiceField}

    def __init__(self, *args, county_code: str, accounts=None, **kwargs):
        """`accounts`: the accounts the actor may link (None: the actor links none, and the fields are not shown)."""
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = _villages(county_code)
        if accounts is None:
            for name in ("user", "new_username", "new_password"):
                del self.fields[name]
        else:
            self.fields["user"].queryset = accounts
            self.fields["user"].label = _("干部本人的系统账号")
            self.fields["user"].required = False

    def clean(self):
        data = super().clean()
        if data.get("new_username") and data.get("user"):
            self.add_error("new_username", _("已选择已有账号，不能同时新建账号"))
        if data.get("new_username") and not data.get("new_password"):
            self.add_error("new_password", _("新建账号须设置初始密码"))
        return data


class CadreEndForm(Form):
    end = forms.DateField(label=_("离任日期"), widget=DateInput())
    reason = forms.CharField(label=_("离任原因"), max_length=200)


class CadreFilterForm(Form):
    """The cadre list's one filter: serving (在任), past (已离任) or all."""

    status = forms.ChoiceField(label=_("状态"), required=False, initial="serving",
                               choices=[("serving", _("在任")), ("past", _("已离任")), ("all", _("全部"))])


class CheckInForm(Form):
    date = forms.DateField(label=_("日期"), widget=DateInput())
    village = VillageChoiceField(label=_("村"), queryset=Region.objects.none())
    log = forms.CharField(label=_("工作日志"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    latitude = forms.DecimalField(label=_("纬度"), required=False, max_digits=9, decimal_places=6,
                                  widget=forms.HiddenInput())
    longitude = forms.DecimalField(label=_("经度"), required=False, max_digits=9, decimal_places=6,
                                   widget=forms.HiddenInput())

    def __init__(self, *args, county_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = _villages(county_code)


class LeaveForm(Form):
    start = forms.DateField(label=_("开始日期"), widget=DateInput())
    end = forms.DateField(label=_("结束日期"), widget=DateInput())
    reason = forms.CharField(label=_("事由"), max_length=200)


class LeaveDecideForm(Form):
    approve = forms.ChoiceField(choices=[("1", _("批准")), ("0", _("不批准"))])
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)


class UnitContactForm(Form):
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_post = forms.CharField(label=_("联系人职务"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话（办公）"), max_length=30, required=False)


class MeetingForm(ModelForm):
    class Meta:
        model = JointMeeting
        fields = ("title", "date", "place", "chair", "units", "reports_since", "attendance", "agenda",
                  "county_reporter", "county_report", "plan", "plan_review", "requirements", "minutes")
        widgets = {"date": DateInput(), "reports_since": DateInput(), "units": forms.CheckboxSelectMultiple,
                   **{name: forms.Textarea(attrs={"rows": 4}) for name in (
                       "attendance", "agenda", "county_report", "plan_review", "requirements", "minutes")}}


class SpeechForm(ModelForm):
    class Meta:
        model = CadreSpeech
        fields = ("cadre", "text", "position")
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class NeedForm(ModelForm):
    class Meta:
        model = AssistanceNeed
        fields = ("need", "owner_unit", "owner", "deadline")
        widgets = {"deadline": DateInput()}


class NeedProgressForm(Form):
    owner_unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("状态"), choices=AssistanceNeed.Status.choices)
    progress = forms.CharField(label=_("进展"), max_length=200, required=False)


class TaskForm(ModelForm):
    class Meta:
        model = Task
        fields = ("decision", "owner_unit", "owner", "deadline")
        widgets = {"deadline": DateInput()}


class TaskProgressForm(Form):
    status = forms.ChoiceField(label=_("状态"), choices=Task.Status.choices)
    progress = forms.CharField(label=_("进展"), max_length=200, required=False)


class UnitReportForm(Form):
    text = forms.CharField(label=_("汇报内容"), widget=forms.Textarea(attrs={"rows": 8}))


class FindingForm(ModelForm):
    class Meta:
        model = Finding
        fields = ("source", "found_on", "description", "owner_unit", "owner", "measures", "deadline")
        widgets = {"found_on": DateInput(), "deadline": DateInput(), "description": forms.Textarea(attrs={"rows": 3}),
                   "measures": forms.Textarea(attrs={"rows": 3})}


class RectifyForm(Form):
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 4}))
    done = forms.BooleanField(label=_("整改完成，申请销号"), required=False)


class GradesForm(Form):
    """Up to four grades, highest first: 好 ≥ x, 较好 ≥ y ..."""

    label_1 = forms.CharField(label=_("等次一"), max_length=10)
    min_1 = forms.DecimalField(label=_("最低得分"), max_digits=5, decimal_places=1)
    label_2 = forms.CharField(label=_("等次二"), max_length=10, required=False)
    min_2 = forms.DecimalField(label=_("最低得分"), max_digits=5, decimal_places=1, required=False)
    label_3 = forms.CharField(label=_("等次三"), max_length=10, required=False)
    min_3 = forms.DecimalField(label=_("最低得分"), max_digits=5, decimal_places=1, required=False)
    label_4 = forms.CharField(label=_("等次四"), max_length=10, required=False)
    min_4 = forms.DecimalField(label=_("最低得分"), max_digits=5, decimal_places=1, required=False)

    def grades(self):
        data = self.cleaned_data
        return [(data[f"label_{n}"], data[f"min_{n}"]) for n in range(1, 5)
                if data.get(f"label_{n}") and data.get(f"min_{n}") is not None]


class QuotaForm(Form):
    days_per_month = forms.IntegerField(label=_("每月在村天数"))
    days_per_year = forms.IntegerField(label=_("每年在村天数"))
    township_approves_up_to = forms.IntegerField(label=_("乡镇可批准的请假天数"))


class RolesForm(Form):
    from bangfu.assistance.models import AssistanceRole

    roles = forms.MultipleChoiceField(label=_("每个帮扶村须有的帮扶力量"), choices=AssistanceRole.choices,
                                      widget=forms.CheckboxSelectMultiple, required=False)


class CountyIndicatorForm(Form):
    from bangfu.assistance.models import CountyIndicator

    key = forms.SlugField(label=_("代码"), max_length=40)
    label = forms.CharField(label=_("指标名称"), max_length=50)
    measure = forms.CharField(label=_("计量单位"), max_length=10, required=False)
    ledger_kind = forms.ChoiceField(label=_("台账"))
    aggregate = forms.ChoiceField(label=_("统计方式"), choices=CountyIndicator.Aggregate.choices)
    field = forms.CharField(label=_("合计字段"), max_length=30, required=False)
    filter_field = forms.CharField(label=_("筛选字段"), max_length=30, required=False)
    filter_value = forms.CharField(label=_("筛选值"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        from bangfu.assistance.ledger import LEDGER_KINDS

        super().__init__(*args, **kwargs)
        self.fields["ledger_kind"].choices = [(k.key, k.label) for k in LEDGER_KINDS]


class TargetForm(Form):
    unit = forms.ModelChoiceField(label=_("帮扶单位"), queryset=None)
    year = forms.IntegerField(label=_("年度"))
    indicator = forms.ChoiceField(label=_("指标"))
    target = forms.DecimalField(label=_("目标值"), max_digits=14, decimal_places=2)

    def __init__(self, *args, units, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["indicator"].choices = [(i.key, f"{i.label}（{i.measure}）") for i in indicators]


# --- setting the work up (assistance.setup) ------------------------------------------------------------------------

class UnitSetupForm(Form):
    name = forms.CharField(label=_("单位名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=Unit.Kind.choices)
    is_lead = forms.BooleanField(label=_("牵头单位"), required=False,
                                 help_text=_("一个县只有一家牵头单位，负责组织联席会议"))
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_post = forms.CharField(label=_("联系人职务"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话（办公）"), max_length=30, required=False)


class LinkForm(Form):
    village = VillageChoiceField(label=_("联系村"), queryset=Region.objects.none())
    since = forms.DateField(label=_("起始日期"), widget=DateInput())
    until = forms.DateField(label=_("结束日期"), widget=DateInput(), required=False,
                            help_text=_("不填表示仍在联系"))

    def __init__(self, *args, county_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = _villages(county_code)


class EndForm(Form):
    until = forms.DateField(label=_("结束日期"), widget=DateInput())


class PlanCreateForm(Form):
    name = forms.CharField(label=_("规划名称"), max_length=100)
    start_year = forms.IntegerField(label=_("起始年度"))
    end_year = forms.IntegerField(label=_("终止年度"))
    text = forms.CharField(label=_("规划正文（征求意见稿）"), widget=forms.Textarea(attrs={"rows": 8}), required=False)


class PlanVersionForm(Form):
    text = forms.CharField(label=_("规划正文"), widget=forms.Textarea(attrs={"rows": 12}))
    note = forms.CharField(label=_("修改说明"), max_length=200, required=False)


class PlanCommentForm(Form):
    text = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}))


class PlanAdoptForm(Form):
    adopted_on = forms.DateField(label=_("印发日期"), widget=DateInput())


class TargetGridForm(Form):
    """A unit's targets for every year and indicator of the plan: one field per cell, named setup.grid_key."""

    def __init__(self, *args, plan, indicators, **kwargs):
        from bangfu.assistance.setup import grid_key

        super().__init__(*args, **kwargs)
        self.rows = []
        for year in plan.years:
            row = []
            for indicator in indicators:
                name = grid_key(year, indicator.key)
                self.fields[name] = forms.CharField(
                    label=_("%(year)s年%(indicator)s") % {"year": year, "indicator": indicator.label},
                    max_length=20, required=False,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}))
                row.append(name)
            self.rows.append((year, row))

    def cells(self):
        return [(year, [self[name] for name in names]) for year, names in self.rows]


class TargetSheetForm(Form):
    file = forms.FileField(label=_("目标表（.xlsx）"))


HOLDER_ROLE_CHOICES = [(k, v) for k, v in AssistanceRole.choices if k != AssistanceRole.ASSISTING_UNIT]


class RoleHolderForm(Form):
    village = VillageChoiceField(label=_("村"), queryset=Region.objects.none())
    role = forms.ChoiceField(label=_("帮扶力量"), choices=HOLDER_ROLE_CHOICES)
    name = forms.CharField(label=_("姓名"), max_length=50)
    post = forms.CharField(label=_("职务"), max_length=50, required=False)
    unit = forms.ModelChoiceField(label=_("所在单位"), queryset=None, required=False)
    since = forms.DateField(label=_("起始日期"), widget=DateInput())
    until = forms.DateField(label=_("结束日期"), widget=DateInput(), required=False)

    def __init__(self, *args, county_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = _villages(county_code)
        self.fields["unit"].queryset = Unit.objects.filter(county_id=county_code)


class FindingReturnForm(Form):
    reason = forms.CharField(label=_("退回原因"), max_length=180, widget=forms.Textarea(attrs={"rows": 2}))
