"""至少1人就业: the indicator's lists equal a plain recount after imports, edits and moves; the months boundary."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.monitoring.feed_import import feed_upload_commit
from bangfu.regions.models import Region
from bangfu.registry.models import Household, Member
from bangfu.registry.selectors import households_visible_to
from bangfu.registry.services import household_update, member_update
from bangfu.relocation import indicators
from bangfu.relocation.models import Employment, RelocationSettings
from bangfu.relocation.services import (
    employment_import_feed,
    employment_record,
    relocated_household_save,
    site_save,
    workshop_save,
)
from tests.conftest import SHUANGHE, SONGBAI, TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE
from tests.relocation.factories import YEAR, add_member, recount


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def _assert_equals_recount(user):
    visible = households_visible_to(user)
    expected = recount(visible)
    assert _ids(indicators.with_labour(visible)) == expected["with_labour"]
    assert _ids(indicators.with_employed(visible)) == expected["employed"]
    assert _ids(indicators.without_employed(visible)) == expected["without"]
    total = indicators.coverage_total(visible)
    assert (total.with_labour, total.employed) == (len(expected["with_labour"]), len(expected["employed"]))
    for by in ("site", "township"):
        rows = indicators.coverage(visible, by=by)
        assert sum(r.with_labour for r in rows) == total.with_labour
        assert sum(r.employed for r in rows) == total.employed
        for row in rows:  # each row's figure is its list's count
            narrow = (indicators.at_site if by == "site" else indicators.in_township)(visible, row.key)
            assert indicators.without_employed(narrow).count() == row.without
            assert indicators.with_labour(narrow).count() == row.with_labour
    return expected


@pytest.fixture
def sites(county_admin, regions):
    return {
        "shuanghe": site_save(actor=county_admin, data={"name": "双河镇甘沟安置点", "township": regions[SHUANGHE],
                                                        "population": 850, "year_built": 2018}),
        "zhangzha": site_save(actor=county_admin, data={"name": "漳扎镇扎如安置点",
                                                        "township": regions[ZHANGZHA_TOWN], "population": 420}),
    }


@pytest.fixture
def relocated(county_admin, make_household, sites):
    """Four relocated households at two sites and one household that is not relocated."""
    made = {}
    for key, village, site, labour in (("a", TUANJIE, "shuanghe", "ordinary"), ("b", TUANJIE, "shuanghe", "weak"),
                                       ("c", SONGBAI, "shuanghe", "none"), ("d", ZHANGZHA_VILLAGE, "zhangzha",
                                                                            "skilled")):
        household = make_household(village, head_name=f"户主{key}")
        household.members.update(labour_ability=labour)
        relocated_household_save(actor=county_admin, household=household,
                                 data={"site": sites[site], "relocation_year": 2018, "certificate": "issued"})
        made[key] = Household.objects.get(pk=household.pk)
    made["plain"] = make_household(TUANJIE, head_name="非搬迁户")
    return made


def test_relocation_record_marks_the_registry_and_keeps_the_site_name(relocated, sites):
    household = relocated["a"]
    assert household.relocated and household.resettlement_site == "双河镇甘沟安置点"
    assert household.relocation.site == sites["shuanghe"] and household.relocation.certificate == "issued"


def test_equal_to_a_recount_after_edits_imports_and_moves(tmp_path, county_admin, shuanghe_reviewer, relocated,
                                                           sites, regions):
    expected = _assert_equals_recount(county_admin)
    assert expected["with_labour"] == {relocated[k].pk for k in "abd"}  # c has nobody able to work
    assert expected["employed"] == set()

    # a cadre records a job for a's head
    head_a = relocated["a"].members.get()
    employment_record(actor=county_admin, member=head_a, data={"year": YEAR, "kind": "workshop",
                                                                "place": "甘沟帮扶车间", "months": 8})
    assert _assert_equals_recount(county_admin)["employed"] == {relocated["a"].pk}

    # the 人社 feed: b's worker has three months of contributions this year
    worker_b = add_member(county_admin, relocated["b"], name="务工者乙", labour_ability="ordinary")
    workshop_save(actor=county_admin, site=sites["shuanghe"], data={"name": "甘沟藏绣车间", "jobs_offered": 30,
                                                                    "jobs_filled": 12})
    path = tmp_path / "人社.csv"
    lines = ["身份证号,姓名,缴费月份,工作单位,缴费金额"] + [
        f"{worker_b.plain_id},务工者乙,{YEAR}-{m:02d}-01,甘沟藏绣车间,300" for m in (1, 2, 3)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _upload, report = feed_upload_commit(actor=county_admin, kind="employment", period=f"{YEAR}-03", path=path,
                                         file_name="人社.csv")
    assert report.matched == 3
    assert employment_import_feed(actor=county_admin, year=YEAR) == {"workers": 1, "created": 1, "updated": 0}
    assert employment_import_feed(actor=county_admin, year=YEAR)["created"] == 0  # rerun: same result
    feed_job = Employment.objects.get(member=worker_b)
    assert (feed_job.months, feed_job.kind, feed_job.workshop.name) == (3, "workshop", "甘沟藏绣车间")
    assert _assert_equals_recount(county_admin)["employed"] == {relocated["a"].pk, relocated["b"].pk}

    # an edit in the registry: b's worker becomes unable to work; c's head works away from home
    member_update(actor=county_admin, member=worker_b, data={"labour_ability": "lost"})
    member_update(actor=county_admin, member=relocated["c"].members.get(),
                  data={"labour_ability": "ordinary", "work_place": "out_of_province", "work_months": 10})
    expected = _assert_equals_recount(county_admin)
    assert expected["employed"] == {relocated["a"].pk, relocated["c"].pk}
    assert relocated["b"].pk in expected["without"]

    # moves: a member moves to another household (its job goes with it); a household moves village and township
    Member.objects.filter(pk=head_a.pk).update(household=relocated["d"])
    household_update(actor=county_admin, household=relocated["c"], data={"village": regions[ZHANGZHA_VILLAGE]})
    expected = _assert_equals_recount(county_admin)
    assert relocated["d"].pk in expected["employed"] and relocated["a"].pk not in expected["with_labour"]
    township = {r.key: r for r in indicators.coverage(households_visible_to(county_admin), by="township")}
    assert township[ZHANGZHA_TOWN].employed == 2  # c and d now count in 漳扎镇

    # a household no longer relocated leaves the figures; the township reviewer sees only 双河镇's
    household_update(actor=county_admin, household=relocated["d"], data={"relocated": False})
    _assert_equals_recount(county_admin)
    assert _ids(indicators.with_labour(households_visible_to(shuanghe_reviewer))) == {relocated["b"].pk}


def test_months_boundary_of_employed(county_admin, relocated):
    RelocationSettings.objects.create(employed_min_months=3)
    head_a = relocated["a"].members.get()
    job = employment_record(actor=county_admin, member=head_a,
                            data={"year": YEAR, "kind": "local", "place": "县城", "months": 2})
    visible = households_visible_to(county_admin)
    assert relocated["a"].pk not in _ids(indicators.with_employed(visible))  # 2 months < 3
    employment_record(actor=county_admin, member=head_a, employment=job, data={"months": 3})
    assert relocated["a"].pk in _ids(indicators.with_employed(visible))  # 3 months: employed
    # last year's job does not count this year
    employment_record(actor=county_admin, member=head_a, employment=job, data={"year": YEAR - 1})
    assert relocated["a"].pk not in _ids(indicators.with_employed(visible))
    # the registry's 务工 months obey the same minimum
    member_update(actor=county_admin, member=head_a, data={"work_place": "in_county", "work_months": 2})
    assert relocated["a"].pk not in _ids(indicators.with_employed(visible))
    member_update(actor=county_admin, member=head_a, data={"work_months": 3})
    assert relocated["a"].pk in _ids(indicators.with_employed(visible))
    _assert_equals_recount(county_admin)


def test_bad_employment_is_refused_by_field(county_admin, tuanjie_cadre, zhangzha_cadre, relocated):
    head_a = relocated["a"].members.get()
    for data, field in (({"kind": "local", "place": "县城", "months": 13, "year": YEAR}, "months"),
                        ({"kind": "local", "place": "县城", "months": 0, "year": YEAR}, "months"),
                        ({"kind": "", "place": "县城", "months": 3, "year": YEAR}, "kind"),
                        ({"kind": "local", "place": " ", "months": 3, "year": YEAR}, "place"),
                        ({"kind": "local", "place": "县城", "months": 3, "year": YEAR + 1}, "year")):
        with pytest.raises(ValidationError) as error:
            employment_record(actor=tuanjie_cadre, member=head_a, data=data)
        assert field in error.value.message_dict
    assert not Employment.objects.exists()
    with pytest.raises(PermissionDenied):
        employment_record(actor=zhangzha_cadre, member=head_a,
                          data={"kind": "local", "place": "县城", "months": 3, "year": YEAR})
    employment_record(actor=tuanjie_cadre, member=head_a,  # the control: the village's own cadre may
                      data={"kind": "local", "place": "县城", "months": 3, "year": YEAR})
    with pytest.raises(ValidationError):
        employment_record(actor=county_admin, member=relocated["plain"].members.get(),
                          data={"kind": "local", "place": "县城", "months": 3, "year": YEAR})


def test_site_size_band_boundaries_and_county_only(county_admin, shuanghe_reviewer, regions):
    from bangfu.relocation.models import ResettlementSite, size_band, size_band_q

    assert [size_band(n) for n in (799, 800, 3000, 3001, None)] == ["small", "medium", "medium", "large", ""]
    for n in (799, 800, 3000, 3001):
        site_save(actor=county_admin, data={"name": f"点{n}", "township": regions[SHUANGHE], "population": n})
    for band in ("small", "medium", "large"):
        assert {s.population for s in ResettlementSite.objects.filter(size_band_q(band))} == {
            n for n in (799, 800, 3000, 3001) if size_band(n) == band}
    with pytest.raises(PermissionDenied):
        site_save(actor=shuanghe_reviewer, data={"name": "乡镇自建点", "township": regions[SHUANGHE]})
    with pytest.raises(ValidationError) as error:
        site_save(actor=county_admin, data={"name": "村级点", "township": Region.objects.get(code=TUANJIE)})
    assert "township" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        site_save(actor=county_admin, data={"name": "点799", "township": regions[SHUANGHE]})
    assert "已存在" in error.value.message_dict["name"][0]
