"""The relocation pages' forms. They parse; the services decide (relocation.services)."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.regions.models import Region
from bangfu.registry.models import Member
from bangfu.relocation.models import (
    CertificateState,
    EmploymentKind,
    Facility,
    RelocatedHousehold,
    ResettlementSite,
    Workshop,
    WorkshopKind,
)
from bangfu.web.forms import Form


class SiteForm(Form):
    name = forms.CharField(label=_("安置点名称"), max_length=100)
    township = forms.ModelChoiceField(label=_("所在乡镇"), queryset=Region.objects.none())
    population = forms.IntegerField(label=_("安置人口"), required=False, min_value=0, max_value=1_000_000,
                                    help_text=_("规模按人口划分：800人以下、800-3000人、3000人以上"))
    year_built = forms.IntegerField(label=_("建成年份"), required=False, min_value=1980, max_value=2100)
    facilities = forms.MultipleChoiceField(label=_("配套设施"), required=False, choices=Facility.choices,
                                           widget=forms.CheckboxSelectMultiple)
    contact = forms.CharField(label=_("联系人及电话"), max_length=100, required=False)
    notes = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, townships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships if townships is not None else Region.objects.filter(
            level="township")


class WorkshopForm(Form):
    name = forms.CharField(label=_("车间或企业名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=WorkshopKind.choices)
    jobs_offered = forms.IntegerField(label=_("提供岗位"), min_value=0, max_value=100_000)
    jobs_filled = forms.IntegerField(label=_("已就业人数"), min_value=0, max_value=100_000)


class RelocationForm(Form):
    site = forms.ModelChoiceField(label=_("安置点"), queryset=ResettlementSite.objects.none(), required=False)
    relocation_year = forms.IntegerField(label=_("搬迁年份"), required=False, min_value=1980, max_value=2100)
    certificate = forms.ChoiceField(label=_("不动产权证"), choices=CertificateState.choices)
    former_village = forms.ModelChoiceField(label=_("迁出村"), queryset=Region.objects.none(), required=False)

    def __init__(self, *args, sites=None, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites if sites is not None else ResettlementSite.objects.all()
        self.fields["former_village"].queryset = villages if villages is not None else Region.objects.filter(
            level="village")


class EmploymentForm(Form):
    member = forms.ModelChoiceField(label=_("就业人员"), queryset=Member.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=1980, max_value=2100)
    kind = forms.ChoiceField(label=_("就业类型"), choices=EmploymentKind.choices)
    place = forms.CharField(label=_("就业地点或单位"), max_length=100)
    workshop = forms.ModelChoiceField(label=_("帮扶车间"), queryset=Workshop.objects.none(), required=False)
    months = forms.IntegerField(label=_("年务工月数"), min_value=1, max_value=12)

    def __init__(self, *args, members=None, workshops=None, **kwargs):
        kwargs.setdefault("initial", {"year": dt.date.today().year})
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members if members is not None else Member.objects.none()
        self.fields["workshop"].queryset = workshops if workshops is not None else Workshop.objects.none()


def relocation_initial(record: RelocatedHousehold | None) -> dict:
    if record is None:
        return {"certificate": CertificateState.NONE}
    return {"site": record.site_id, "relocation_year": record.relocation_year, "certificate": record.certificate,
            "former_village": record.former_village_id}
