"""A care list (one vulnerable group) as .xlsx through the one list export: names with health and disability,
so each export is logged."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from bangfu.care.filters import CARE_FILTERS, care_rows
from bangfu.web.exports import Column, ListExport, filter_set_form, list_export

CARE_COLUMNS = (
    Column(_("姓名"), lambda m: m.name, 10),
    Column(_("年龄"), lambda m: m.age_on(dt.date.today()), 6, number=True),
    Column(_("户编号"), lambda m: m.household.number, 20),
    Column(_("村（社区）"), lambda m: f"{m.household.village.parent.short_name}{m.household.village.short_name}", 16),
    Column(_("与户主关系"), lambda m: m.get_relation_display(), 10),
    Column(_("健康状况"), lambda m: m.get_health_display(), 10),
    Column(_("残疾等级"), lambda m: m.get_disability_grade_display() if m.disability_grade else "", 8),
)

list_export(ListExport(
    key="care-members", title=_("关爱对象名单"), form=filter_set_form(CARE_FILTERS), rows=care_rows,
    allowed=lambda user: user.can("registry.export"), columns=CARE_COLUMNS, named=True,
))
