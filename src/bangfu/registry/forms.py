"""Forms for the registry pages. They check types; the services check the domain rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.registry import choices as c
from bangfu.registry.models import Household, IncomeRecord, Member
from bangfu.registry.services import HOUSEHOLD_FIELDS, INCOME_FIELDS, MEMBER_FIELDS


class VersionField(forms.IntegerField):
    """The version of the record the form was read at, sent back on save (see services.check_version)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=0, **kwargs)


class HouseholdForm(forms.ModelForm):
    version = VersionField()
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=30,
                            help_text=_("留空则不修改；输入“-”清除"))

    class Meta:
        model = Household
        fields = list(HOUSEHOLD_FIELDS)
        widgets = {"village": forms.Select()}

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        if villages is not None:
            self.fields["village"].queryset = villages
        self.fields["version"].initial = self.instance.version
        if self.instance.pk:
            self.fields["phone"].widget.attrs["placeholder"] = self.instance.phone_masked

    def validate_unique(self):
        pass

    def phone_value(self) -> str | None:
        raw = self.cleaned_data.get("phone", "")
        if raw == "-":
            return ""
        return raw or (None if self.instance.pk else "")


class MemberForm(forms.ModelForm):
    version = VersionField(required=False)  # required when editing (below); a new member has none
    id_number = forms.CharField(label=_("证件号码"), max_length=40, required=False,
                                help_text=_("身份证号18位，最后一位可为X，性别与出生日期由号码得出；残疾人证号20位；"
                                            "尚无证件（如新生儿）选“其他”并填写性别和出生日期"))
    sex = forms.ChoiceField(label=_("性别（可不填）"), choices=[("", _("由身份证号得出"))] + list(c.Sex.choices), required=False)
    birth_date = forms.DateField(label=_("出生日期（可不填）"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Member
        fields = list(MEMBER_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["id_number"].required = True
        else:
            self.fields["version"].required = True
            self.fields["version"].initial = self.instance.version
            self.fields["id_number"].widget.attrs["placeholder"] = _("%(masked)s（留空不修改）") % {
                "masked": self.instance.id_number_masked}
        self.order_fields(["name", "id_type", "id_number", "relation", "sex", "birth_date"])

    def validate_unique(self):
        pass


class IncomeRecordForm(forms.ModelForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    version = VersionField(required=False)  # 0 or empty: a year not yet recorded when the form was read
    members_counted = forms.IntegerField(label=_("家庭人口数"), min_value=1, max_value=50)

    class Meta:
        model = IncomeRecord
        fields = list(INCOME_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        if self.instance.pk:
            self.fields["year"].initial = self.instance.year
        self.order_fields(["year"])

    def validate_unique(self):
        pass

    def validate_constraints(self, exclude=None):
        pass


class MemberRemoveForm(forms.Form):
    reason = forms.CharField(label=_("减员原因"), max_length=200)
    version = VersionField()


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, widget=forms.TextInput(
        attrs={"placeholder": _("姓名 / 户编号 / 身份证号 / 电话"), "type": "search"}))
    household_type = forms.ChoiceField(label=_("户类型"), required=False,
                                       choices=[("", _("全部户类型"))] + list(c.HouseholdType.choices))
    monitoring_status = forms.ChoiceField(label=_("监测状态"), required=False, choices=[
        ("", _("全部监测状态")), ("monitored", _("全部监测对象")),
        (c.MonitoringStatus.RISK_OPEN, _("风险未消除")), (c.MonitoringStatus.RISK_ELIMINATED, _("风险已消除"))])
    unsafe_housing = forms.BooleanField(label=_("危房（C/D级）"), required=False)
    relocated = forms.BooleanField(label=_("易地搬迁户"), required=False)
    region = forms.CharField(required=False, widget=forms.HiddenInput)
