"""The columns of the relocation lists, declared once: the pages, their .xlsx export (web.exports) and `bangfu
report relocation` read these. No ID numbers or phones: a relocation list names households, not identities."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bangfu.web.exports import Column
from bangfu.web.tables import Col, Table


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


# --- the pages' tables (bangfu.web.tables): a table on a wide screen, a card on a phone -------------------------

def _may_configure(user) -> bool:
    return user.can("monitoring.configure")


def _may_edit(user) -> bool:
    return user.can("registry.edit")


def _workshops(site) -> str:
    return "、".join(f"{w.name}（{w.jobs_offered}/{w.jobs_filled}）" for w in site.workshops.all())


def _site_name(site):
    """The site's name leads to its relocated households (at 1280 px a separate button pushed 修改 out of the box)."""
    return format_html('<a href="{}?site={}">{}</a> <small class="muted">{}</small>',
                       reverse("relocation:household_list"), site.pk, site.name, _("搬迁户"))


SITE_TABLE = Table(
    name="sites", empty=_("还没有安置点。"),
    columns=(
        Col("name", _("安置点"), _site_name, card="title"),
        Col("township", _("所在乡镇"), lambda s: s.township.name, place=True),
        Col("population", _("安置人口"), lambda s: s.population or "", num=True),
        Col("size", _("规模"), lambda s: s.get_size_band_display()),
        Col("year", _("建成年份"), lambda s: s.year_built or "", card="hide"),
        Col("facilities", _("配套设施"), lambda s: s.facilities_display(), wrap=True),
        Col("workshops", _("帮扶车间（岗位/已就业）"), _workshops, wrap=True),
        Col("contact", _("联系人及电话"), lambda s: s.contact, card="hide"),
        Col("edit", "", lambda s: format_html('<a class="button" href="{}">{}</a>',
                                              reverse("relocation:site_edit", args=[s.pk]), _("修改")),
            card="action", only=_may_configure),
    ),
)


def _relocated_site(household):
    relocation = getattr(household, "relocation", None)
    if relocation is not None and relocation.site_id:
        return relocation.site.name
    return format_html('<span class="muted">{}</span>', _("安置点未登记"))


def _relocated_actions(household):
    return format_html('<div class="row-actions"><a class="button primary" href="{}#employment">{}</a>'
                       '<a class="button" href="{}">{}</a></div>',
                       reverse("relocation:household", args=[household.pk]), _("登记就业"),
                       reverse("cases:case_open", args=[household.pk]), _("登记识别线索"))


RELOCATED_TABLE = Table(
    name="relocated", empty=_("没有符合条件的搬迁户。"),
    columns=(
        Col("head", _("户主"), lambda h: format_html('<a href="{}">{}</a> <small class="muted">{}</small>',
                                                   reverse("relocation:household", args=[h.pk]),
                                                   h.head_name or "—", h.number), card="title"),
        Col("village", _("村（社区）"), _village, place=True),
        Col("site", _("安置点"), _relocated_site),
        Col("year", _("搬迁年份"), _relocation_value("relocation_year"), num=True),
        Col("certificate", _("不动产权证"), _relocation_value("certificate")),
        Col("actions", "", _relocated_actions, card="action", only=_may_edit),
    ),
)


EMPLOYMENT_TABLE = Table(
    name="employment", empty=_("还没有就业记录。"),
    columns=(
        Col("name", _("姓名"), lambda e: e.member.name, card="title"),
        Col("kind", _("就业类型"), lambda e: e.get_kind_display(), card="bare"),
        Col("year", _("年度"), lambda e: e.year),
        Col("place", _("就业地点或单位"), lambda e: f"{e.place}（{e.workshop.name}）" if e.workshop_id else e.place,
            wrap=True),
        Col("months", _("年务工月数"), lambda e: e.months, num=True),
        Col("source", _("来源"), lambda e: e.get_source_display(), card="hide"),
        Col("remove", "", template="relocation/_employment_remove.html", card="action", only=_may_edit),
    ),
)
