"""registry.validation's small API as the department-file import and other callers use it: names compared across
spellings, a partial birth date, problems carrying field and rule."""

import datetime as dt
from decimal import Decimal

import pytest

from bangfu.registry.validation import (
    AMOUNT_LIMIT,
    Invalid,
    amount_problem,
    member_identity,
    member_problems,
    names_agree,
    person_name,
)
from tests.conftest import synthetic_id


@pytest.mark.parametrize(("a", "b", "agree"), [
    ("扎西·多吉", "扎西.多吉", True), ("扎西·多吉", "扎西 • 多吉", True), ("Tenzin Dorje", "tenzin  dorje", True),
    ("扎西·多吉", "扎西·顿珠", False), ("张三", "张三丰", False), ("", "张三", False),
])
def test_names_agree_across_dot_variants_only(a, b, agree):
    assert names_agree(a, b) is agree


def test_invalid_is_a_validation_error_keyed_by_field_that_keeps_its_rules():
    with pytest.raises(Invalid) as caught:
        person_name("尼玛2")
    assert list(caught.value.message_dict) == ["name"]
    assert [(p.field, p.rule) for p in caught.value.problems] == [("name", "name_digits")]


def test_a_partial_birth_date_is_compared_as_far_as_it_goes():
    number = synthetic_id("19800315")
    born = member_identity(number).birth_date
    for given in (f"{born:%Y}", f"{born:%Y%m}", born):
        assert member_identity(number, birth_date=given).number == number
    for given in (str(born.year + 1), f"{born.year}{born.month % 12 + 1:02d}", born + dt.timedelta(days=1)):
        with pytest.raises(Invalid) as caught:
            member_identity(number, birth_date=given)
        assert [p.rule for p in caught.value.problems] == ["birth_date_mismatch"]


def test_member_problems_name_each_field():
    problems = member_problems(relation="son", sex="female", work_months=13, public_welfare_months=12,
                               health="disabled", disability_grade="")
    assert [(p.field, p.rule) for p in problems] == [("relation", "relation_sex"), ("work_months", "work_months"),
                                                    ("disability_grade", "disability_grade")]
    assert member_problems(relation="son", sex="male", work_months=12, health="disabled", disability_grade="2") == []


def test_amount_bounds_at_their_edges():
    assert amount_problem("wage_income", AMOUNT_LIMIT) is None
    assert amount_problem("wage_income", AMOUNT_LIMIT + Decimal("0.01")).rule == "amount_out_of_range"
    assert amount_problem("wage_income", Decimal("0")) is None
    assert amount_problem("wage_income", Decimal("-0.01")).rule == "negative"
    assert amount_problem("given_net_income", -AMOUNT_LIMIT) is None
    assert amount_problem("given_net_income", -AMOUNT_LIMIT - Decimal("0.01")).rule == "amount_out_of_range"
