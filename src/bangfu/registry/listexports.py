"""The monitored households' ledger (防返贫监测对象台账) in the national system's column layout (DOMAIN.md §4), as a
standard ledger through the one list export (bangfu.web.exports): the household list's 监测对象台账 button and
`bangfu export monitored`.

The columns follow §4's order: household and place, type and monitoring, risks 1-5, income, measures by category,
water, labour, relocation, phone, production and living conditions. What the registry does not hold is not
invented: a household without an approved identification has no risks, one without income no income columns.
"""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from bangfu.registry import choices as c
from bangfu.registry.filters import HOUSEHOLD_FILTERS
from bangfu.registry.models import IncomeRecord, Member
from bangfu.registry.selectors import HouseholdFilter, households_filtered
from bangfu.web.exports import Column, ListExport, filter_set_form, list_export, region_words

RISKS = 5  # 致贫返贫风险1-5, as the national system holds them


def _monitored(user, values: dict):
    status = values.get("monitoring_status") or "monitored"  # only monitored households, whatever else
    return households_filtered(user, HouseholdFilter.from_values({**values, "monitoring_status": status}))


def _attach(households) -> list:
    """What the columns read beyond the household, for one chunk of households in a fixed number of queries:
    members (head, count, labour), the latest income, the risks of the latest approved identification and the
    measures by category group."""
    from bangfu.cases.choices import CaseKind, CaseState, RiskType
    from bangfu.cases.models import Case, Measure

    households = list(households.select_related("village__parent__parent"))
    ids = [h.pk for h in households]
    members: dict[int, list[Member]] = defaultdict(list)
    for member in Member.objects.filter(household_id__in=ids).order_by("household_id", "id"):
        members[member.household_id].append(member)
    incomes: dict[int, IncomeRecord] = {}
    for record in IncomeRecord.objects.filter(household_id__in=ids).order_by("household_id", "year"):
        incomes[record.household_id] = record
    risks: dict[int, list[str]] = {}
    for case in (Case.objects.filter(household_id__in=ids, kind=CaseKind.IDENTIFICATION, state=CaseState.APPROVED)
                 .order_by("household_id", "closed_at", "id")):
        risks[case.household_id] = list(case.risk_types)  # the latest approved one wins
    labels = dict(RiskType.choices)
    measures: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for measure in (Measure.objects.filter(household_id__in=ids).select_related("category")
                    .order_by("household_id", "start_on", "id")):
        names = measures[measure.household_id][measure.category.group]
        if measure.category.name not in names:
            names.append(measure.category.name)
    for household in households:
        household.export_members = members.get(household.pk, [])
        household.export_head = next((m for m in household.export_members if m.relation == c.Relation.HEAD), None)
        household.export_income = incomes.get(household.pk)
        household.export_risks = [str(labels.get(code, code)) for code in risks.get(household.pk, [])]
        household.export_measures = measures.get(household.pk, {})
    return households


def _yes(value: bool) -> str:
    return str(_("是") if value else _("否"))


def _county(h) -> str:
    township = h.village.parent
    return township.parent.name if township and township.parent_id else ""


def _income(field: str, *, components: bool = False):
    def value(h):
        record = h.export_income
        if record is None or (components and not record.components_given):
            return None  # not given: blank, never invented
        if field == "net_income" and record.given == IncomeRecord.Given.PER_CAPITA:
            return None
        return getattr(record, field)
    return value


def _risk(n: int):
    return lambda h: h.export_risks[n] if len(h.export_risks) > n else ""


def _measures(group: str):
    return lambda h: "、".join(h.export_measures.get(group, []))


def _no_labour(h) -> str:
    if not h.export_members:
        return ""
    return _yes(all(m.labour_ability in (c.LabourAbility.LOST, c.LabourAbility.NONE) for m in h.export_members))


def _head_id(h, *, full: bool) -> str:
    head = h.export_head
    if head is None:
        return ""
    return head.reveal_id_number() if full else head.id_number_masked


def _money(title, value) -> Column:
    return Column(title, value, 14, number=True)


def _measure_columns() -> tuple[Column, ...]:
    from bangfu.cases.choices import MeasureGroup

    return tuple(Column(_("帮扶措施（%(group)s）") % {"group": label}, _measures(group), 18)
                 for group, label in MeasureGroup.choices)


MONITORED = list_export(ListExport(
    key="monitored", title=_("防返贫监测对象台账"), form=filter_set_form(HOUSEHOLD_FILTERS),
    rows=_monitored, prepare=_attach,
    allowed=lambda user: user.can("registry.view") and user.can("registry.export"),
    may_reveal=lambda user: user.can("registry.export_personal"),
    labels={"region": _("地区"), "q": _("关键词")}, words={"region": region_words},
    columns=(
        Column(_("户编号"), lambda h: h.number, 20),
        Column(_("县（市、区）"), _county, 10),
        Column(_("乡（镇）"), lambda h: h.village.parent.name if h.village.parent_id else "", 10),
        Column(_("行政村"), lambda h: h.village.short_name, 12),
        Column(_("组"), lambda h: h.group, 6),
        Column(_("户主姓名"), lambda h: h.head_name, 10),
        Column(_("户主证件号码"), lambda h: _head_id(h, full=False), 22, full=lambda h: _head_id(h, full=True)),
        Column(_("家庭人口数"), lambda h: len(h.export_members), 8, number=True),
        Column(_("户类型"), lambda h: h.get_household_type_display(), 10),
        Column(_("监测对象类别"), lambda h: h.get_monitoring_type_display(), 14),
        Column(_("风险消除状态"), lambda h: h.get_monitoring_status_display(), 12),
        Column(_("识别监测时间"), lambda h: h.identified_month, 10),
        Column(_("消除监测时间"), lambda h: h.eliminated_month, 10),
        *(Column(_("致贫返贫风险%(n)s") % {"n": n + 1}, _risk(n), 14) for n in range(RISKS)),
        Column(_("收入年度"), lambda h: h.export_income.year if h.export_income else None, 8, number=True),
        _money(_("人均纯收入（元）"), _income("per_capita_net_income")),
        _money(_("工资性收入（元）"), _income("wage_income", components=True)),
        _money(_("生产经营性收入（元）"), _income("business_income", components=True)),
        _money(_("财产性收入（元）"), _income("property_income", components=True)),
        _money(_("转移性收入（元）"), _income("transfer_income", components=True)),
        _money(_("生产经营性支出（元）"), _income("production_cost", components=True)),
        _money(_("家庭纯收入（元）"), _income("net_income")),
        _money(_("扣除合规自付支出后人均收入（元）"), _income("per_capita_after_spending")),
        *_measure_columns(),
        Column(_("是否饮水安全"), lambda h: _yes(h.drinking_water_safe), 8),
        Column(_("是否整户无劳动能力"), _no_labour, 10),
        Column(_("是否易地扶贫搬迁"), lambda h: _yes(h.relocated), 10),
        Column(_("安置点"), lambda h: h.resettlement_site, 16),
        Column(_("联系电话"), lambda h: h.phone_masked, 14, full=lambda h: h.reveal_phone()),
        Column(_("耕地面积（亩）"), lambda h: h.farmland_mu, 10, number=True),
        Column(_("林地面积（亩）"), lambda h: h.forest_mu, 10, number=True),
        Column(_("入户路类型"), lambda h: h.get_road_type_display(), 10),
        Column(_("距村主干路距离（公里）"), lambda h: h.road_distance_km, 10, number=True),
        Column(_("危房等级"), lambda h: h.get_housing_safety_display(), 10),
        Column(_("住房面积（㎡）"), lambda h: h.housing_area, 10, number=True),
        Column(_("是否通生活用电"), lambda h: _yes(h.has_electricity), 8),
        Column(_("是否加入农民专业合作社"), lambda h: _yes(h.cooperative_member), 10),
    ),
))
