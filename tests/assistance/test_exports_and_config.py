"""The ledgers and the evaluation table as .xlsx agree with the pages; a county indicator is summed like the
standard ones; each village shows which required assistance roles it lacks."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from bangfu.assistance import services as s
from bangfu.assistance.models import Cadre, Plan, PlanTarget
from bangfu.assistance.selectors import village_role_gaps
from bangfu.reports.assistance_indicators import indicators_for, plan_progress
from tests.conftest import COUNTY, SONGBAI, TUANJIE

pytestmark = pytest.mark.django_db


def _sheet(content: bytes) -> list[list]:
    """The column headings and rows, below a list's title, filter and exporter lines."""
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    rows = workbook.get_sheet_by_index(0).to_python()
    if not rows[1][0].startswith("筛选条件："):  # not a list (the evaluation table)
        return rows
    assert rows[2][0].startswith("导出时间：")
    return rows[3:]


def test_ledger_export_holds_what_the_reader_sees(client, records, court, cdu, cdu_liaison, lead_coordinator):
    client.force_login(cdu_liaison)
    rows = _sheet(client.get(reverse("assistance:ledger_export", args=["fund"])).content)
    assert rows[0][:4] == ["帮扶单位", "日期", "类别", "金额（元）"]
    assert [r[0] for r in rows[1:]] == ["成都大学"] and rows[1][3] == 1000
    client.force_login(lead_coordinator)
    rows = _sheet(client.get(reverse("assistance:ledger_export", args=["fund"])).content)
    assert sorted(r[0] for r in rows[1:]) == ["成都大学", "省法院"]
    rows = _sheet(client.get(reverse("assistance:ledger_export", args=["fund"]), {"unit": court.pk}).content)
    assert [r[0] for r in rows[1:]] == ["省法院"]


def test_evaluation_table_xlsx(client, records, cdu, court, lead_coordinator, county_admin):
    plan = Plan.objects.create(county_id=COUNTY, name="规划", start_year=2021, end_year=2025)
    PlanTarget.objects.create(plan=plan, unit=cdu, year=2022, indicator="funds_invested", target=2000)
    PlanTarget.objects.create(plan=plan, unit=court, year=2022, indicator="funds_invested", target=1000)
    client.force_login(lead_coordinator)
    page = client.get(reverse("assistance:evaluation"), {"year": 2022})
    assert [(row.unit.label, row.score, grade) for row, grade in page.context["rows"]] == [
        ("省法院", Decimal("100.0"), "好"), ("成都大学", Decimal("50.0"), "较差")]
    rows = _sheet(client.get(reverse("assistance:evaluation"), {"year": 2022, "format": "xlsx"}).content)
    assert rows[0][0] == "单位" and rows[0][-2:] == ["综合得分", "拟评等次"]
    assert [(r[0], r[-2], r[-1]) for r in rows[1:]] == [("四川省高级人民法院", 100.0, "好"), ("成都大学", 50.0, "较差")]


def test_county_indicator_is_summed_from_the_ledger(records, cdu, cdu_liaison, county_admin):
    s.county_indicator_add(actor=county_admin, county_code=COUNTY, data={
        "key": "honey_sold", "label": "帮助销售蜂蜜", "measure": "元", "ledger_kind": "trade", "aggregate": "sum",
        "field": "amount", "filter_field": "kind", "filter_value": "sale"})
    for product, amount in (("蜂蜜", "300"), ("青稞", "200")):
        s.ledger_entry_record(actor=cdu_liaison, kind="trade", unit=cdu, data={
            "date": dt.date(2022, 5, 1), "kind": "sale", "product": product, "amount": Decimal(amount)})
    s.ledger_entry_record(actor=cdu_liaison, kind="trade", unit=cdu, data={
        "date": dt.date(2022, 5, 1), "kind": "purchase", "product": "蜂蜜", "amount": Decimal(999)})
    assert "honey_sold" in {i.key for i in indicators_for(COUNTY)}
    plan = Plan.objects.create(county_id=COUNTY, name="规划", start_year=2021, end_year=2025)
    s.plan_target_set(actor=county_admin, plan=plan, unit=cdu, year=2022, indicator="honey_sold", target=1000)
    (row,) = plan_progress(plan, [cdu], year=2022)
    cell = next(c for c in row.cells if c.indicator.key == "honey_sold")
    assert (cell.actual, cell.target, cell.rate) == (Decimal(500), Decimal(1000), Decimal("50.0"))


def test_county_indicator_rules_are_named(county_admin, regions):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        s.county_indicator_add(actor=county_admin, county_code=COUNTY, data={
            "key": "funds_invested", "label": "重复", "ledger_kind": "trade", "aggregate": "sum", "field": "product",
            "filter_field": "kind", "filter_value": "gift"})
    errors = caught.value.message_dict
    assert "已被使用" in errors["key"][0] and "数值字段" in errors["field"][0] and "选项之一" in errors["filter_value"][0]


def test_village_role_gaps(records, cdu, court, county_admin, regions):
    s.village_roles_save(actor=county_admin, county_code=COUNTY,
                         roles=["assisting_unit", "first_secretary", "agri_technician"])
    Cadre.objects.create(unit=cdu, name="技术员", kind="agri_technician", village=regions[TUANJIE],
                         term_start=dt.date(2021, 1, 1), term_end=dt.date(2022, 1, 1))  # term over: does not count
    required, rows = village_role_gaps(county_admin, today=dt.date(2024, 1, 1))
    assert required == ["assisting_unit", "first_secretary", "agri_technician"]
    by_village = {row["village"].code: row["missing"] for row in rows}
    # records made a first secretary in each unit's village since 2021-07-01.
    assert by_village == {SONGBAI: ["agri_technician"], TUANJIE: ["agri_technician"]}


@pytest.mark.parametrize(("key", "page", "unit_column"), [
    ("ledger-fund", ("assistance:ledger_list", ["fund"]), 0), ("cadres", ("assistance:cadre_list", []), 0),
    ("findings", ("assistance:finding_list", []), 3), ("tasks", ("assistance:meeting_list", []), 2)])
def test_assistance_lists_export_with_their_heading_and_only_the_readers_units(
        client, records, court, cdu, cdu_liaison, lead_coordinator, key, page, unit_column):
    """The one list export (bangfu.web.exports) on the assistance pages: a unit's liaison gets its own unit's rows,
    the lead unit's coordinator every unit's."""
    client.force_login(cdu_liaison)
    assert reverse("web:list_export", args=[key]) in client.get(reverse(page[0], args=page[1])).content.decode()
    response = client.post(reverse("web:list_export", args=[key]), {})
    assert response.status_code == 200  # a small list of no personal data: at once
    rows = _sheet(response.content)
    assert {r[unit_column] for r in rows[1:]} == {"成都大学"}
    client.force_login(lead_coordinator)
    rows = _sheet(client.post(reverse("web:list_export", args=[key]), {}).content)
    assert sorted(r[unit_column] for r in rows[1:]) == ["成都大学", "省法院"]


def test_cadre_export_counts_this_months_days(client, records, cdu, cdu_liaison):
    import datetime as _dt

    from django.utils import timezone

    from bangfu.assistance.models import CheckIn

    cadre = records[cdu.pk]["cadre"]
    today = timezone.localdate()
    for day in {today, today.replace(day=1)}:
        CheckIn.objects.create(cadre=cadre, date=day, village=cadre.village)
    CheckIn.objects.create(cadre=cadre, date=today.replace(day=1) - _dt.timedelta(days=1), village=cadre.village)
    client.force_login(cdu_liaison)
    rows = _sheet(client.post(reverse("web:list_export", args=["cadres"]), {}).content)
    assert rows[0][-2:] == ["本月在村天数", "本年在村天数"]
    assert rows[1][-2] == len({today, today.replace(day=1)})
    assert rows[1][-1] == len({today, today.replace(day=1), today.replace(day=1) - _dt.timedelta(days=1)}
                              - {d for d in [today.replace(day=1) - _dt.timedelta(days=1)] if d.year != today.year})
