"""The care lists' filters, declared once: the group page, its export and the links to it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.registry import choices as c
from bangfu.web.filters import Filter, FilterSet


def _group_choices():
    from bangfu.care.groups import GROUPS

    return [(g.key, g.label) for g in GROUPS]


def _region_words(code: str) -> str:
    from bangfu.web.exports import region_words

    return region_words(code)


CARE_FILTERS = FilterSet("Care", (
    Filter("group", lambda: forms.ChoiceField(label=_("关爱对象"), choices=_group_choices(), required=False)),
    Filter("region", lambda: forms.CharField(label=_("地区"), required=False, max_length=12),
           describe=_region_words),
    Filter("grade", lambda: forms.ChoiceField(label=_("残疾等级"), required=False, choices=[
        ("", _("全部等级")), *[(k, v) for k, v in c.DisabilityGrade.choices if k]])),
    Filter("alone", lambda: forms.BooleanField(label=_("仅独居"), required=False)),
))


def care_rows(user, values: dict):
    """The members of the chosen group in the user's jurisdiction (care.groups.group_members), in one village or
    township when chosen."""
    from bangfu.care.groups import GROUP_BY_KEY, group_members, members_visible_to
    from bangfu.core.scoping import code_range_q
    from bangfu.regions.models import Region

    key = values.get("group") or "dibao"
    if key not in GROUP_BY_KEY:
        key = "dibao"
    members = members_visible_to(user)
    code = values.get("region") or ""
    region = Region.objects.filter(code=code).first() if code else None
    if region is not None:
        members = members.filter(code_range_q(region.code_range, field="household__village_id"))
    rows = group_members(members, key, grade=values.get("grade") or "", alone=bool(values.get("alone")))
    return rows.select_related("household__village__parent").order_by("household__village_id",
                                                                       "household__number", "id")
