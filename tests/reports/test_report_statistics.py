"""`bangfu report statistics --out F.xlsx [--region CODE] [--year Y]`: the statistics tables as a workbook whose
cells are the dashboards' figures."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from tests.conftest import SHUANGHE, TUANJIE, ZHANGZHA_VILLAGE


@pytest.fixture
def households(make_household):
    make_household(TUANJIE, household_type="formerly_poor", monitoring_type="unstable", monitoring_status="risk_open",
                   identified_month="202503")
    make_household(ZHANGZHA_VILLAGE, monitoring_type="marginal", monitoring_status="risk_eliminated",
                   identified_month="202502", eliminated_month="202509")
    make_household(ZHANGZHA_VILLAGE)


def _rows(sheet):
    return {row[0]: row[1:] for row in sheet.iter_rows(min_row=4, values_only=True)}


def test_the_county_workbook_opens_with_the_figures(tmp_path, households, capsys):
    out = tmp_path / "统计表.xlsx"
    call_command("report", "statistics", out=str(out), year=2025)
    assert "已生成" in capsys.readouterr().out
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["分地区", "分月"]  # no assisting units yet: no unit sheet
    places = book["分地区"]
    assert places["A1"].value == "九寨沟县 分乡镇统计"
    headings = [c.value for c in next(places.iter_rows(min_row=3, max_row=3))]
    assert headings[:4] == ["乡镇", "在册农户", "监测对象", "风险未消除"]
    rows = _rows(places)
    assert rows["双河镇"][:3] == (1, 1, 1)
    assert rows["漳扎镇"][:3] == (2, 1, 0)
    assert len(rows) == 14  # every township-level unit, empty ones too
    months = _rows(book["分月"])
    assert len(months) == 12
    assert months["2025-02"] == (1, 0) and months["2025-03"] == (1, 0) and months["2025-09"] == (0, 1)


def test_a_township_workbook_lists_its_villages(tmp_path, households):
    out = tmp_path / "shuanghe.xlsx"
    call_command("report", "statistics", out=str(out), region=SHUANGHE, year=2025)
    places = load_workbook(out, read_only=True)["分地区"]
    assert places["A1"].value == "双河镇 分村（社区）统计"
    rows = _rows(places)
    assert sum(row[0] for row in rows.values()) == 1 and any(name.startswith("团结村") for name in rows)


def test_bad_arguments_are_refused_in_one_line(tmp_path, households):
    with pytest.raises(CommandError, match="不存在或不在本县"):
        call_command("report", "statistics", out=str(tmp_path / "x.xlsx"), region="513299000000")
    with pytest.raises(CommandError, match=r"\.xlsx"):
        call_command("report", "statistics", out=str(tmp_path / "x.docx"))
    assert not (tmp_path / "x.xlsx").exists()
