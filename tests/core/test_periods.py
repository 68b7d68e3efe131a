"""parse_month: the month forms people type, cleaned to YYYYMM; future months refused."""

import datetime as dt

import pytest

from bangfu.core.periods import parse_month

TODAY = dt.date(2026, 11, 29)


@pytest.mark.parametrize("raw", ["202403", "2024-03", "2024-3", "2024.3", "2024/03", "2024年3月", "2024年03月",
                                 "２０２４０３", "２０２４－０３", "２０２４年３月", " 2024.03 "])
def test_accepted_forms(raw):
    assert parse_month(raw, today=TODAY) == "202403"


def test_this_month_is_accepted_and_next_is_refused():
    assert parse_month("2026-11", today=TODAY) == "202611"
    with pytest.raises(ValueError, match="不能晚于本月（202611）"):
        parse_month("2026-12", today=TODAY)


@pytest.mark.parametrize(("raw", "words"), [
    ("2024-13", "月份应在1至12之间"), ("2024-0", "月份应在1至12之间"), ("1900-01", "1949"), ("1800-01", "1900"),
    ("abc", "无法识别"), ("24-03", "无法识别"), ("2024", "无法识别"), ("٢٠٢٤٠٣", "应为年月"),
])
def test_refused_forms_name_the_rule(raw, words):
    with pytest.raises(ValueError, match=words):
        parse_month(raw, today=TODAY)
