"""The vulnerable-group lists equal a plain recount after edits and moves; ages at ±1 day; 八必访 at the quarter's
edge."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.care import groups as g
from bangfu.care.models import CareFacts, CareVisit
from bangfu.care.services import care_facts_save, care_visit_record
from bangfu.registry.models import Household, Member
from bangfu.registry.selectors import households_visible_to
from bangfu.registry.services import household_update, member_update
from tests.conftest import SONGBAI, TUANJIE, ZHANGZHA_VILLAGE
from tests.relocation.factories import add_member

DAY = dt.date.today()
AWAY = {"in_province", "out_of_province"}


def _age(member, day=DAY) -> int:
    return member.age_on(day)


def _recount(members, key, day=DAY) -> set[int]:
    """Each group from its stated definition, member by member, in plain Python."""
    out = set()
    members = list(members.select_related("household").prefetch_related("household__members"))
    facts = {f.member_id: f for f in CareFacts.objects.all()}
    for m in members:
        housemates = list(m.household.members.all())
        f = facts.get(m.pk)
        working = [h for h in housemates if 18 <= _age(h, day) < 60]
        hit = {
            "dibao": m.dibao,
            "tekun": m.tekun,
            "tekun_dispersed": m.tekun and f is not None and f.tekun_support == "dispersed",
            "tekun_centralised": m.tekun and f is not None and f.tekun_support == "centralised",
            "disabled": m.health == "disabled" or m.disability_grade != "",
            "elderly": _age(m, day) >= 60 and all(_age(h, day) >= 60 for h in housemates),
            "left_behind": _age(m, day) < 16 and bool(working) and all(h.work_place in AWAY for h in working),
            "serious_illness": m.health == "serious",
            "orphan": f is not None and f.orphan and _age(m, day) < 18,
        }[key]
        if hit:
            out.add(m.pk)
    return out


def _assert_all_equal(user, day=DAY):
    members = g.members_visible_to(user)
    for group in g.GROUPS:
        assert set(g.group_members(members, group.key, day=day).values_list("pk", flat=True)) == _recount(
            members, group.key, day), group.key


def _born(years: int, days: int = 0) -> str:
    """A birth date `years` before today, moved `days` later (positive: one day short of the age)."""
    from bangfu.registry.models import birth_date_cutoff

    return (birth_date_cutoff(DAY, years) + dt.timedelta(days=days)).strftime("%Y%m%d")


@pytest.fixture
def people(county_admin, make_household):
    """An old couple alone, a left-behind child, and a household with 低保, 特困, disability, illness, an orphan."""
    old = make_household(TUANJIE, head_name="老人甲")
    old.members.update(birth_date=dt.date(1950, 3, 1))
    wife = add_member(county_admin, old, name="老伴", relation="spouse", birth="19520101", female=True)
    away = make_household(TUANJIE, head_name="外出父亲")
    away.members.update(birth_date=dt.date(1990, 5, 5), work_place="out_of_province", work_months=10)
    mother = add_member(county_admin, away, name="外出母亲", relation="spouse", birth="19920101", female=True,
                        work_place="in_province", work_months=8)
    child = add_member(county_admin, away, name="留守孩", relation="son", birth="20180101")
    grandma = add_member(county_admin, away, name="奶奶", relation="mother", birth="19550101", female=True)
    poor = make_household(SONGBAI, head_name="低保户主")
    head = poor.members.get()
    member_update(actor=county_admin, member=head, data={"dibao": True, "health": "serious"})
    tekun = add_member(county_admin, poor, name="特困者", relation="sibling", tekun=True, health="disabled",
                       disability_grade="2")
    orphan = add_member(county_admin, poor, name="孤儿", relation="other", birth="20150101")
    care_facts_save(actor=county_admin, member=tekun, data={"tekun_support": "dispersed"})
    care_facts_save(actor=county_admin, member=orphan, data={"orphan": True})
    return {"old": old, "wife": wife, "away": away, "mother": mother, "child": child, "grandma": grandma,
            "poor": poor, "tekun": tekun, "orphan": orphan}


def test_each_group_equals_a_recount_after_edits_and_moves(county_admin, tuanjie_cadre, people, regions):
    _assert_all_equal(county_admin)
    members = g.members_visible_to(county_admin)
    names = {key: set(g.group_members(members, key).values_list("name", flat=True)) for key in g.GROUP_BY_KEY}
    assert names["elderly"] == {"老人甲", "老伴"} and names["left_behind"] == {"留守孩"}
    assert names["tekun_dispersed"] == {"特困者"} and names["orphan"] == {"孤儿"} and names["dibao"] == {"低保户主"}
    assert set(g.group_members(members, "disabled", grade="2").values_list("name", flat=True)) == {"特困者"}
    assert not g.group_members(members, "disabled", grade="1").exists()

    # the mother comes home to work: the child is no longer left behind
    member_update(actor=county_admin, member=people["mother"], data={"work_place": "in_township"})
    _assert_all_equal(county_admin)
    assert not g.group_members(members, "left_behind").exists()
    # the wife moves to her son's household: the old man lives alone; a grandmother joins... the young household
    Member.objects.filter(pk=people["wife"].pk).update(household=people["poor"])
    _assert_all_equal(county_admin)
    assert set(g.group_members(members, "elderly", alone=True).values_list("name", flat=True)) == {"老人甲"}
    # a household moves village: the village cadre's list follows it
    assert g.group_members(g.members_visible_to(tuanjie_cadre), "dibao").count() == 0
    household_update(actor=county_admin, household=people["poor"], data={"village": regions[TUANJIE]})
    _assert_all_equal(county_admin)
    _assert_all_equal(tuanjie_cadre)
    assert g.group_members(g.members_visible_to(tuanjie_cadre), "dibao").count() == 1
    assert g.group_members(members, "dibao", village=SONGBAI).count() == 0


@pytest.mark.parametrize(("key", "years", "inside", "outside"), [
    ("elderly", 60, 0, 1),  # 60 today: elderly; 60 tomorrow: not yet
    ("left_behind", 16, 1, 0),  # 16 tomorrow: still a child; 16 today: no longer
    ("orphan", 18, 1, 0),
])
def test_age_boundaries_one_day_either_side(county_admin, make_household, key, years, inside, outside):
    household = make_household(ZHANGZHA_VILLAGE, head_name="边界")
    if key == "elderly":
        subject = household.members.get()
    else:
        household.members.update(birth_date=dt.date(1990, 1, 1), work_place="out_of_province", work_months=12)
        subject = add_member(county_admin, household, name="孩子", relation="son", birth="20100101")
        if key == "orphan":
            care_facts_save(actor=county_admin, member=subject, data={"orphan": True})
    members = g.members_visible_to(county_admin)
    for shift, expected in ((inside, True), (outside, False)):
        Member.objects.filter(pk=subject.pk).update(birth_date=dt.datetime.strptime(_born(years, shift),
                                                                                    "%Y%m%d").date())
        subject.refresh_from_db()
        assert (subject.age_on(DAY) >= years) == (shift == 0)
        assert g.group_members(members, key).filter(pk=subject.pk).exists() is expected, (key, shift)
        _assert_all_equal(county_admin)


def test_birth_date_cutoff_agrees_with_age_on_for_29_february():
    from bangfu.registry.models import birth_date_cutoff

    born = Member(birth_date=dt.date(2008, 2, 29))
    for day in (dt.date(2026, 2, 27), dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2028, 2, 29)):
        for years in (17, 18, 19, 20):
            assert (born.age_on(day) >= years) == (born.birth_date <= birth_date_cutoff(day, years)), (day, years)


def test_eight_must_visit_due_and_overdue_at_the_quarter_edges(county_admin, people):
    households = households_visible_to(county_admin)
    poor = people["poor"]
    assert set(g.must_visit(households).values_list("pk", flat=True)) == {poor.pk}
    first_day = dt.date(2026, 4, 1)  # the second quarter starts
    assert g.quarter_start(first_day) == first_day and g.previous_quarter_start(first_day) == dt.date(2026, 1, 1)
    assert g.quarter_start(dt.date(2026, 3, 31)) == dt.date(2026, 1, 1)

    def state(day):
        return (g.visit_due(households, day=day).filter(pk=poor.pk).exists(),
                g.visit_overdue(households, day=day).filter(pk=poor.pk).exists())

    assert state(first_day) == (True, True)  # never visited
    CareVisit.objects.create(household=poor, visitor="村干部", visited_on=dt.date(2025, 12, 31), found="—")
    assert state(dt.date(2026, 3, 31)) == (True, False)  # visited in the previous quarter: due, not overdue
    assert state(first_day) == (True, True)  # a day later that visit is two quarters back: a quarter missed
    CareVisit.objects.create(household=poor, visitor="村干部", visited_on=dt.date(2026, 1, 1), found="—")
    assert state(dt.date(2026, 3, 31)) == (False, False)  # visited this quarter
    assert state(first_day) == (True, False)  # a new quarter: due again, not overdue (visited last quarter)
    assert state(dt.date(2026, 6, 30)) == (True, False)
    assert state(dt.date(2026, 7, 1)) == (True, True)  # a whole quarter missed
    CareVisit.objects.create(household=poor, visitor="村干部", visited_on=dt.date(2026, 7, 1), found="—")
    assert state(dt.date(2026, 7, 1)) == (False, False)
    # a visit recorded for a later day does not count before that day
    assert state(dt.date(2026, 6, 30)) == (True, False)


def test_a_care_visit_is_checked_and_scoped(county_admin, tuanjie_cadre, zhangzha_cadre, people):
    poor = Household.objects.get(pk=people["old"].pk)
    good = {"visitor": "王书记", "visited_on": DAY, "found": "身体尚可", "done": "送米面油"}
    for bad, field in (({"visited_on": DAY + dt.timedelta(days=1)}, "visited_on"), ({"visitor": " "}, "visitor"),
                       ({"found": ""}, "found"), ({"found": "甲\x0b乙"}, "found"),
                       ({"visited_on": DAY - dt.timedelta(days=400)}, "visited_on")):
        with pytest.raises(ValidationError) as error:
            care_visit_record(actor=tuanjie_cadre, household=poor, data={**good, **bad})
        assert field in error.value.message_dict
    with pytest.raises(PermissionDenied):
        care_visit_record(actor=zhangzha_cadre, household=poor, data=good)
    visit = care_visit_record(actor=tuanjie_cadre, household=poor, data=good)
    assert visit.recorded_by == tuanjie_cadre and CareVisit.objects.count() == 1
    with pytest.raises(ValidationError):
        care_facts_save(actor=county_admin, member=people["child"], data={"tekun_support": "dispersed"})
