"""ID numbers: the shared vectors, legacy 15-digit numbers, derivation, normalisation, and properties."""

import csv
import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.core.id_number import (
    CHECK_MAP,
    IdNumberError,
    check_character,
    is_valid_id_number,
    make_id_number,
    normalise_id_number,
    parse_id_number,
)
from tests.conftest import synthetic_id

VECTORS = Path(__file__).resolve().parents[3] / "shared/data/id-numbers.csv"

# The rule each invalid vector must be rejected under, and a word its Chinese message must contain.
EXPECTED_RULE = {
    "110105194912310021": "check_character",
    "110105194913310021": "birth_date_invalid",
    "110105194902300020": "birth_date_invalid",
    "4405241880010100": "length",
    "4405241880010100145": "length",
    "44052418800101001A": "characters",
    "513225209901010010": "birth_date_future",
    "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X": "characters",
    "000000199001010018": "province_code",
}
MESSAGE_NAMES_RULE = {
    "check_character": "校验码",
    "birth_date_invalid": "出生日期无效",
    "length": "应为18位",
    "characters": "必须是数字",
    "birth_date_future": "晚于今天",
    "province_code": "省级行政区划代码",
}


def _vectors() -> list[dict]:
    if not VECTORS.exists():
        return []  # test_shared_vectors_are_present says why
    with VECTORS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _vector_params():
    return [pytest.param(row, id=f"row{i}-{row['note'][:40]}") for i, row in enumerate(_vectors(), start=2)]


def _require_vectors() -> None:
    if not VECTORS.exists():
        message = f"{VECTORS} is missing: the ID-number vector tests did not run"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def test_vectors_file_is_read_and_has_both_kinds():
    _require_vectors()
    rows = _vectors()
    assert len(rows) >= 13
    assert {row["valid"] for row in rows} == {"true", "false"}


@pytest.mark.parametrize("row", _vector_params())
def test_vector_accepted_or_rejected_as_the_file_says(row):
    raw = row["id_number"]
    if row["valid"] == "true":
        parsed = parse_id_number(raw)
        assert parsed.number == normalise_id_number(raw)
        assert len(parsed.number) == 18
        assert is_valid_id_number(raw)
    else:
        assert row["valid"] == "false"
        with pytest.raises(IdNumberError) as caught:
            parse_id_number(raw)
        key = raw.strip()
        assert key in EXPECTED_RULE, f"invalid vector {raw!r} has no expected rule in this test: add one"
        rule = EXPECTED_RULE[key]
        assert caught.value.rule == rule
        assert MESSAGE_NAMES_RULE[rule] in caught.value.message
        assert str(caught.value) == caught.value.message
        assert not is_valid_id_number(raw)


def test_every_rule_code_is_exercised_by_the_vectors():
    _require_vectors()
    rules = set()
    for row in _vectors():
        if row["valid"] == "false":
            with pytest.raises(IdNumberError) as caught:
                parse_id_number(row["id_number"])
            rules.add(caught.value.rule)
    assert rules == {"check_character", "birth_date_invalid", "length", "characters", "birth_date_future",
                     "province_code"}


def test_check_character_message_names_expected_and_actual():
    with pytest.raises(IdNumberError) as caught:
        parse_id_number("110105194912310021")
    assert caught.value.message == "校验码错误：最后一位应为X，实为1"


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_empty_is_required(raw):
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(raw)
    assert caught.value.rule == "required"
    assert "不能为空" in caught.value.message


# --- legacy 15-digit numbers ------------------------------------------------------------------------------


def _legacy_from(number18: str) -> str:
    assert number18[6:8] == "19"
    return number18[:6] + number18[8:17]


@pytest.mark.parametrize("male", [True, False])
def test_fifteen_digit_legacy_number_is_converted(male):
    modern = synthetic_id("19750315", male=male)
    legacy = _legacy_from(modern)
    assert len(legacy) == 15
    parsed = parse_id_number(legacy)
    assert parsed.number == modern
    assert parsed.birth_date == dt.date(int(modern[6:10]), int(modern[10:12]), int(modern[12:14]))
    assert parsed.sex == ("male" if male else "female")


def test_fifteen_digit_with_letters_is_rejected():
    with pytest.raises(IdNumberError) as caught:
        parse_id_number("51322580010100X")
    assert caught.value.rule == "characters"
    assert "15位" in caught.value.message


def test_fifteen_digit_with_impossible_date_is_rejected():
    with pytest.raises(IdNumberError) as caught:
        parse_id_number("513225800230001")  # 1980-02-30
    assert caught.value.rule == "birth_date_invalid"


# --- derivation and normalisation -------------------------------------------------------------------------


def test_sex_and_birth_date_are_derived():
    male = parse_id_number(make_id_number("513225", dt.date(1985, 7, 9), 123))
    female = parse_id_number(make_id_number("513225", dt.date(2001, 12, 31), 124))
    assert (male.sex, male.birth_date, male.address_code) == ("male", dt.date(1985, 7, 9), "513225")
    assert (female.sex, female.birth_date) == ("female", dt.date(2001, 12, 31))


def test_today_parameter_decides_future():
    number = make_id_number("513225", dt.date(2020, 6, 1), 10)
    assert parse_id_number(number, today=dt.date(2020, 6, 1)).birth_date == dt.date(2020, 6, 1)
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(number, today=dt.date(2020, 5, 31))
    assert caught.value.rule == "birth_date_future"


def _number_ending_in_x() -> str:
    for sequence in range(1000):
        number = make_id_number("513225", dt.date(1990, 1, 1), sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")


def test_normalisation_of_typed_forms():
    number = _number_ending_in_x()
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in number)
    typed = [number.lower(), f"  {number}  ", full_width, f"{number[:6]} {number[6:14]} {number[14:]}",
             "\u3000" + number.lower() + "\t"]
    for raw in typed:
        assert normalise_id_number(raw) == number, raw
        assert parse_id_number(raw).number == number, raw


def test_normalise_does_not_validate():
    assert normalise_id_number(" abc ") == "ABC"
    assert normalise_id_number(None) == ""


def test_check_character_worked_example():
    assert check_character("34052419800101001") == "X"
    assert check_character("44052418800101001") == "4"


# --- properties -------------------------------------------------------------------------------------------

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today())
sequences = st.integers(min_value=0, max_value=999)


@given(born=dates, sequence=sequences)
def test_made_numbers_round_trip(born, sequence):
    number = make_id_number("513225", born, sequence)
    parsed = parse_id_number(number)
    assert parsed.number == number
    assert parsed.birth_date == born
    assert parsed.sex == ("male" if sequence % 2 == 1 else "female")


@given(born=dates, sequence=sequences, data=st.data())
def test_any_other_check_character_fails(born, sequence, data):
    number = make_id_number("513225", born, sequence)
    wrong = data.draw(st.sampled_from([ch for ch in CHECK_MAP if ch != number[-1]]))
    mangled = number[:-1] + wrong
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(mangled)
    if mangled.endswith("000"):  # as Excel leaves a number cell: the cause, not a check character to try
        assert caught.value.rule == "as_number" and "Excel只保留15位有效数字" in caught.value.message
    else:
        assert caught.value.rule == "check_character"
        assert "校验码" in caught.value.message


def _ending_000(valid: bool) -> str:
    """A synthetic number whose last three digits are 000, with a right or a wrong check character."""
    for day in range(1, 400):
        body = make_id_number("513225", dt.date(1980, 1, 1) + dt.timedelta(days=day), 100)[:17]
        if (check_character(body) == "0") == valid:
            return body + "0"
    raise AssertionError("no such number")


def test_a_number_excel_cut_is_refused_with_the_cause_not_a_check_character():
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(_ending_000(valid=False))
    assert caught.value.rule == "as_number"
    assert "Excel只保留15位有效数字" in caught.value.message and "不要只改最后一位" in caught.value.message
    assert "应为" not in caught.value.message  # no check character to copy into another wrong number
    # control: a real number ending in 000 (its check character is 0) is a number like any other
    assert parse_id_number(_ending_000(valid=True)).number.endswith("000")
    # control: a wrong check character that does not end in 000 is named as before
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(_ending_000(valid=True)[:-1] + "1")
    assert caught.value.rule == "check_character"


def test_looks_cut_by_excel_is_what_fifteen_significant_digits_leave():
    from bangfu.core.id_number import looks_cut_by_excel

    assert looks_cut_by_excel("513225198001011000") and looks_cut_by_excel("5132251032139000")
    assert not looks_cut_by_excel("513225198001011001") and not looks_cut_by_excel("5132251032139004")
    assert not looks_cut_by_excel("513225000000000")  # 15 digits fit in a number cell
    assert not looks_cut_by_excel("51322519800101100X")


def test_shared_vectors_are_present():
    """The vectors live in ../shared beside the checkout: required in CI, skipped visibly elsewhere."""
    _require_vectors()
    assert len(_vectors()) >= 13


@pytest.mark.parametrize("raw", ["٤٤٠٥٢٤١٨٨٠٠١٠١٠٠١٤", "४४०५२४१८८००१०१००१४", "४४०५२४८८०१०१००१"])
def test_digits_of_other_scripts_are_refused_even_in_legacy_numbers(raw):
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(raw)
    assert caught.value.rule == "characters"


@pytest.mark.parametrize("prefix", ["00", "10", "16", "20", "24", "30", "38", "40", "47", "49", "55", "60", "66",
                                    "70", "72", "80", "84", "99"])
def test_address_code_must_start_with_a_province_level_code(prefix):
    body = f"{prefix}0105" + "19491231002"
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(body + check_character(body))
    assert caught.value.rule == "province_code"
    assert prefix in caught.value.message


@pytest.mark.parametrize("prefix", ["11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71",
                                    "81", "82", "83"])
def test_every_province_level_code_is_accepted(prefix):
    body = f"{prefix}0105" + "19491231002"
    assert parse_id_number(body + check_character(body)).number == body + check_character(body)
