"""`bangfu report relocation`: the first sheet is 至少1人就业 per site with the indicator's figures, then 安置点,
搬迁户 and 就业; a bad region or file name gets one line."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from bangfu.relocation.services import employment_record, relocated_household_save, site_save, workshop_save
from tests.conftest import SHUANGHE, SONGBAI, TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE
from tests.relocation.factories import YEAR


@pytest.fixture
def two_sites(county_admin, make_household, regions):
    ganggou = site_save(actor=county_admin, data={"name": "甘沟安置点", "township": regions[SHUANGHE],
                                                  "population": 1200, "year_built": 2017,
                                                  "facilities": ["school", "clinic"], "contact": "李主任 0837-0000000"})
    workshop_save(actor=county_admin, site=ganggou, data={"name": "藏绣车间", "jobs_offered": 20, "jobs_filled": 9})
    zharu = site_save(actor=county_admin, data={"name": "扎如安置点", "township": regions[ZHANGZHA_TOWN],
                                                "population": 300})
    households = []
    for village, site in ((TUANJIE, ganggou), (SONGBAI, ganggou), (TUANJIE, ganggou), (ZHANGZHA_VILLAGE, zharu)):
        household = make_household(village)
        relocated_household_save(actor=county_admin, household=household, data={"site": site, "relocation_year": 2017})
        households.append(household)
    employment_record(actor=county_admin, member=households[0].members.get(),
                      data={"year": YEAR, "kind": "local", "place": "县城酒店", "months": 9})
    return households


def test_the_workbook(tmp_path, two_sites, capsys):
    out = tmp_path / "搬迁.xlsx"
    call_command("report", "relocation", "--out", str(out))
    assert "覆盖率 25.0%" in capsys.readouterr().out
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["至少1人就业", "安置点", "搬迁户", "就业"]
    first = book.get_sheet_by_name("至少1人就业").to_python()
    assert first[0] == ["安置点", "有劳动力搬迁户", "至少1人就业户", "覆盖率", "未就业户"]
    assert first[1:] == [["扎如安置点", 1, 0, "0.0%", 1], ["甘沟安置点", 3, 1, "33.3%", 2], ["合计", 4, 1, "25.0%", 3]]
    sites = book.get_sheet_by_name("安置点").to_python()
    assert sites[2][:4] == ["甘沟安置点", "双河镇", 1200, "800-3000人"] and sites[2][6:9] == [1, 20, 9]
    assert len(book.get_sheet_by_name("搬迁户").to_python()) == 5
    assert book.get_sheet_by_name("就业").to_python()[1][3:7] == ["就近就业", "县城酒店", "", 9]

    call_command("report", "relocation", "--out", str(out), "--region", SHUANGHE)
    first = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("至少1人就业").to_python()
    assert first[1:] == [["甘沟安置点", 3, 1, "33.3%", 2], ["合计", 3, 1, "33.3%", 2]]


def test_bad_arguments_get_one_line(tmp_path, regions):
    with pytest.raises(CommandError, match="没有区划代码为 999"):
        call_command("report", "relocation", "--out", str(tmp_path / "a.xlsx"), "--region", "999")
    with pytest.raises(CommandError, match=r"\.xlsx"):
        call_command("report", "relocation", "--out", str(tmp_path / "a.docx"))


def test_import_relocation_employment_on_the_command_line(two_sites, capsys):
    from bangfu.core.subcommands import SUBCOMMANDS, discover

    discover()
    command = SUBCOMMANDS["import"]["relocation-employment"].handler()
    import io

    out = io.StringIO()
    assert command.handle({"year": YEAR}, out) == 0
    assert f"{YEAR}年：人社数据中的搬迁劳动力 0 人" in out.getvalue()
