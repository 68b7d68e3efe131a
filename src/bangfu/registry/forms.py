"""Forms for the registry pages. They check types, and the rules of registry.validation a field can check on its
own (a name); the services check every domain rule through the same module."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.core.periods import parse_month
from bangfu.registry import choices as c
from bangfu.registry.models import Household, IncomeRecord, Member
from bangfu.registry.services import HOUSEHOLD_FIELDS, INCOME_FIELDS, MEMBER_FIELDS
from bangfu.registry.validation import MEMBERS_COUNTED_MAX, Invalid, person_name
from bangfu.web.forms import Form, ModelForm


class VersionField(forms.IntegerField):
    """The version of the record the form was read at, sent back on save (see services.check_version)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=0, **kwargs)


class MonthField(forms.CharField):
    """A month as people type it (202403, 2024-03, 2024.3, 2024年3月, full-width digits), cleaned to YYYYMM."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)  # room for what is typed; the model keeps the 6 cleaned digits
        kwargs.setdefault("help_text", _("如 202403、2024-03 或 2024年3月，不能晚于本月"))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return ""
        try:
            return parse_month(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


def grouped_village_choices(villages) -> list:
    """Villages under their townships (optgroups), in code order, by their short names (团结村)."""
    from bangfu.regions.models import short_region_name

    groups: dict[str, list] = {}
    for village in villages.select_related("parent").order_by("code"):
        township = village.parent.name if village.parent_id else ""
        groups.setdefault(township, []).append((village.code, short_region_name(village.name)))
    return [("", "---------"), *groups.items()]


class HouseholdForm(ModelForm):
    version = VersionField()
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=30,
                            help_text=_("11位手机号，或带区号的固定电话"))
    identified_month = MonthField(label=_("识别监测时间"), required=False)
    eliminated_month = MonthField(label=_("消除监测时间"), required=False)

    class Meta:
        model = Household
        fields = list(HOUSEHOLD_FIELDS)
        widgets = {"village": forms.Select()}

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        if villages is not None:
            self.fields["village"].queryset = villages
        # 112 villages in one flat list look alike (彭丰社区, 彭丰村): grouped by township, with a search box.
        self.fields["village"].choices = grouped_village_choices(self.fields["village"].queryset)
        self.fields["village"].widget.attrs.update({"data-searchable": "true",
                                                   "data-search-placeholder": _("输入村或乡镇名称查找")})
        self.fields["version"].initial = self.instance.version
        if self.instance.pk:
            self.fields["phone"].widget.attrs["placeholder"] = self.instance.phone_masked
            self.fields["phone"].help_text = _("留空则不修改；输入“-”清除")
        else:
            self.fields["number"].required = False
            self.fields["number"].help_text = _("留空则自动编号（村区划代码加4位序号）；手填时只能是数字")

    def validate_unique(self):
        pass

    def phone_value(self) -> str | None:
        raw = self.cleaned_data.get("phone", "")
        if raw == "-":
            return ""
        return raw or (None if self.instance.pk else "")


class MemberForm(ModelForm):
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

    def clean_name(self):
        """The name as it will be stored (one middle dot), or the rule it breaks (registry.validation)."""
        try:
            return person_name(self.cleaned_data.get("name", ""))
        except Invalid as error:
            raise forms.ValidationError([p.message for p in error.problems]) from None

    def validate_unique(self):
        pass


class IncomeRecordForm(ModelForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    version = VersionField(required=False)  # 0 or empty: a year not yet recorded when the form was read
    members_counted = forms.IntegerField(label=_("家庭人口数"), min_value=1, max_value=MEMBERS_COUNTED_MAX)

    class Meta:
        model = IncomeRecord
        fields = list(INCOME_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        self.order_fields(["year"])
        if self.instance.pk:  # editing one year: the year is what is edited, not a field
            self.fields["year"].disabled = True
            self.fields["year"].initial = self.instance.year

    def validate_unique(self):
        pass

    def validate_constraints(self, exclude=None):
        pass


class MemberRemoveForm(Form):
    reason = forms.ChoiceField(label=_("减员原因"), choices=[("", "—")] + list(c.RemovalReason.choices))
    detail = forms.CharField(label=_("具体原因"), max_length=150, required=False,
                             help_text=_("原因为“其他”时必填"))
    new_head = forms.ModelChoiceField(label=_("新户主"), queryset=Member.objects.none(), required=False,
                                      help_text=_("其他成员与户主的关系将按新户主自动调整，保存后请核对"))
    version = VersionField()

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        others = member.household.members.exclude(pk=member.pk).order_by("id")
        if member.relation == c.Relation.HEAD and others.exists():
            self.fields["new_head"].queryset = others
            self.fields["new_head"].required = True
        else:
            del self.fields["new_head"]


class HouseholdReopenForm(Form):
    reason = forms.CharField(label=_("恢复原因"), max_length=150)
