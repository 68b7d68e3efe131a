"""Division files as people have them: Excel's GB18030, a BOM, a wrong path given to the command."""

import pytest
from django.core.management import CommandError, call_command

from bangfu.regions.models import Region
from bangfu.regions.services import RegionFileError, regions_load_file

TEXT = ("code,name,level,parent_code\n510000000000,四川省,province,\n"
        "513200000000,阿坝藏族羌族自治州,city,510000000000\n")


@pytest.mark.django_db
def test_gb18030_file_loads_with_its_names(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(TEXT.encode("gb18030"))
    result = regions_load_file(path=path)
    assert result.created == 2
    assert Region.objects.get(code="513200000000").name == "阿坝藏族羌族自治州"


@pytest.mark.django_db
def test_utf8_file_with_byte_order_mark_loads(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    assert regions_load_file(path=path).created == 2
    assert Region.objects.get(code="510000000000").name == "四川省"


@pytest.mark.django_db
def test_damaged_utf8_file_is_rejected_not_read_as_gb18030(tmp_path):
    path = tmp_path / "damaged.csv"
    path.write_bytes(TEXT.encode("utf-8").replace("阿坝".encode(), b"\xff\xfe"))
    with pytest.raises(RegionFileError, match="第3行：文件大部分是 UTF-8"):
        regions_load_file(path=path)
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_utf16_file_is_rejected_in_chinese(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes(TEXT.encode("utf-16"))
    with pytest.raises(RegionFileError, match="UTF-16"):
        regions_load_file(path=path)


@pytest.mark.django_db
def test_directory_given_to_the_command_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="是一个目录，不是文件"):
        call_command("load_regions", str(tmp_path))


@pytest.mark.django_db
def test_missing_file_given_to_the_command_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="找不到该文件"):
        call_command("load_regions", str(tmp_path / "nothing.csv"))
