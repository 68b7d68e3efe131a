"""Loading division files into the region tree: the packaged county, bad files, the whole province."""

import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.regions.models import Region
from bangfu.regions.selectors import region_path, regions_within
from bangfu.regions.services import RegionFileError, regions_load, regions_load_file, regions_load_jiuzhaigou
from tests.conftest import COUNTY, SHUANGHE, SONGBAI, TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE

SICHUAN = Path(__file__).resolve().parents[3] / "shared/data/regions/sichuan.csv"
HEADER = "code,name,level,parent_code\n"


@pytest.mark.django_db
def test_packaged_tree_loads_with_parents_and_levels():
    result = regions_load_jiuzhaigou()
    assert (result.created, result.updated) == (129, 0)
    assert Region.objects.count() == 129
    counts = {level: Region.objects.filter(level=level).count() for level in Region.Level.values}
    assert counts == {"province": 1, "city": 1, "county": 1, "township": 14, "village": 112}

    province = Region.objects.get(level="province")
    assert (province.code, province.name, province.parent_id) == ("510000000000", "四川省", None)
    county = Region.objects.get(code=COUNTY)
    assert (county.name, county.level, county.parent_id) == ("九寨沟县", "county", "513200000000")
    assert Region.objects.get(code=SHUANGHE).parent_id == COUNTY
    assert Region.objects.get(code=TUANJIE).parent_id == SHUANGHE
    assert Region.objects.get(code=ZHANGZHA_VILLAGE).parent_id == ZHANGZHA_TOWN
    assert [r.name for r in region_path(Region.objects.get(code=TUANJIE))] == [
        "四川省", "阿坝藏族羌族自治州", "九寨沟县", "双河镇", Region.objects.get(code=TUANJIE).name]

    # Every row but the root has a parent one level up whose code is a prefix of its own.
    depth = {"province": 0, "city": 1, "county": 2, "township": 3, "village": 4}
    by_code = {r.code: r for r in Region.objects.all()}
    for region in by_code.values():
        if region.level == "province":
            continue
        parent = by_code[region.parent_id]
        assert depth[parent.level] == depth[region.level] - 1, region.code
        assert region.code.startswith(parent.prefix), region.code


@pytest.mark.django_db
def test_loading_twice_leaves_unchanged_rows_alone():
    regions_load_jiuzhaigou()
    again = regions_load_jiuzhaigou()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 129)
    assert Region.objects.count() == 129


@pytest.mark.django_db
def test_reloading_changes_names_and_adds_new_rows():
    regions_load_jiuzhaigou()
    result = regions_load(text=HEADER + f"{TUANJIE},团结村（更名）,village,{SHUANGHE}\n"
                                        f"513225103299,新设村,village,{SHUANGHE}\n")
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert Region.objects.get(code=TUANJIE).name == "团结村（更名）"
    assert Region.objects.get(code="513225103299").parent_id == SHUANGHE
    assert Region.objects.count() == 130


@pytest.mark.django_db
def test_byte_order_mark_is_accepted():
    result = regions_load(text="\ufeff" + HEADER + "510000000000,四川省,province,\n")
    assert result.created == 1


def _good_rows() -> str:
    return (HEADER + "510000000000,四川省,province,\n"
            "513200000000,阿坝藏族羌族自治州,city,510000000000\n")


@pytest.mark.django_db
@pytest.mark.parametrize(("bad_row", "row_number", "names"), [
    ("51322500000,九寨沟县,county,513200000000", 4, "code"),
    ("513225000000,九寨沟县,district,513200000000", 4, "level"),
    ("51322500000A,九寨沟县,county,513200000000", 4, "code"),
    ("513225000000,九寨沟县,county,5132", 4, "parent_code"),
    ("513225000000,,county,513200000000", 4, "name"),
    ("513225000000,九寨沟县,county,519900000000", 4, "519900000000"),
], ids=["11-digit-code", "unknown-level", "letter-in-code", "short-parent", "empty-name", "unknown-parent"])
def test_bad_row_is_named_and_nothing_is_written(bad_row, row_number, names):
    with pytest.raises(RegionFileError) as caught:
        regions_load(text=_good_rows() + bad_row + "\n")
    message = str(caught.value)
    assert f"第{row_number}行" in message
    assert names in message
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_row_number_counts_blank_lines():
    with pytest.raises(RegionFileError, match="第5行"):
        regions_load(text=_good_rows() + "\n" + "51322500000,九寨沟县,county,513200000000\n")
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_bad_row_after_good_rows_rolls_back_updates_too():
    regions_load_jiuzhaigou()
    with pytest.raises(RegionFileError):
        regions_load(text=HEADER + f"{TUANJIE},改名不应生效,village,{SHUANGHE}\n"
                                   "51322510321,坏代码,village,513225103000\n")
    assert Region.objects.get(code=TUANJIE).name != "改名不应生效"
    assert Region.objects.count() == 129


@pytest.mark.django_db
def test_missing_column_is_named_and_nothing_is_written():
    with pytest.raises(RegionFileError) as caught:
        regions_load(text="code,name,level\n510000000000,四川省,province\n")
    assert "缺少列" in str(caught.value)
    assert "parent_code" in str(caught.value)
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_parent_already_in_database_is_accepted():
    regions_load_jiuzhaigou()
    result = regions_load(text=HEADER + f"513225103298,另一个新村,village,{SHUANGHE}\n")
    assert result.created == 1


@pytest.mark.django_db
def test_management_command_reports_bad_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "51322500000,九寨沟县,county,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第2行"):
        call_command("load_regions", str(path))
    assert Region.objects.count() == 0


@pytest.fixture
def sichuan_file():
    if not SICHUAN.exists():
        message = f"{SICHUAN} is not present on this machine (shared data not mounted)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SICHUAN


@pytest.mark.django_db
@pytest.mark.slow
def test_whole_of_sichuan_loads(sichuan_file):
    result = regions_load_file(path=sichuan_file)
    assert result.created == 37_728
    assert Region.objects.count() == 37_728
    counts = {level: Region.objects.filter(level=level).count() for level in Region.Level.values}
    assert counts == {"province": 1, "city": 21, "county": 183, "township": 3_111, "village": 34_412}
    assert Region.objects.filter(parent__isnull=True).count() == 1
    # Jiuzhaigou is inside it, with the same villages as the packaged file.
    county = Region.objects.get(code=COUNTY)
    assert regions_within(county, level="village").count() == 112


@pytest.mark.django_db
@pytest.mark.slow
def test_whole_of_sichuan_reloads_without_writing(sichuan_file):
    regions_load_file(path=sichuan_file)
    with CaptureQueriesContext(connection) as queries:
        again = regions_load_file(path=sichuan_file)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 37_728)
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


@pytest.mark.django_db
def test_code_range_and_contains(regions):
    county, shuanghe, tuanjie = regions[COUNTY], regions[SHUANGHE], regions[TUANJIE]
    assert county.code_range == ("513225000000", "513225999999")
    assert shuanghe.code_range == ("513225103000", "513225103999")
    assert tuanjie.code_range == (TUANJIE, TUANJIE)
    assert Region.objects.get(code="510000000000").code_range == ("510000000000", "519999999999")
    assert county.contains(TUANJIE) and county.contains(ZHANGZHA_VILLAGE)
    assert shuanghe.contains(TUANJIE) and shuanghe.contains(SONGBAI)
    assert not shuanghe.contains(ZHANGZHA_VILLAGE)
    assert not shuanghe.contains("513225104000")
    assert tuanjie.contains(TUANJIE) and not tuanjie.contains(SONGBAI)
    assert not county.contains("513226000000")


@pytest.mark.django_db
def test_regions_within_uses_the_range(regions):
    shuanghe = regions[SHUANGHE]
    codes = set(regions_within(shuanghe).values_list("code", flat=True))
    assert SHUANGHE in codes and TUANJIE in codes and SONGBAI in codes
    assert ZHANGZHA_VILLAGE not in codes
    villages = regions_within(shuanghe, level="village")
    assert all(v.parent_id == SHUANGHE for v in villages)
    assert villages.count() == Region.objects.filter(parent_id=SHUANGHE, level="village").count()
