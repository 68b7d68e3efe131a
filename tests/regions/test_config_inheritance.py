"""Settings pages show inheritance, and a region can go back to the inherited values.

For every region-owned configuration (the table of test_config_across_counties, through the same change and
reading services), with 阿坝州 above 九寨沟县 and 松潘县:
- inherited: the page and regions.config name the prefecture (继承自阿坝藏族羌族自治州) and warn that saving makes the
  values the county's own; nothing set anywhere: 系统默认;
- own: 本级设置, and the action 恢复为上级设置;
- revert (through the page's button): the reading service returns the prefecture's value again, the page says
  继承自…, and one change record keeps before and after;
- 松潘县's administrator reverting 九寨沟县 is refused in Chinese, and 九寨沟's own rows stay as they were;
- control: reverting with nothing of one's own is refused with a message, nothing deleted.
Then what rules and indicators read (grades, school ages, warnings, measures) follows the revert.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bangfu.assistance.models import AttendanceQuota, EvaluationGrade, VillageRoleRequirement
from bangfu.audit.models import ChangeRecord
from bangfu.care.models import CareSettings
from bangfu.cases import services as cases
from bangfu.cases.models import Measure, MeasureCategory, Transition, WorkflowSettings
from bangfu.monitoring.models import MonitoringLine, RiskWarning, Rule
from bangfu.monitoring.selectors import compulsory_school_ages
from bangfu.monitoring.services import monitoring_line_revert, rule_update
from bangfu.regions.config import config_rows, config_source
from bangfu.regions.models import Region
from bangfu.regions.services import regions_load
from bangfu.relocation.models import RelocationSettings
from bangfu.reports.assistance_indicators import grade_for
from bangfu.web.config_sources import config_revert_for, provenance
from tests.accounts.conftest import SONGPAN, SONGPAN_ROWS
from tests.conftest import COUNTY, TUANJIE, make_user
from tests.regions.test_config_across_counties import CONFIGS, PREFECTURE, _equal

PREFECTURE_NAME = "阿坝藏族羌族自治州"
TAKE_OVER = "保存后本县将使用自己的设置，不再随上级变化"

# configuration (a row of CONFIGS) → (the page's kind in bangfu.web.config_sources, the page, the own rows)
KINDS = {
    "workflow_settings": ("workflow_settings", "cases:workflow_config", (WorkflowSettings, "region")),
    "transition": ("transitions", "cases:workflow_config", (Transition, "region")),
    "measure_catalogue": ("measure_catalogue", "cases:workflow_config", (MeasureCategory, "region")),
    "rule": ("rules", "monitoring:rule_list", (Rule, "region")),
    "rule_params": ("rules", "monitoring:rule_list", (Rule, "region")),
    "monitoring_line": (None, "monitoring:lines", (MonitoringLine, "region")),
    "attendance_quota": ("attendance_quota", "assistance:settings", (AttendanceQuota, "county")),
    "evaluation_grades": ("evaluation_grades", "assistance:settings", (EvaluationGrade, "county")),
    "care_ages": ("care_settings", "care:settings", (CareSettings, "region")),
    "relocation_employed_months": ("care_settings", "care:settings", (RelocationSettings, "region")),
    "village_roles": ("village_roles", "assistance:settings", (VillageRoleRequirement, "county")),
}
NAMES = sorted(KINDS)


def test_every_inherited_configuration_is_in_the_table():
    """Added indicators add up over the levels (indicators_for) instead of being inherited as a set: no revert."""
    assert set(CONFIGS) - set(KINDS) == {"added_indicator"}


@pytest.fixture
def songpan(regions):
    regions_load(text=SONGPAN_ROWS)


@pytest.fixture
def admins(regions, songpan, db):
    cases.transitions_ensure_defaults()
    return {"jiuzhaigou": make_user("jzg_admin", "county_admin", COUNTY),
            "songpan": make_user("sp_admin", "county_admin", SONGPAN),
            "prefecture": make_user("aba_admin", "county_admin", PREFECTURE)}


def _source(name: str, user, code: str):
    """The provenance the page shows; the monitoring line's is per year (2026's)."""
    kind = KINDS[name][0]
    if kind:
        return provenance(kind, user, code)
    return next(row["source"] for row in _page(user, name).context["rows"] if row["year"] == 2026)


def _page(user, name: str):
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(reverse(KINDS[name][1]))
    assert response.status_code == 200
    return response


def _revert(actor, name: str, region: str):
    kind = KINDS[name][0]
    if kind:
        return config_revert_for(kind, actor=actor, region_code=region)
    return monitoring_line_revert(actor=actor, region=Region.objects.get(code=region), year=2026)


def _own_rows(name: str, code: str) -> list:
    model, field = KINDS[name][2]
    return sorted(map(repr, model.objects.filter(**{f"{field}_id": code}).values()))


@pytest.mark.parametrize("name", NAMES)
def test_inherited_values_name_the_ancestor_and_saving_is_announced(admins, name):
    config = CONFIGS[name]
    config.change(admins["prefecture"], PREFECTURE, config.values[2])
    source = _source(name, admins["jiuzhaigou"], COUNTY)
    assert (source.state, source.label) == ("inherited", f"继承自{PREFECTURE_NAME}")
    assert not source.can_revert
    html = _page(admins["jiuzhaigou"], name).content.decode()
    assert f"继承自{PREFECTURE_NAME}" in html
    assert TAKE_OVER in html
    # the prefecture's own page: its own values
    assert _source(name, admins["prefecture"], PREFECTURE).label == "本级设置"


@pytest.mark.parametrize("name", [n for n in NAMES if n != "monitoring_line"])
def test_nothing_set_anywhere_is_the_shipped_default(admins, name):
    source = _source(name, admins["jiuzhaigou"], COUNTY)
    assert (source.state, source.label, source.owner) == ("default", "系统默认", None)
    assert "系统默认" in _page(admins["jiuzhaigou"], name).content.decode()


@pytest.mark.parametrize("name", NAMES)
def test_own_values_say_so_and_offer_the_way_back(admins, name):
    config = CONFIGS[name]
    config.change(admins["prefecture"], PREFECTURE, config.values[2])
    config.change(admins["jiuzhaigou"], COUNTY, config.values[0])
    source = _source(name, admins["jiuzhaigou"], COUNTY)
    assert (source.state, source.label) == ("own", "本级设置")
    assert source.can_revert
    html = _page(admins["jiuzhaigou"], name).content.decode()
    assert "本级设置" in html and "恢复为上级设置" in html
    # 松潘 still inherits, and a reader without the right to configure sees the label but no way back
    assert _source(name, admins["songpan"], SONGPAN).state == "inherited"
    leader = make_user("jzg_leader", "leader", COUNTY)
    assert not _source(name, leader, COUNTY).can_revert


@pytest.mark.parametrize("name", NAMES)
def test_revert_through_the_page_reads_the_ancestors_value_again(admins, name):
    from django.test import Client

    config = CONFIGS[name]
    config.change(admins["prefecture"], PREFECTURE, config.values[2])
    config.change(admins["jiuzhaigou"], COUNTY, config.values[0])
    assert _equal(config.read(COUNTY), config.values[0], name)
    client = Client()
    client.force_login(admins["jiuzhaigou"])
    kind = KINDS[name][0]
    url = reverse("web:config_revert", args=[kind]) if kind else reverse("monitoring:line_revert", args=[2026])
    response = client.post(url)
    assert response.status_code == 302
    assert _equal(config.read(COUNTY), config.values[2], name)  # the reading service: the prefecture's again
    assert _own_rows(name, COUNTY) == []
    source = _source(name, admins["jiuzhaigou"], COUNTY)
    assert (source.state, source.label) == ("inherited", f"继承自{PREFECTURE_NAME}")
    record = ChangeRecord.objects.filter(reason="恢复为上级设置", region_code=COUNTY).latest("pk")
    assert record.action == "delete" and record.actor == admins["jiuzhaigou"]
    assert record.before["rows"] and record.after
    assert _equal(config.read(PREFECTURE), config.values[2], name)  # the prefecture's own untouched


@pytest.mark.parametrize("name", NAMES)
def test_another_countys_administrator_cannot_revert(admins, name):
    config = CONFIGS[name]
    config.change(admins["prefecture"], PREFECTURE, config.values[2])
    config.change(admins["jiuzhaigou"], COUNTY, config.values[0])
    rows = _own_rows(name, COUNTY)
    for outsider in (admins["songpan"], admins["prefecture"]):
        with pytest.raises(PermissionDenied) as refused:
            _revert(outsider, name, COUNTY)
        assert re.search(r"[\u4e00-\u9fff]", str(refused.value))
    assert _own_rows(name, COUNTY) == rows
    assert _equal(config.read(COUNTY), config.values[0], name)
    assert not ChangeRecord.objects.filter(reason="恢复为上级设置").exists()


@pytest.mark.parametrize("name", NAMES)
def test_nothing_of_ones_own_to_revert_is_refused_with_a_message(admins, name):
    config = CONFIGS[name]
    config.change(admins["prefecture"], PREFECTURE, config.values[2])
    with pytest.raises(ValidationError) as refused:
        _revert(admins["jiuzhaigou"], name, COUNTY)
    assert "本级没有自己的设置" in str(refused.value)
    assert _equal(config.read(PREFECTURE), config.values[2], name)  # the prefecture's own stays


# --- what rules and indicators read follows the revert ---------------------------------------------------------


def test_the_proposed_grade_follows_the_prefectures_thresholds_again(admins):
    from bangfu.assistance.services import evaluation_grades_save

    evaluation_grades_save(actor=admins["prefecture"], county_code=PREFECTURE,
                           grades=[("好", Decimal(90)), ("差", Decimal(0))])
    evaluation_grades_save(actor=admins["jiuzhaigou"], county_code=COUNTY,
                           grades=[("好", Decimal(85)), ("差", Decimal(0))])
    assert grade_for(Decimal("88"), COUNTY) == "好"
    _revert(admins["jiuzhaigou"], "evaluation_grades", COUNTY)
    assert grade_for(Decimal("88"), COUNTY) == "差"
    assert grade_for(Decimal("90"), COUNTY) == "好"  # the prefecture's boundary


def test_school_ages_read_by_the_screening_follow_the_inherited_rule(admins):
    def set_max_age(actor, region, age):
        rule = config_rows(Rule, region).get(code="out_of_school")
        rule_update(actor=actor, rule=rule, params={**rule.params, "max_age": age}, enabled=True)

    set_max_age(admins["prefecture"], PREFECTURE, 16)
    set_max_age(admins["jiuzhaigou"], COUNTY, 17)
    assert compulsory_school_ages(TUANJIE)[-1] == 17
    _revert(admins["jiuzhaigou"], "rule", COUNTY)
    assert compulsory_school_ages(TUANJIE)[-1] == 16
    assert config_source(Rule, TUANJIE).code == PREFECTURE


def test_warnings_and_measures_move_to_the_inherited_rows(admins, make_household):
    """Rows the county's own rules and catalogue were used by (PROTECT) move to the inherited rows of the same
    code, so the revert goes through and the warning is found again by the next screening."""
    household = make_household(TUANJIE)
    rule = config_rows(Rule, COUNTY).get(code="medical_stay_oop")
    rule_update(actor=admins["jiuzhaigou"], rule=rule, params=rule.params, enabled=True, verify_days=9)
    own_rule = config_rows(Rule, COUNTY).get(code="medical_stay_oop")
    assert own_rule.region_id == COUNTY
    now = timezone.now()
    warning = RiskWarning.objects.create(household=household, village_id=TUANJIE, rule=own_rule,
                                         evidence="住院自付较高", created_at=now, updated_at=now)
    category = cases.measure_catalogue(COUNTY).get(code="microcredit")
    cases.measure_category_update(actor=admins["jiuzhaigou"], category=category, data={"amount_limit": 70000})
    own_category = cases.measure_catalogue(COUNTY).get(code="microcredit")
    measure = Measure.objects.create(household=household, category=own_category, description="小额信贷",
                                     start_on=dt.date(2026, 1, 5), responsible="村委", created_by=admins["jiuzhaigou"])
    config_revert_for("rules", actor=admins["jiuzhaigou"], region_code=COUNTY)
    config_revert_for("measure_catalogue", actor=admins["jiuzhaigou"], region_code=COUNTY)
    warning.refresh_from_db()
    measure.refresh_from_db()
    assert warning.rule == config_rows(Rule, COUNTY).get(code="medical_stay_oop")
    assert warning.rule.region_id is None
    assert measure.category.code == "microcredit" and measure.category.region_id is None


def test_a_second_county_keeps_its_own_when_the_first_reverts(admins):
    config = CONFIGS["workflow_settings"]
    config.change(admins["songpan"], SONGPAN, 2)
    config.change(admins["jiuzhaigou"], COUNTY, 7)
    _revert(admins["jiuzhaigou"], "workflow_settings", COUNTY)
    assert (config.read(COUNTY), config.read(SONGPAN)) == (5, 2)  # the shipped 5 days; 松潘's own 2
