"""Counties apart: every piece of configuration, through its update service, is the county's own.

For each configuration (one row of the table below):
- 松潘县's administrator aiming at 九寨沟县's value is refused, and 九寨沟's value stays as it was;
- 松潘县's administrator changing their own county's value leaves 九寨沟's untouched;
- control: 九寨沟县's administrator changes 九寨沟's value, and it is in force there (not in 松潘).
And the fallback: a prefecture's value reaches the counties that set none, not one that set its own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from bangfu.assistance import services as assistance
from bangfu.assistance.models import EvaluationGrade, VillageRoleRequirement
from bangfu.care.models import care_settings
from bangfu.care.services import care_settings_save
from bangfu.cases import services as cases
from bangfu.cases.models import Transition
from bangfu.monitoring.models import Rule
from bangfu.monitoring.selectors import monitoring_lines_by_year
from bangfu.monitoring.services import monitoring_line_save, rule_update
from bangfu.regions.config import config_rows
from bangfu.regions.models import Region
from bangfu.regions.services import regions_load
from bangfu.relocation.models import relocation_settings
from bangfu.reports.assistance_indicators import indicators_for
from tests.accounts.conftest import SONGPAN, SONGPAN_ROWS
from tests.conftest import COUNTY, make_user

PREFECTURE = "513200000000"
STEP = {"kind": "identification", "from_state": "verification", "to_state": "comparison"}


def _transition(code: str) -> Transition:
    return cases.transitions_in_force(code).get(**STEP)


@dataclass(frozen=True)
class Config:
    """One piece of configuration: how an actor changes `region`'s value to `value` through its service (for
    rows, the row in force in `region` is the one aimed at), and the value in force in a county."""

    change: Callable[[Any, str, Any], Any]
    read: Callable[[str], Any]
    values: tuple[Any, Any, Any]  # 九寨沟's own, 松潘's own, the prefecture's


CONFIGS = {
    "workflow_settings": Config(
        change=lambda actor, region, v: cases.workflow_settings_update(actor=actor, region=region,
                                                                       data={"notice_min_days": v}),
        read=lambda code: cases.workflow_settings(code).notice_min_days,
        values=(7, 1, 9)),
    "transition": Config(
        change=lambda actor, region, v: cases.transition_update(actor=actor, transition=_transition(region),
                                                                data={"deadline_days": v}),
        read=lambda code: _transition(code).deadline_days,
        values=(11, 2, 13)),
    "measure_catalogue": Config(
        change=lambda actor, region, v: cases.measure_category_update(
            actor=actor, category=cases.measure_catalogue(region).get(code="microcredit"), data={"amount_limit": v}),
        read=lambda code: cases.measure_catalogue(code).get(code="microcredit").amount_limit,
        values=(Decimal("80000"), Decimal("10000"), Decimal("60000"))),
    "rule": Config(
        change=lambda actor, region, v: rule_update(
            actor=actor, rule=config_rows(Rule, region).get(code="medical_stay_oop"),
            params=config_rows(Rule, region).get(code="medical_stay_oop").params, enabled=True, verify_days=v),
        read=lambda code: config_rows(Rule, code).get(code="medical_stay_oop").verify_days,
        values=(5, 30, 10)),
    "rule_params": Config(
        change=lambda actor, region, v: rule_update(
            actor=actor, rule=config_rows(Rule, region).get(code="medical_stay_oop"),
            params={**config_rows(Rule, region).get(code="medical_stay_oop").params, "monitored_yuan": v},
            enabled=True),
        read=lambda code: config_rows(Rule, code).get(code="medical_stay_oop").params["monitored_yuan"],
        values=(7000, 1000, 8000)),
    "monitoring_line": Config(
        change=lambda actor, region, v: monitoring_line_save(actor=actor, region=Region.objects.get(code=region),
                                                             year=2026, amount=v),
        read=lambda code: monitoring_lines_by_year(county_code=code).get(2026),
        values=(Decimal("8200.00"), Decimal("3000.00"), Decimal("8150.00"))),
    "attendance_quota": Config(
        change=lambda actor, region, v: assistance.attendance_quota_save(
            actor=actor, county_code=region, days_per_month=v, days_per_year=200, township_approves_up_to=3),
        read=lambda code: assistance.attendance_quota_for(code).days_per_month,
        values=(22, 5, 18)),
    "evaluation_grades": Config(
        change=lambda actor, region, v: assistance.evaluation_grades_save(
            actor=actor, county_code=region, grades=[("好", Decimal(v)), ("差", Decimal(0))]),
        read=lambda code: [str(g.min_score) for g in config_rows(EvaluationGrade, code, field="county")
                           if g.label == "好"],
        values=(90, 50, 85)),
    "care_ages": Config(
        change=lambda actor, region, v: care_settings_save(actor=actor, region=region, data={"elderly_age": v}),
        read=lambda code: care_settings(code).elderly_age,
        values=(65, 55, 70)),
    "relocation_employed_months": Config(
        change=lambda actor, region, v: care_settings_save(actor=actor, region=region,
                                                           data={"employed_min_months": v}),
        read=lambda code: relocation_settings(code).employed_min_months,
        values=(3, 6, 9)),
    "added_indicator": Config(
        change=lambda actor, region, v: assistance.county_indicator_add(
            actor=actor, county_code=region, data={"key": "extra", "label": v[0], "measure": "次",
                                                   "ledger_kind": "training", "aggregate": "count"}),
        read=lambda code: [str(i.label) for i in indicators_for(code) if i.key == "extra"],
        values=(["九寨沟增"], ["松潘增"], ["阿坝增"])),
    "village_roles": Config(
        change=lambda actor, region, v: assistance.village_roles_save(actor=actor, county_code=region, roles=v),
        read=lambda code: sorted(config_rows(VillageRoleRequirement, code, field="county")
                                 .values_list("role", flat=True)),
        values=(["first_secretary", "work_team"], ["agri_technician"], ["assisting_unit"])),
}


@pytest.fixture
def two_counties(regions, songpan, defaults):
    """九寨沟县 and 松潘县 in 阿坝州, each with its administrator, and the prefecture's."""
    return {"jiuzhaigou": make_user("jzg_admin", "county_admin", COUNTY),
            "songpan": make_user("sp_admin", "county_admin", SONGPAN),
            "prefecture": make_user("aba_admin", "county_admin", PREFECTURE)}


@pytest.fixture
def songpan(regions):
    regions_load(text=SONGPAN_ROWS)


@pytest.fixture
def defaults(db):
    cases.transitions_ensure_defaults()


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_another_countys_administrator_is_refused(two_counties, name):
    config = CONFIGS[name]
    mine, _theirs, _prefecture = config.values
    config.change(two_counties["jiuzhaigou"], COUNTY, mine)  # 九寨沟 has its own value
    with pytest.raises(PermissionDenied):
        config.change(two_counties["songpan"], COUNTY, config.values[1])
    assert _equal(config.read(COUNTY), mine, name)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_their_own_change_does_not_reach_the_first_county(two_counties, name):
    config = CONFIGS[name]
    before = config.read(COUNTY)
    config.change(two_counties["songpan"], SONGPAN, config.values[1])
    assert _equal(config.read(SONGPAN), config.values[1], name)
    assert config.read(COUNTY) == before


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_control_the_countys_own_administrator_changes_it(two_counties, name):
    config = CONFIGS[name]
    songpan_before = config.read(SONGPAN)
    config.change(two_counties["jiuzhaigou"], COUNTY, config.values[0])
    assert _equal(config.read(COUNTY), config.values[0], name)
    assert config.read(SONGPAN) == songpan_before


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_the_prefectures_value_reaches_counties_without_their_own(two_counties, name):
    config = CONFIGS[name]
    config.change(two_counties["songpan"], SONGPAN, config.values[1])  # 松潘 sets its own
    config.change(two_counties["prefecture"], PREFECTURE, config.values[2])
    assert _equal(config.read(COUNTY), config.values[2], name)  # 九寨沟 inherits the prefecture's
    assert _equal(config.read(SONGPAN), config.values[1], name)  # 松潘 keeps its own


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_the_prefecture_cannot_change_a_countys_own_value(two_counties, name):
    config = CONFIGS[name]
    config.change(two_counties["jiuzhaigou"], COUNTY, config.values[0])
    with pytest.raises(PermissionDenied):
        config.change(two_counties["prefecture"], COUNTY, config.values[2])
    assert _equal(config.read(COUNTY), config.values[0], name)


def _equal(found, expected, name) -> bool:
    if name == "evaluation_grades":
        return found == [f"{Decimal(expected):.1f}"]
    if name == "measure_catalogue":
        return found == Decimal(expected)
    return found == expected
