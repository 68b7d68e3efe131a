"""Amounts, months, dates, counts and yes/no as ledgers write them."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.core.parsing import (
    ParseError,
    clean_text,
    header_key,
    parse_amount,
    parse_count,
    parse_date,
    parse_month,
    parse_yes_no,
)


@pytest.mark.parametrize("raw, expected", [
    (1234.5, Decimal("1234.50")), (12000, Decimal("12000.00")), ("12,345.6", Decimal("12345.60")),
    ("1.2万", Decimal("12000.00")), ("1.2万元", Decimal("12000.00")), ("800元", Decimal("800.00")),
    ("￥800", Decimal("800.00")), ("１２３４", Decimal("1234.00")), (" 3 000 ", Decimal("3000.00")),
    ("-500", Decimal("-500.00")), ("0.005", Decimal("0.01")), ("１，２３４．５元", Decimal("1234.50")),
])
def test_amounts(raw, expected):
    assert parse_amount(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "12元5角", "1.2.3", "", "万元"])
def test_bad_amounts_name_the_rule(raw):
    with pytest.raises(ParseError) as caught:
        parse_amount(raw)
    assert caught.value.rule == "amount" and "金额" in caught.value.message


@pytest.mark.parametrize("raw", [
    "202206", 202206, 202206.0, "2022.6", 2022.6, 2022.06, "2022年6月", "2022年06月", "2022/06", "2022-06",
    "2022-06-01", "2022/6/15", "20220615", 20220615, "2022年6月15日", dt.date(2022, 6, 1),
    dt.datetime(2022, 6, 30, 8, 0), 44713, 44713.0, "２０２２０６", " 2022 年 6 月 ",
])
def test_months(raw):
    assert parse_month(raw) == "202206"


def test_october_typed_as_text_is_october_and_as_number_is_refused():
    assert parse_month("2022.10") == "202210"
    assert parse_month(2022.12) == "202212"
    with pytest.raises(ParseError) as caught:
        parse_month(2022.1)
    assert caught.value.rule == "month_ambiguous" and "1月和10月" in caught.value.message


@pytest.mark.parametrize("raw, rule", [("202213", "month"), ("2022-02-30", "date"), ("六月", "date"),
                                       ("", "required"), (1234567, "date"), ("2022.13", "month")])
def test_bad_months(raw, rule):
    with pytest.raises(ParseError) as caught:
        parse_month(raw)
    assert caught.value.rule == rule


def test_dates_need_a_day():
    assert parse_date("2022-06-01") == dt.date(2022, 6, 1)
    assert parse_date(44713) == dt.date(2022, 6, 1)
    assert parse_date("2022年6月15日") == dt.date(2022, 6, 15)
    with pytest.raises(ParseError) as caught:
        parse_date("202206")
    assert caught.value.rule == "date_needs_day"


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)))
def test_every_spelling_of_a_day_gives_the_same_month(day):
    spellings = [f"{day:%Y%m%d}", f"{day:%Y-%m-%d}", f"{day.year}年{day.month}月{day.day}日", f"{day:%Y/%m/%d}",
                 day, int(f"{day:%Y%m%d}")]
    assert {parse_month(s) for s in spellings} == {f"{day:%Y%m}"}
    assert {parse_date(s) for s in spellings} == {day}


def test_counts_and_yes_no():
    assert parse_count("3人") == 3 and parse_count(4.0) == 4 and parse_count("６") == 6
    with pytest.raises(ParseError):
        parse_count(2.5)
    assert parse_yes_no("是") and parse_yes_no("√") and not parse_yes_no("否") and not parse_yes_no("×")
    with pytest.raises(ParseError) as caught:
        parse_yes_no("也许")
    assert "是" in caught.value.message


def test_text_and_headers_are_normalised():
    assert clean_text("　张　三 ") == "张三"
    assert clean_text("ＡＢ  12") == "AB 12"
    assert header_key(" 身份证\n号码* ") == "身份证号码"
    assert header_key("户编号：") == "户编号"
