"""The columns of the relocation lists, declared once: the pages, their .xlsx export (web.exports) and `bangfu
report relocation` read these. No ID numbers or phones: a relocation list names households, not identities."""

from django.utils.translation import gettext_lazy as _

from bangfu.web.exports import Column


def _village(household) -> str:
    village = household.village
    return f"{village.parent.short_name if village.parent_id else ''}{village.short_name}"


def _site(household) -> str:
    relocation = getattr(household, "relocation", None)
    return relocation.site.name if relocation is not None and relocation.site_id else _("安置点未登记")


def _relocation_value(attr):
    def value(household):
        relocation = getattr(household, "relocation", None)
        if relocation is None:
            return ""
        if attr == "certificate":
            return relocation.get_certificate_display()
        if attr == "former_village":
            return relocation.former_village.name if relocation.former_village_id else ""
        return getattr(relocation, attr) or ""
    return value


SITE_COLUMNS = (
    Column(_("安置点"), lambda s: s.name, 24),
    Column(_("所在乡镇"), lambda s: s.township.name, 12),
    Column(_("安置人口"), lambda s: s.population, 10, number=True),
    Column(_("规模"), lambda s: s.get_size_band_display(), 12),
    Column(_("建成年份"), lambda s: s.year_built, 10, number=True),
    Column(_("配套设施"), lambda s: s.facilities_display(), 30),
    Column(_("帮扶车间（个）"), lambda s: len(s.workshops.all()), 10, number=True),
    Column(_("提供岗位"), lambda s: sum(w.jobs_offered for w in s.workshops.all()), 10, number=True),
    Column(_("已就业人数"), lambda s: sum(w.jobs_filled for w in s.workshops.all()), 10, number=True),
    Column(_("联系人及电话"), lambda s: s.contact, 20),
)

HOUSEHOLD_COLUMNS = (
    Column(_("户编号"), lambda h: h.number, 20),
    Column(_("户主"), lambda h: h.head_name, 10),
    Column(_("村（社区）"), _village, 16),
    Column(_("安置点"), _site, 24),
    Column(_("搬迁年份"), _relocation_value("relocation_year"), 10, number=True),
    Column(_("不动产权证"), _relocation_value("certificate"), 10),
    Column(_("迁出村"), _relocation_value("former_village"), 16),
)

EMPLOYMENT_COLUMNS = (
    Column(_("户编号"), lambda e: e.member.household.number, 20),
    Column(_("姓名"), lambda e: e.member.name, 10),
    Column(_("年度"), lambda e: e.year, 8, number=True),
    Column(_("就业类型"), lambda e: e.get_kind_display(), 10),
    Column(_("就业地点或单位"), lambda e: e.place, 24),
    Column(_("帮扶车间"), lambda e: e.workshop.name if e.workshop_id else "", 16),
    Column(_("年务工月数"), lambda e: e.months, 10, number=True),
    Column(_("来源"), lambda e: e.get_source_display(), 10),
)

COVERAGE_COLUMNS = (
    Column(_("安置点"), lambda r: r.name, 24),
    Column(_("有劳动力搬迁户"), lambda r: r.with_labour, 14, number=True),
    Column(_("至少1人就业户"), lambda r: r.employed, 14, number=True),
    Column(_("覆盖率"), lambda r: r.rate_display, 10),
    Column(_("未就业户"), lambda r: r.without, 10, number=True),
)
