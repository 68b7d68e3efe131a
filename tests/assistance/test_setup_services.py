"""Setting paired assistance up, each rule at its boundary with a passing control: units and the one lead unit, links
with start and end (past links kept, no overlap), the plan's periods, versions, comments and adoption, the target grid
(one bad cell writes nothing and is named), and the people who fill each village role."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bangfu.assistance import services as s
from bangfu.assistance import setup
from bangfu.assistance.models import LinkedVillage, Plan, PlanTarget, Unit
from bangfu.assistance.selectors import village_role_gaps
from bangfu.audit.models import ChangeRecord
from tests.conftest import COUNTY, SONGBAI, TUANJIE, make_user

pytestmark = pytest.mark.django_db


def _errors(caught) -> dict:
    return caught.value.message_dict


# --- units --------------------------------------------------------------------------------------------------------

def test_county_creates_a_unit_and_history_keeps_it(county_admin, regions):
    unit = setup.unit_create(actor=county_admin, county_code=COUNTY, data={
        "name": "四川省农业科学院", "short_name": "省农科院", "kind": "organ", "contact_name": "张三"})
    record = ChangeRecord.objects.get(object_type="unit", object_id=str(unit.pk))
    assert record.action == "create" and record.actor == county_admin and record.after["name"] == "四川省农业科学院"


def test_one_lead_unit_per_county(county_admin, court, cdu):
    with pytest.raises(ValidationError) as caught:
        setup.unit_configure(actor=county_admin, unit=cdu, data={"is_lead": True})
    assert "四川省高级人民法院" in _errors(caught)["is_lead"][0]
    assert not Unit.objects.get(pk=cdu.pk).is_lead
    setup.unit_configure(actor=county_admin, unit=court, data={"is_lead": False})  # control: give it up first
    assert setup.unit_configure(actor=county_admin, unit=cdu, data={"is_lead": True}).is_lead


def test_unit_name_is_unique_and_required(county_admin, cdu):
    with pytest.raises(ValidationError) as caught:
        setup.unit_create(actor=county_admin, county_code=COUNTY, data={"name": " 成都大学 "})
    assert "已有名为" in _errors(caught)["name"][0]
    with pytest.raises(ValidationError) as caught:
        setup.unit_create(actor=county_admin, county_code=COUNTY, data={"name": ""})
    assert "name" in _errors(caught)


def test_a_liaison_cannot_set_units_up(cdu_liaison, cdu):
    with pytest.raises(PermissionDenied):
        setup.unit_create(actor=cdu_liaison, county_code=COUNTY, data={"name": "新单位"})
    with pytest.raises(PermissionDenied):
        setup.unit_configure(actor=cdu_liaison, unit=cdu, data={"is_lead": True})


# --- linked villages ------------------------------------------------------------------------------------------------

def test_link_end_before_start_refused_same_day_allowed(county_admin, cdu, regions):
    since = dt.date(2024, 3, 1)
    with pytest.raises(ValidationError) as caught:
        setup.linked_village_add(actor=county_admin, unit=cdu, village=regions[SONGBAI], since=since,
                                 until=since - dt.timedelta(days=1))
    assert "不能早于起始日期" in _errors(caught)["until"][0]
    link = setup.linked_village_add(actor=county_admin, unit=cdu, village=regions[SONGBAI], since=since, until=since)
    assert link.until == since


def test_ending_a_link_keeps_it_and_the_end_is_checked(county_admin, cdu, regions):
    link = LinkedVillage.objects.get(unit=cdu, village=regions[TUANJIE])  # since 2021-07-01
    with pytest.raises(ValidationError):
        setup.linked_village_end(actor=county_admin, link=link, until=dt.date(2021, 6, 30))
    setup.linked_village_end(actor=county_admin, link=link, until=dt.date(2021, 7, 1))
    link.refresh_from_db()
    assert link.until == dt.date(2021, 7, 1) and not link.active_on(dt.date(2021, 7, 2))
    with pytest.raises(ValidationError) as caught:  # ended in the past: a second end is refused
        setup.linked_village_end(actor=county_admin, link=link, until=dt.date(2022, 1, 1))
    assert "已于" in _errors(caught)["until"][0]
    assert ChangeRecord.objects.filter(object_type="linkedvillage", object_id=str(link.pk), action="update").exists()


def test_an_end_ahead_of_today_is_allowed_and_the_link_holds_until_then(county_admin, cdu, regions):
    link = LinkedVillage.objects.get(unit=cdu, village=regions[TUANJIE])
    today = timezone.localdate()
    setup.linked_village_end(actor=county_admin, link=link, until=today + dt.timedelta(days=30))
    link.refresh_from_db()
    assert link.active_on(today) and not link.active_on(today + dt.timedelta(days=31))


def test_relinking_after_the_end_is_allowed_overlap_refused(county_admin, cdu, regions):
    link = LinkedVillage.objects.get(unit=cdu, village=regions[TUANJIE])
    setup.linked_village_end(actor=county_admin, link=link, until=dt.date(2023, 12, 31))
    with pytest.raises(ValidationError) as caught:  # starts on the last day of the old link
        setup.linked_village_add(actor=county_admin, unit=cdu, village=regions[TUANJIE], since=dt.date(2023, 12, 31))
    assert "不能重叠" in _errors(caught)["since"][0]
    again = setup.linked_village_add(actor=county_admin, unit=cdu, village=regions[TUANJIE],
                                     since=dt.date(2024, 1, 1))
    assert LinkedVillage.objects.filter(unit=cdu, village=regions[TUANJIE]).count() == 2 and again.until is None


def test_two_units_may_share_a_village(county_admin, court, cdu, regions):
    setup.linked_village_add(actor=county_admin, unit=court, village=regions[TUANJIE], since=dt.date(2024, 1, 1))


def test_a_village_outside_the_county_is_refused(county_admin, cdu, regions):
    from bangfu.regions.models import Region

    outside = Region.objects.filter(level="village").exclude(code__startswith="513225").first()
    if outside is None:  # the packaged tree is one county: a township is not a village either
        outside = regions["513225103000"]
    with pytest.raises(ValidationError) as caught:
        setup.linked_village_add(actor=county_admin, unit=cdu, village=outside, since=dt.date(2024, 1, 1))
    assert "village" in _errors(caught)


def test_a_liaison_cannot_link_villages(cdu_liaison, cdu, regions):
    with pytest.raises(PermissionDenied):
        setup.linked_village_add(actor=cdu_liaison, unit=cdu, village=regions[SONGBAI], since=dt.date(2024, 1, 1))


# --- the plan -------------------------------------------------------------------------------------------------------

def test_overlapping_plan_periods_refused_adjacent_allowed(county_admin, regions):
    s.plan_create(actor=county_admin, county_code=COUNTY, name="2021-2025", start_year=2021, end_year=2025)
    with pytest.raises(ValidationError) as caught:
        s.plan_create(actor=county_admin, county_code=COUNTY, name="2025-2029", start_year=2025, end_year=2029)
    assert "重叠" in _errors(caught)["start_year"][0]
    plan = s.plan_create(actor=county_admin, county_code=COUNTY, name="2026-2030", start_year=2026, end_year=2030,
                         text="第一章 总体要求")
    assert plan.status == Plan.Status.DRAFT and plan.versions.get().number == 1


def test_plan_years_at_their_bounds(county_admin, regions):
    with pytest.raises(ValidationError):
        s.plan_create(actor=county_admin, county_code=COUNTY, name="x", start_year=2026, end_year=2025)
    with pytest.raises(ValidationError):
        s.plan_create(actor=county_admin, county_code=COUNTY, name="x", start_year=2020, end_year=2031)
    s.plan_create(actor=county_admin, county_code=COUNTY, name="x", start_year=2020, end_year=2030)


def test_versions_comments_and_adoption(county_admin, cdu_liaison, leader, cdu):
    plan = s.plan_create(actor=county_admin, county_code=COUNTY, name="2026-2030", start_year=2026, end_year=2030)
    with pytest.raises(ValidationError):  # nothing to comment on yet
        setup.plan_comment_add(actor=cdu_liaison, plan=plan, text="意见")
    with pytest.raises(ValidationError):  # nor to adopt
        setup.plan_adopt(actor=county_admin, plan=plan, adopted_on=dt.date(2026, 1, 5))
    first = setup.plan_version_save(actor=county_admin, plan=plan, text="征求意见稿正文")
    comment = setup.plan_comment_add(actor=cdu_liaison, plan=plan, text="建议增加消费帮扶目标")
    assert comment.version == first and comment.unit == cdu
    with pytest.raises(PermissionDenied):  # a leader reads, does not comment
        setup.plan_comment_add(actor=leader, plan=plan, text="意见")
    second = setup.plan_version_save(actor=county_admin, plan=plan, text="修改稿正文", note="采纳成都大学意见")
    assert second.number == 2 and plan.versions.count() == 2
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        setup.plan_adopt(actor=county_admin, plan=plan, adopted_on=today + dt.timedelta(days=1))
    assert "adopted_on" in _errors(caught)
    setup.plan_adopt(actor=county_admin, plan=plan, adopted_on=today)
    plan.refresh_from_db()
    assert plan.is_adopted and plan.adopted_on == today
    with pytest.raises(ValidationError):
        setup.plan_version_save(actor=county_admin, plan=plan, text="再改")
    with pytest.raises(ValidationError):
        setup.plan_comment_add(actor=cdu_liaison, plan=plan, text="晚了")
    with pytest.raises(ValidationError):
        setup.plan_adopt(actor=county_admin, plan=plan, adopted_on=today)


def test_one_adopted_plan_per_period_even_if_an_old_draft_overlaps(county_admin, regions):
    """Plans entered before periods were checked may overlap; adopting the second of them is refused."""
    old = Plan.objects.create(county_id=COUNTY, name="旧规划", start_year=2024, end_year=2028, status="adopted")
    new = Plan.objects.create(county_id=COUNTY, name="新规划", start_year=2026, end_year=2030)
    setup.plan_version_save(actor=county_admin, plan=new, text="正文")
    with pytest.raises(ValidationError) as caught:
        setup.plan_adopt(actor=county_admin, plan=new, adopted_on=dt.date(2026, 1, 1))
    assert "旧规划" in _errors(caught)["status"][0]
    Plan.objects.filter(pk=old.pk).update(end_year=2025)  # control: no longer overlapping
    setup.plan_adopt(actor=county_admin, plan=new, adopted_on=dt.date(2026, 1, 1))


# --- the target grid ------------------------------------------------------------------------------------------------

@pytest.fixture
def plan(county_admin, regions):
    return s.plan_create(actor=county_admin, county_code=COUNTY, name="2026-2030", start_year=2026, end_year=2030,
                         text="正文")


def test_grid_saves_every_cell_in_one_submit(county_admin, plan, cdu):
    cells = {setup.grid_key(y, "funds_invested"): str(100000 * (y - 2025)) for y in plan.years}
    cells[setup.grid_key(2026, "cadres_trained")] = "1,200"
    assert setup.plan_targets_grid_save(actor=county_admin, plan=plan, unit=cdu, cells=cells) == 6
    assert PlanTarget.objects.get(plan=plan, unit=cdu, year=2030, indicator="funds_invested").target == 500000
    assert PlanTarget.objects.get(plan=plan, unit=cdu, year=2026, indicator="cadres_trained").target == 1200
    # the same grid again changes nothing; a blank cell removes its target, recorded
    assert setup.plan_targets_grid_save(actor=county_admin, plan=plan, unit=cdu, cells=cells) == 0
    cells[setup.grid_key(2026, "cadres_trained")] = ""
    assert setup.plan_targets_grid_save(actor=county_admin, plan=plan, unit=cdu, cells=cells) == 1
    assert ChangeRecord.objects.filter(object_type="plantarget", action="delete").count() == 1


@pytest.mark.parametrize(("raw", "ok"), [("0", True), ("-0.01", False), ("abc", False), ("12元", True),
                                         ("1e3", True), ("NaN", False), ("", True)])
def test_grid_cell_rule_at_its_boundary(county_admin, plan, cdu, raw, ok):
    good = {setup.grid_key(2027, "funds_invested"): "5000"}
    cells = {**good, setup.grid_key(2026, "funds_invested"): raw}
    if ok:
        setup.plan_targets_grid_save(actor=county_admin, plan=plan, unit=cdu, cells=cells)
        return
    with pytest.raises(ValidationError) as caught:
        setup.plan_targets_grid_save(actor=county_admin, plan=plan, unit=cdu, cells=cells)
    message = _errors(caught)[setup.grid_key(2026, "funds_invested")][0]
    assert "2026年" in message and "直接投入帮扶资金" in message and raw in message
    assert not PlanTarget.objects.filter(plan=plan).exists()  # the good cell was not written either


def test_the_lead_coordinator_sets_targets_a_liaison_does_not(lead_coordinator, cdu_liaison, plan, cdu):
    cells = {setup.grid_key(2026, "funds_invested"): "1"}
    setup.plan_targets_grid_save(actor=lead_coordinator, plan=plan, unit=cdu, cells=cells)
    with pytest.raises(PermissionDenied):
        setup.plan_targets_grid_save(actor=cdu_liaison, plan=plan, unit=cdu, cells=cells)


# --- village role holders -------------------------------------------------------------------------------------------

def test_the_county_contact_leader_fills_the_role(county_admin, records, regions):
    s.village_roles_save(actor=county_admin, county_code=COUNTY, roles=["assisting_unit", "county_leader"])
    day = dt.date(2024, 1, 1)
    _required, rows = village_role_gaps(county_admin, today=day)
    assert {r["village"].code: r["missing"] for r in rows}[TUANJIE] == ["county_leader"]
    holder = setup.role_holder_add(actor=county_admin, county_code=COUNTY, village=regions[TUANJIE],
                                   role="county_leader", name="王副县长", post="副县长", since=day)
    _required, rows = village_role_gaps(county_admin, today=day)
    assert {r["village"].code: r["missing"] for r in rows}[TUANJIE] == []
    with pytest.raises(ValidationError) as caught:  # one county contact leader at a time
        setup.role_holder_add(actor=county_admin, county_code=COUNTY, village=regions[TUANJIE],
                              role="county_leader", name="李副县长", since=dt.date(2025, 1, 1))
    assert "王副县长" in _errors(caught)["since"][0]
    with pytest.raises(ValidationError):
        setup.role_holder_end(actor=county_admin, holder=holder, until=day - dt.timedelta(days=1))
    setup.role_holder_end(actor=county_admin, holder=holder, until=dt.date(2024, 12, 31))
    setup.role_holder_add(actor=county_admin, county_code=COUNTY, village=regions[TUANJIE],
                          role="county_leader", name="李副县长", since=dt.date(2025, 1, 1))
    _required, rows = village_role_gaps(county_admin, today=dt.date(2024, 12, 31))
    assert {r["village"].code: r["missing"] for r in rows}[TUANJIE] == []


def test_role_holder_rules_are_named(county_admin, regions):
    with pytest.raises(ValidationError) as caught:
        setup.role_holder_add(actor=county_admin, county_code=COUNTY, village=regions[TUANJIE],
                              role="assisting_unit", name="", since=None)
    errors = _errors(caught)
    assert "联系点" in errors["role"][0] and "name" in errors and "since" in errors


def test_a_leader_cannot_record_role_holders(leader, regions):
    with pytest.raises(PermissionDenied):
        setup.role_holder_add(actor=leader, county_code=COUNTY, village=regions[TUANJIE], role="county_leader",
                              name="x", since=dt.date(2024, 1, 1))


def test_another_countys_admin_cannot_set_up_this_county(regions, cdu):
    other = make_user("other_admin", "county_admin", "513225103000")  # a township: not the county
    with pytest.raises(PermissionDenied):
        setup.unit_create(actor=other, county_code=COUNTY, data={"name": "x"})
