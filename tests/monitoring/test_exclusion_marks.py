"""Each exclusion comparison (信息比对: payroll, property, vehicle, business) marks a warning 疑似不符合, at its
boundary on both sides, with a control household that has the same warning and no such record (no mark). The audit
in issue 15 made the business and property comparisons never mark and no test failed."""

import datetime as dt

import pytest

from bangfu.monitoring.models import RiskWarning
from bangfu.monitoring.services import screening_run
from tests.conftest import TUANJIE
from tests.monitoring.factories import cents, feed_row, head, set_params

pytestmark = pytest.mark.django_db


def _warned_household(make_household, name):
    household = make_household(TUANJIE, head_name=name)
    feed_row(head(household), "medical", "2025-05", date1=dt.date(2025, 5, 3), amount1=cents(30000),
             amount5=cents(12000))
    return household


def _marks(household) -> tuple[str, bool, str]:
    warning = RiskWarning.objects.get(household=household)
    return warning.exclusions, warning.suspected_ineligible, warning.exclusion_evidence


@pytest.mark.parametrize("kind, slots, evidence", [
    ("payroll", {"text": "县林业局"}, "为财政供养人员（县林业局）"),
    ("property", {"text": "九寨沟县永乐镇某小区"}, "登记有商品房（九寨沟县永乐镇某小区）"),
    ("vehicle", {"text": "小型轿车"}, "登记有机动车（小型轿车）"),
    ("business", {"text": "某某农家乐", "amount1": cents(1)}, "登记有市场主体（某某农家乐）"),
])
def test_each_exclusion_marks_and_the_control_is_not_marked(make_household, county_admin, kind, slots, evidence):
    marked = _warned_household(make_household, "有记录")
    control = _warned_household(make_household, "无记录")
    feed_row(head(marked), kind, "2025-05", **slots)
    screening_run(actor=county_admin)
    exclusions, suspected, text = _marks(marked)
    assert (exclusions, suspected) == (kind, True) and evidence in text
    assert _marks(control) == ("", False, "")


def test_an_ignored_vehicle_type_does_not_mark(make_household, county_admin):
    household = _warned_household(make_household, "摩托车户")
    feed_row(head(household), "vehicle", "2025-05", text="摩托车")
    screening_run(actor=county_admin)
    assert _marks(household) == ("", False, "")


def test_business_capital_at_the_threshold_marks_one_yuan_under_does_not(make_household, county_admin):
    set_params("business", min_capital_yuan=100000)
    at = _warned_household(make_household, "注册资本十万")
    under = _warned_household(make_household, "差一元")
    feed_row(head(at), "business", "2025-05", text="合作社", amount1=cents(100000))
    feed_row(head(under), "business", "2025-05", text="小卖部", amount1=cents(99999))
    screening_run(actor=county_admin)
    assert _marks(at)[:2] == ("business", True)
    assert _marks(under) == ("", False, "")
