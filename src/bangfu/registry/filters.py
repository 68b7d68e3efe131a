"""The household list's filters, declared once: the list page, its export, the dashboard's links and the JSON
API all read this declaration (see bangfu.web.filters)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.registry import choices as c
from bangfu.web.filters import Filter, FilterSet


def _region_words(code: str) -> str:
    from bangfu.regions.models import Region

    region = Region.objects.filter(code=code).select_related("parent").first()
    if region is None:
        return code
    if region.level == "village" and region.parent_id:
        return f"{region.parent.name}{region.name}"
    return region.name


def _group_words(group: str) -> str:
    return str(_("组：%(group)s")) % {"group": group}


def _risk_choices():
    from bangfu.reports.indicators import risk_types

    return [("", _("全部风险类型")), *risk_types()]


HOUSEHOLD_FILTERS = FilterSet("Household", (
    Filter("region", lambda: forms.CharField(required=False, max_length=12, widget=forms.HiddenInput),
           describe=_region_words),
    Filter("q", lambda: forms.CharField(label=_("搜索"), required=False, max_length=60, widget=forms.TextInput(
        attrs={"placeholder": _("姓名 / 户编号 / 身份证号 / 电话"), "type": "search"})),
        describe=lambda q: str(_("搜索“%(q)s”")) % {"q": q}),
    Filter("group", lambda: forms.CharField(label=_("组"), required=False, max_length=20, widget=forms.TextInput(
        attrs={"placeholder": _("组，如 3组"), "size": 6})), describe=_group_words),
    Filter("household_type", lambda: forms.ChoiceField(label=_("户类型"), required=False,
                                                       choices=[("", _("全部户类型"))] + list(c.HouseholdType.choices))),
    Filter("monitoring_status", lambda: forms.ChoiceField(label=_("监测状态"), required=False, choices=[
        ("", _("全部监测状态")), ("monitored", _("全部监测对象")),
        (c.MonitoringStatus.RISK_OPEN, _("风险未消除")), (c.MonitoringStatus.RISK_ELIMINATED, _("风险已消除"))])),
    Filter("monitoring_type", lambda: forms.ChoiceField(label=_("监测对象类别"), required=False, choices=[
        ("", _("全部类别"))] + [choice for choice in c.MonitoringType.choices if choice[0]])),
    Filter("risk_type", lambda: forms.ChoiceField(label=_("风险类型"), required=False, choices=_risk_choices())),
    Filter("identified_month", lambda: forms.RegexField(label=_("识别监测月份"), required=False, regex=r"^\d{6}$",
                                                        widget=forms.HiddenInput),
           describe=lambda month: str(_("%(month)s识别")) % {"month": month}),
    Filter("eliminated_month", lambda: forms.RegexField(label=_("风险消除月份"), required=False, regex=r"^\d{6}$",
                                                        widget=forms.HiddenInput),
           describe=lambda month: str(_("%(month)s风险消除")) % {"month": month}),
    Filter("below_line", lambda: forms.BooleanField(label=_("收入低于监测线但未纳入监测"), required=False)),
    Filter("measure_due", lambda: forms.BooleanField(label=_("识别后逾期未落实帮扶措施"), required=False)),
    Filter("unsafe_housing", lambda: forms.BooleanField(label=_("危房（C/D级）"), required=False)),
    Filter("relocated", lambda: forms.BooleanField(label=_("易地搬迁户"), required=False)),
    Filter("closed", lambda: forms.BooleanField(label=_("已销户"), required=False)),
))


def household_filter_words(flt) -> list[str]:
    """A stored HouseholdFilter in words (双河镇团结村、C/D级危房), for an export's title and the audit log."""
    values = {name: getattr(flt, name, "") for name in HOUSEHOLD_FILTERS.names}
    values["region"] = flt.region_code
    words = HOUSEHOLD_FILTERS.describe(values)
    if flt.id_number_digest:
        words.append(str(_("按身份证号查找")))
    if flt.phone_digest:
        words.append(str(_("按电话查找")))
    return words
