"""A warning is late by its own rule's days (warnings_overdue_q), whatever the other rules' days are: rules that share
a number of days are one condition, rules with other days their own, and no warning takes another rule's deadline.
The list's filter, the dashboard's tile and the map's place figure all count with it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.monitoring.models import RiskWarning, Rule
from bangfu.monitoring.selectors import WarningFilter, warnings_filtered, warnings_overdue_q
from bangfu.reports.dashboard import scope_for, warning_figures

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def _warning(household, rule: Rule, age: dt.timedelta) -> RiskWarning:
    at = timezone.now() - age
    return RiskWarning.objects.create(household=household, village_id=household.village_id, rule=rule,
                                      evidence="测试证据", created_at=at, updated_at=at)


@pytest.fixture
def three_rules(regions):
    """Three shipped rules: two of them with 2 days to verify, one with 9."""
    short_a, short_b, long_ = Rule.objects.filter(region=None, is_exclusion=False).order_by("code")[:3]
    Rule.objects.filter(pk__in=[short_a.pk, short_b.pk]).update(verify_days=2)
    Rule.objects.filter(pk=long_.pk).update(verify_days=9)
    return [Rule.objects.get(pk=r.pk) for r in (short_a, short_b, long_)]


def test_each_warning_late_by_its_own_rules_days_on_both_sides(make_household, county_admin, three_rules):
    short_a, short_b, long_ = three_rules
    late, in_time = [], []
    for rule, name in zip(three_rules, "甲乙丙", strict=True):
        late.append(_warning(make_household(head_name=f"逾期{name}"), rule, dt.timedelta(rule.verify_days) + MINUTE))
        in_time.append(_warning(make_household(head_name=f"未逾期{name}"), rule,
                                dt.timedelta(rule.verify_days) - MINUTE))
    # 3 days old: late for the two-day rules, in time for the nine-day rule (the other rules' days would make it late)
    mixed = _warning(make_household(head_name="三天户"), long_, dt.timedelta(days=3))
    control = _warning(make_household(head_name="三天户二"), short_b, dt.timedelta(days=3))

    overdue = set(RiskWarning.objects.filter(warnings_overdue_q(Rule.objects.all(), timezone.now()))
                  .values_list("pk", flat=True))
    assert overdue == {w.pk for w in late} | {control.pk}
    assert mixed.pk not in overdue and not overdue & {w.pk for w in in_time}

    listed = set(warnings_filtered(county_admin, WarningFilter(overdue=True)).values_list("pk", flat=True))
    assert listed == overdue
    cells = {cell.key: cell.value for cell in warning_figures(scope_for(county_admin))}
    assert cells["warnings_overdue"] == len(overdue) == 4
    assert cells["warnings_pending"] == 8


def test_dashboard_overdue_tile_equals_its_list(client, make_household, county_admin, three_rules):
    short_a, _short_b, long_ = three_rules
    _warning(make_household(), short_a, dt.timedelta(days=2) + MINUTE)
    _warning(make_household(), long_, dt.timedelta(days=2) + MINUTE)  # in time: nine days
    client.force_login(county_admin)
    cells = {cell.key: cell for cell in warning_figures(scope_for(county_admin))}
    assert cells["warnings_overdue"].value == 1
    html = client.get(cells["warnings_overdue"].url).content.decode()
    assert "共 1 条" in html
    assert cells["warnings_overdue"].url.startswith(reverse("monitoring:warning_list")) and "overdue=on" in cells[
        "warnings_overdue"].url
