"""The relocated-household list's filters, declared once: the page, its export and the coverage table's links."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.web.filters import Filter, FilterSet


def _site_words(value: str) -> str:
    from bangfu.relocation.indicators import NO_SITE
    from bangfu.relocation.models import ResettlementSite

    if value == NO_SITE:
        return str(_("安置点未登记"))
    site = ResettlementSite.objects.filter(pk=value).first() if value.isdigit() else None
    return site.name if site else value


def _region_words(code: str) -> str:
    from bangfu.web.exports import region_words

    return region_words(code)


RELOCATED_FILTERS = FilterSet("Relocated", (
    Filter("site", lambda: forms.CharField(label=_("安置点"), required=False, max_length=12), describe=_site_words),
    Filter("region", lambda: forms.CharField(label=_("地区"), required=False, max_length=12,
                                             widget=forms.HiddenInput), describe=_region_words),
    Filter("without", lambda: forms.BooleanField(label=_("有劳动力但无人就业"), required=False)),
    Filter("labour", lambda: forms.BooleanField(label=_("有劳动力"), required=False)),
    Filter("employed", lambda: forms.BooleanField(label=_("至少1人就业"), required=False)),
))


def relocated_rows(user, values: dict):
    """The relocated households the list shows for its filter values, through the jurisdiction door; with
    `without` exactly 未就业户 (relocation.indicators.without_employed) of the chosen site or region."""
    from bangfu.core.scoping import code_range_q
    from bangfu.regions.models import Region
    from bangfu.registry.selectors import households_visible_to
    from bangfu.relocation import indicators

    households = households_visible_to(user)
    if values.get("site"):
        households = indicators.at_site(households, values["site"])
    code = values.get("region") or ""
    region = Region.objects.filter(code=code).first() if code else None
    if region is not None:
        households = households.filter(code_range_q(region.code_range))
    if values.get("without"):
        rows = indicators.without_employed(households)
    elif values.get("employed"):
        rows = indicators.with_employed(households)
    elif values.get("labour"):
        rows = indicators.with_labour(households)
    else:
        rows = indicators.relocated_households(households)
    return rows.select_related("village__parent", "relocation__site", "relocation__former_village").order_by(
        "village_id", "number")
