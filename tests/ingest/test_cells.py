"""ID numbers as cells hold them, villages by name within the county, coded values by their labels."""

import pytest

from bangfu.core.parsing import ParseError
from bangfu.ingest.cells import VillageResolver, choice_index, parse_choice, resident_id, village_short_name
from bangfu.regions.models import Region
from bangfu.registry.choices import HouseholdType
from tests.conftest import COUNTY, TUANJIE, ZHANGZHA_VILLAGE


def test_id_number_stored_as_a_number_is_an_error_never_a_guess():
    for cell in (5.13225e17, 513225198001010011, "5.13225E+17", "5.13225198001E+17"):
        with pytest.raises(ParseError) as caught:
            resident_id(cell)
        assert caught.value.rule == "id_number_as_number" and "数字" in caught.value.message
    assert resident_id(" 513225800101001 ") == "513225198001010014"  # 15-digit legacy number
    assert resident_id(513225800101001) == "513225198001010014"       # fits in a numeric cell
    assert resident_id("'513225198001010014") == "513225198001010014"
    with pytest.raises(ParseError) as caught:
        resident_id("513225198001010012")
    assert caught.value.rule == "id_number_check_character"


def test_village_names_as_people_write_them(regions):
    resolve = VillageResolver(COUNTY).resolve
    for text in ("团结村", "双河镇团结村", "团结村村民委员会", "双河镇 团结村", "九寨沟县双河镇团结村", "团结", TUANJIE):
        assert resolve(text).code == TUANJIE, text
    assert resolve("漳扎镇漳扎村").code == ZHANGZHA_VILLAGE
    assert village_short_name("荷叶社区居委会") == "荷叶社区"
    assert resolve("荷叶社区").name == "荷叶社区居委会"
    with pytest.raises(ParseError) as caught:
        resolve("幸福村")
    assert caught.value.rule == "village_unknown" and "幸福村" in caught.value.message
    with pytest.raises(ParseError) as caught:
        resolve("漳扎镇团结村")  # the name exists, but not in that township
    assert caught.value.rule == "village_unknown"


def test_a_name_in_two_townships_is_ambiguous_unless_the_township_is_written(regions):
    Region.objects.create(code="513225101299", name="团结村村民委员会", level="village", parent_id="513225101000")
    resolve = VillageResolver(COUNTY).resolve
    with pytest.raises(ParseError) as caught:
        resolve("团结村")
    assert caught.value.rule == "village_ambiguous" and "漳扎镇" in caught.value.message and "双河镇" in caught.value.message
    assert resolve("双河镇团结村").code == TUANJIE
    assert resolve("漳扎镇团结村").code == "513225101299"


def test_choices_by_chinese_label():
    index = choice_index(HouseholdType, {"脱贫户（含监测户）": "formerly_poor"})
    assert parse_choice("脱贫户", index, what="户类型") == "formerly_poor"
    assert parse_choice(" 一般 农户 ", index, what="户类型") == "ordinary"
    with pytest.raises(ParseError) as caught:
        parse_choice("贫困户", index, what="户类型")
    assert caught.value.rule == "choice" and "户类型" in caught.value.message


def test_birth_date_cells_as_ledgers_write_them():
    import datetime as dt

    from bangfu.ingest.cells import birth_date_cell

    assert birth_date_cell("") is None
    assert birth_date_cell(1980) == birth_date_cell(1980.0) == birth_date_cell("1980") == "1980"
    assert birth_date_cell(198003) == birth_date_cell("1980.3") == birth_date_cell(1980.03) == "198003"
    assert birth_date_cell(1980.1) == "1980"  # January or October: only the year is read
    assert birth_date_cell("1980-03-15") == birth_date_cell(19800315) == dt.date(1980, 3, 15)
    assert birth_date_cell(dt.datetime(1980, 3, 15)) == dt.date(1980, 3, 15)
    with pytest.raises(ParseError):
        birth_date_cell("不详")


def test_what_shows_excel_cut_a_column():
    from bangfu.ingest.cells import cut_by_excel, cut_column_evidence, household_number_text

    assert cut_by_excel(5132251032139000.0, id_number=False)        # 16 digits in a number cell
    assert not cut_by_excel(513225000000001.0, id_number=False)     # 15 fit
    assert cut_by_excel("5.13225E+15", id_number=False)
    assert not cut_by_excel("5132251032139000", id_number=False)    # text ending in 0: no sign on its own
    assert cut_column_evidence([(2, "513225198001010014"), (3, ""), (4, 5.13225198001e17)], id_number=True) == 4
    assert cut_column_evidence([(2, "513225198001010014"), (3, "5132251032139000")], id_number=False) is None
    assert household_number_text(513225000000001.0) == "513225000000001"
    assert household_number_text(" 5132251032130001 ") == "5132251032130001"
    for cell in (5132251032139004, 5.132251032139e15, "5.13225E+15"):
        with pytest.raises(ParseError) as caught:
            household_number_text(cell)
        assert caught.value.rule == "number_as_number" and "15位有效数字" in caught.value.message
