"""The statistics tables leave through the one list export (reports/listexports.py over bangfu.web.exports): the
page's 导出 Excel button and `bangfu report statistics --out F.xlsx [--region CODE] [--year Y]` write the same
workbook — three sheets 分地区 / 分单位 / 分月 whose cells are the page's own cells (the dashboards' figures) —
only the reader's places, each export logged; a place out of reach is refused in Chinese and nothing is written."""

import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.audit.models import RevealRecord
from tests.conftest import COUNTY, SHUANGHE, TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE

HEADINGS = 4  # title, filters, who and when; the column headings on row 4


@pytest.fixture
def households(make_household):
    make_household(TUANJIE, household_type="formerly_poor", monitoring_type="unstable", monitoring_status="risk_open",
                   identified_month="202503")
    make_household(ZHANGZHA_VILLAGE, monitoring_type="marginal", monitoring_status="risk_eliminated",
                   identified_month="202502", eliminated_month="202509")
    make_household(ZHANGZHA_VILLAGE)


@pytest.fixture
def unit(county_admin, regions):
    """成都大学, linked to 团结村, with 120,000.50 元 invested there in 2025."""
    from bangfu.assistance.models import LinkedVillage, Unit
    from bangfu.assistance.services import ledger_entry_record

    unit = Unit.objects.create(name="成都大学", short_name="成都大学", kind="university", county=regions[COUNTY])
    LinkedVillage.objects.create(unit=unit, village=regions[TUANJIE], since=dt.date(2021, 7, 1))
    ledger_entry_record(actor=county_admin, kind="fund", unit=unit, data={
        "date": dt.date(2025, 3, 1), "flow": "invested", "amount": Decimal("120000.50"), "source": "预算",
        "purpose": "产业", "village": regions[TUANJIE]})
    return unit


def _rows(sheet):
    return {row[0]: row[1:] for row in sheet.iter_rows(min_row=HEADINGS + 1, values_only=True)}


def _headings(sheet):
    return [c.value for c in next(sheet.iter_rows(min_row=HEADINGS, max_row=HEADINGS))]


# --- the command line ------------------------------------------------------------------------------------------


def test_the_county_workbook_opens_with_the_figures(tmp_path, households, unit, capsys):
    out = tmp_path / "统计表.xlsx"
    call_command("report", "statistics", out=str(out), year=2025)
    assert capsys.readouterr().out.splitlines()[-1] == f"已生成 {out}（九寨沟县 2025年，3 张表）"
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["分地区", "分单位", "分月"]
    places = book["分地区"]
    assert places["A1"].value == "九寨沟县 分乡镇统计"
    assert places["A2"].value == "筛选条件：地区=九寨沟县；统计期=2025年"
    assert places["A3"].value.startswith("导出时间：") and "bangfu-cli" in places["A3"].value
    assert _headings(places)[:4] == ["乡镇", "在册农户", "监测对象", "风险未消除"]
    rows = _rows(places)
    assert rows["双河镇"][:3] == (1, 1, 1)
    assert rows["漳扎镇"][:3] == (2, 1, 0)
    total = rows.pop("合计")
    assert len(rows) == 14  # every township-level unit, empty ones too, then the 合计 row
    assert list(total) == [sum(row[i] for row in rows.values()) for i in range(len(total))]
    units = book["分单位"]
    assert _headings(units)[:4] == ["帮扶单位", "直接投入帮扶资金", "直接投入帮扶资金目标", "直接投入帮扶资金完成率%"]
    assert _rows(units)["成都大学"][:2] == (120000.5, None)  # no target: an empty cell, not text
    months = _rows(book["分月"])
    assert len(months) == 12
    assert months["2025-02"] == (1, 0) and months["2025-03"] == (1, 0) and months["2025-09"] == (0, 1)


def test_without_units_the_unit_sheet_is_left_out_and_the_line_says_so(tmp_path, households, capsys):
    out = tmp_path / "无单位.xlsx"
    call_command("report", "statistics", out=str(out), year=2025)
    assert capsys.readouterr().out.splitlines()[-1] == f"已生成 {out}（九寨沟县 2025年，2 张表）"
    assert load_workbook(out, read_only=True).sheetnames == ["分地区", "分月"]


def test_a_township_workbook_lists_its_villages(tmp_path, households):
    out = tmp_path / "shuanghe.xlsx"
    call_command("report", "statistics", out=str(out), region=SHUANGHE, year=2025)
    places = load_workbook(out, read_only=True)["分地区"]
    assert places["A1"].value == "双河镇 分村（社区）统计"
    rows = _rows(places)
    assert rows.pop("合计")[0] == 1
    assert sum(row[0] for row in rows.values()) == 1 and any(name.startswith("团结村") for name in rows)


def test_the_command_is_logged_like_an_export(tmp_path, households):
    call_command("report", "statistics", out=str(tmp_path / "x.xlsx"), region=SHUANGHE, year=2025)
    record = RevealRecord.objects.get()
    assert (record.field, record.what, record.region_code) == ("export_figures", "统计表", SHUANGHE)
    assert record.filters == "筛选条件：地区=双河镇；统计期=2025年" and record.rows > 0
    assert record.actor.username == "bangfu-cli"


def test_bad_arguments_are_refused_in_one_line(tmp_path, households):
    with pytest.raises(CommandError, match="区划代码 513299000000 不存在或不在本县"):
        call_command("report", "statistics", out=str(tmp_path / "x.xlsx"), region="513299000000")
    with pytest.raises(CommandError, match=r"\.xlsx"):
        call_command("report", "statistics", out=str(tmp_path / "x.docx"))
    assert not (tmp_path / "x.xlsx").exists() and not RevealRecord.objects.exists()


# --- the page and its button -----------------------------------------------------------------------------------


def _screen(page: str) -> dict[str, dict[str, list[Decimal]]]:
    """The page's tables as shown: {table title: {row name: [each linked figure]}}."""
    tables = {}
    for title, body in re.findall(r"<h2>(.*?)</h2>(.*?)</section>", page, re.S):
        rows = {}
        for name, cells in re.findall(r"<tr><td>([^<]*)</td>(.*?)</tr>", body, re.S):
            rows[html.unescape(name)] = [Decimal(v.replace(",", ""))
                                         for v in re.findall(r'data-figure="[^"]*">([^<]*)</a>', cells)]
        tables[html.unescape(title)] = rows
    return tables


def _hidden(page: str) -> dict[str, str]:
    """The export form's hidden filter: what the button sends."""
    scope = page[page.index('id="list-export-scope"'):]
    scope = scope[:scope.index("</div>")]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', scope))


def _export(client, data: dict):
    response = client.post(reverse("web:list_export", args=["statistics"]), data)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _figures_of(book) -> dict[str, dict[str, list[Decimal]]]:
    """Each sheet's rows as {row name: [each figure]}, keyed by the sheet's title less the place (the page's h2);
    a unit's target and rate columns left out, as the page shows them beside the figure."""
    tables = {}
    for sheet in book.worksheets:
        headings = _headings(sheet)
        keep = [i for i, h in enumerate(headings[1:], start=1) if not str(h).endswith(("目标", "完成率%"))]
        title = sheet["A1"].value.split(" ", 1)[1]
        tables[title] = {row[0]: [Decimal(str(row[i])) for i in keep]
                         for row in sheet.iter_rows(min_row=HEADINGS + 1, values_only=True)}
    return tables


@pytest.mark.parametrize(("reader", "query", "places"), [
    ("county_admin", {"period": "2025"}, 14),
    ("shuanghe_reviewer", {"period": "2025"}, None),
    ("county_admin", {"region": SHUANGHE, "period": "2025"}, None),
])
def test_the_exported_cells_are_the_figures_on_screen(request, client, households, unit, reader, query, places):
    from bangfu.regions.models import Region

    user = request.getfixturevalue(reader)
    client.force_login(user)
    page = client.get(reverse("reports:statistics"), query).content.decode()
    shown = _screen(page)
    data = _hidden(page)
    assert data["period"] == "2025" and data["region"] == query.get("region", user.region_id)
    book = _export(client, data)
    assert book.sheetnames[0] == "分地区" and book.sheetnames[-1] == "分月"
    assert _figures_of(book) == shown  # every table, every row, every figure
    place_rows = _rows(book["分地区"])
    total = place_rows.pop("合计")  # the last row: each column summed, linked to the whole place's list
    assert list(total) == [sum(row[i] for row in place_rows.values()) for i in range(len(total))]
    if places:
        assert len(place_rows) == places
    else:  # 双河镇's own villages only: nothing of 漳扎
        low, high = Region.objects.get(code=SHUANGHE).code_range
        villages = set(Region.objects.filter(level="village", code__gte=low, code__lte=high).values_list("name",
                                                                                                          flat=True))
        assert set(place_rows) <= villages and len(place_rows) > 1
        assert sum(row[1] for row in place_rows.values()) == 1  # the one monitored household of 双河镇
        assert not any("漳扎" in name for name in place_rows)


def test_the_button_is_on_the_page_and_the_export_is_logged(client, shuanghe_reviewer, households):
    client.force_login(shuanghe_reviewer)
    page = client.get(reverse("reports:statistics"), {"period": "2025"}).content.decode()
    assert reverse("web:list_export", args=["statistics"]) in page and "导出将记录在案" in page
    assert "本名单含姓名" not in page  # counts, no names
    _export(client, _hidden(page))
    record = RevealRecord.objects.get()
    assert (record.actor, record.field, record.what) == (shuanghe_reviewer, "export_figures", "统计表")
    assert record.filters == "筛选条件：地区=双河镇；统计期=2025年" and record.region_code == SHUANGHE
    assert record.rows > 0 and record.field_label == "导出统计表（汇总数字，不含姓名）"


def test_another_township_is_refused_in_chinese_and_nothing_is_written(client, shuanghe_reviewer, households):
    client.force_login(shuanghe_reviewer)
    for region in (ZHANGZHA_TOWN, ZHANGZHA_VILLAGE, "513299000000"):
        response = client.post(reverse("web:list_export", args=["statistics"]), {"region": region, "period": "2025"})
        assert response.status_code == 403
        assert "不能导出统计表：没有这个区划，或不在您的管辖范围内" in response.content.decode()
    assert not RevealRecord.objects.exists()
    assert client.post(reverse("web:list_export", args=["statistics"]),  # the control: its own township
                       {"region": SHUANGHE, "period": "2025"}).status_code == 200


def test_who_may_not_export_gets_no_button_and_is_refused(client, regions, households):
    from tests.conftest import make_user

    client.force_login(make_user("contact", "assistance_contact", TUANJIE))  # may read, not export
    page = client.get(reverse("reports:statistics")).content.decode()
    assert reverse("web:list_export", args=["statistics"]) not in page and "打印" in page
    assert client.post(reverse("web:list_export", args=["statistics"]), {}).status_code == 403
    assert not RevealRecord.objects.exists()


def test_the_print_view_is_a4_and_hides_the_buttons(client, county_admin, households):
    """The page prints on A4 (the stylesheet's named page) with its buttons hidden (.actions), tables unbroken."""
    from django.contrib.staticfiles import finders

    client.force_login(county_admin)
    page = client.get(reverse("reports:statistics"), {"period": "2025"}).content.decode()
    assert '<div class="statistics">' in page and 'class="quick actions"' in page and "data-print" in page
    assert page.index("data-print") > page.index('class="quick actions"')
    assert 'class="muted small print-footer"' in page
    css = open(finders.find("bangfu/bangfu.css"), encoding="utf-8").read()
    printing = css[css.index("@media print"):]
    assert ".actions" in printing[:printing.index("}")] and "@page statistics { size: A4" in css
