"""The consistency rules of the 12-digit code: a row that would mislabel a subtree (and so widen or narrow someone's
jurisdiction) is rejected with its line and column, and nothing at all is written."""

import pytest

from bangfu.regions.models import Region
from bangfu.regions.services import MAX_ERRORS, RegionFileError, regions_load, regions_load_jiuzhaigou

HEADER = "code,name,level,parent_code\n"
# Lines 2-4 of every file below: a province, a city and a county, all consistent.
TOP = (HEADER + "510000000000,四川省,province,\n"
       "513200000000,阿坝藏族羌族自治州,city,510000000000\n"
       "513225000000,九寨沟县,county,513200000000\n")


def _rejected(text: str) -> str:
    with pytest.raises(RegionFileError) as caught:
        regions_load(text=text)
    assert Region.objects.count() == 0
    return str(caught.value)


@pytest.mark.django_db
def test_consistent_file_loads():
    result = regions_load(text=TOP + "513225103000,双河镇,township,513225000000\n"
                                     "513225103213,团结村,village,513225103000\n")
    assert result.created == 5


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "claimed", "shaped"), [
    ("513200000000,阿坝州,province,", "province", "city"),
    ("510000000000,四川省,city,", "city", "province"),
    ("513225000000,九寨沟县,city,510000000000", "city", "county"),
    ("513200000000,阿坝州,county,510000000000", "county", "city"),
    ("513225103000,双河镇,county,513200000000", "county", "township"),
    ("513225000000,九寨沟县,township,513200000000", "township", "county"),
    ("513225103213,团结村,township,513225103000", "township", "village"),
    ("513225103000,双河镇,village,513225000000", "village", "township"),
], ids=["province-not-10-zeros", "city-is-province-code", "city-not-8-zeros", "county-is-city-code",
        "county-not-6-zeros", "township-digits-7-9-zero", "township-not-3-zeros", "village-ends-000"])
def test_code_shape_must_match_level(row, claimed, shaped):
    message = _rejected(HEADER + row + "\n")
    assert message.startswith("第2行 level：")
    assert f"层级为 {claimed}" in message
    assert f"按代码应为 {shaped}" in message


@pytest.mark.django_db
def test_province_has_no_parent():
    message = _rejected(HEADER + "510000000000,四川省,province,500000000000\n")
    assert message == "第2行 parent_code：省级区划 510000000000 不应有上级，实为 500000000000"


@pytest.mark.django_db
def test_non_province_needs_a_parent():
    message = _rejected(TOP + "513225103000,双河镇,township,\n")
    assert message == "第5行 parent_code：乡镇（街道） 513225103000 必须有上级，应为 513225000000"


@pytest.mark.django_db
def test_parent_must_be_exactly_one_level_up():
    message = _rejected(TOP + "513225103000,双河镇,township,513200000000\n")
    assert message.startswith("第5行 parent_code：")
    assert "上级应为县（区），但 513200000000 是市（州）" in message
    assert "按代码应为 513225000000" in message


@pytest.mark.django_db
def test_code_must_start_with_parents_prefix():
    message = _rejected(TOP + "513226000000,松潘县,county,513200000000\n"
                              "513225103000,双河镇,township,513226000000\n")
    assert message.startswith("第6行 parent_code：")
    assert "513225103000 不以上级 513226000000 的前缀 513226 开头" in message
    assert "按代码应为 513225000000" in message


@pytest.mark.django_db
def test_parent_in_database_must_be_one_level_up():
    regions_load_jiuzhaigou()
    with pytest.raises(RegionFileError, match="第2行 parent_code：.*上级应为乡镇（街道），但 513225000000 是县（区）"):
        regions_load(text=HEADER + "513225103299,新设村,village,513225000000\n")
    assert not Region.objects.filter(code="513225103299").exists()


@pytest.mark.django_db
def test_code_twice_in_one_file_names_both_lines():
    message = _rejected(TOP + "513225103000,双河镇,township,513225000000\n"
                              "513225103000,双河乡,township,513225000000\n")
    assert message == "第6行 code：区划代码 513225103000 重复（第5行已有）"


@pytest.mark.django_db
def test_several_errors_are_reported_at_once():
    message = _rejected(TOP + "513225103000,双河镇,county,513200000000\n"
                              "513225104000,黑河镇,township,\n"
                              "5132251050,勿角镇,township,513225000000\n")
    lines = message.splitlines()
    assert [line.split(" ")[0] for line in lines] == ["第5行", "第6行", "第7行"]


@pytest.mark.django_db
def test_errors_beyond_the_limit_are_counted_not_listed():
    bad = "".join(f"513225{n:03d}000,某乡,village,513225000000\n" for n in range(101, 131))
    message = _rejected(TOP + bad)
    lines = message.splitlines()
    assert len(lines) == MAX_ERRORS + 1
    assert lines[-1] == f"……共 30 处错误，只列出前 {MAX_ERRORS} 处"


@pytest.mark.django_db
def test_consistency_error_after_good_rows_writes_nothing():
    regions_load_jiuzhaigou()
    with pytest.raises(RegionFileError):
        regions_load(text=HEADER + "513225103213,改名不应生效,village,513225103000\n"
                                   "513225103000,双河镇,county,513200000000\n")
    assert Region.objects.get(code="513225103213").name == "团结村村民委员会"
    assert Region.objects.count() == 129
