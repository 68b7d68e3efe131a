"""The relocation pages: figures link to lists of the same count; another township's households are never shown
nor changed (each refusal with a working control); sites are the county's to edit."""

import re

import pytest
from django.urls import reverse

from bangfu.registry.models import Household
from bangfu.relocation.models import Employment, ResettlementSite, Workshop
from bangfu.relocation.services import employment_record, relocated_household_save, site_save
from tests.conftest import SHUANGHE, TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE
from tests.relocation.factories import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(county_admin, make_household, regions):
    ours = site_save(actor=county_admin, data={"name": "甘沟安置点", "township": regions[SHUANGHE], "population": 900})
    theirs = site_save(actor=county_admin, data={"name": "扎如安置点", "township": regions[ZHANGZHA_TOWN]})
    made = {}
    for key, village, site in (("own", TUANJIE, ours), ("own乙", TUANJIE, ours), ("zz", ZHANGZHA_VILLAGE, theirs)):
        household = make_household(village, head_name=f"户主{key}")
        relocated_household_save(actor=county_admin, household=household, data={"site": site})
        made[key] = Household.objects.get(pk=household.pk)
    employment_record(actor=county_admin, member=made["own乙"].members.get(),
                      data={"year": YEAR, "kind": "local", "place": "县城", "months": 6})
    return {"ours": ours, "theirs": theirs, **made}


def _rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return len(re.findall(r"<tr>", body)) - body.count('class="empty"')


def test_each_coverage_figure_is_its_lists_count(client, county_admin, world):
    client.force_login(county_admin)
    page = client.get(reverse("relocation:coverage")).content.decode()
    links = re.findall(r'href="(/relocation/households/\?[^"]+)">(\d+)</a>', page)
    assert len(links) >= 8  # with labour and without, per site and per township, both sites and both townships
    for url, figure in links:
        listed = client.get(url.replace("&amp;", "&")).content.decode()
        assert _rows(listed) == int(figure), url
    assert "50.0%" in page  # 甘沟: one of two households employed


def test_a_cadre_sees_and_changes_only_his_own(client, tuanjie_cadre, world):
    client.force_login(tuanjie_cadre)
    for name in ("relocation:coverage", "relocation:household_list", "relocation:site_list"):
        html = client.get(reverse(name)).content.decode()
        assert "户主zz" not in html and "扎如安置点" not in html, name
    assert "户主own" in client.get(reverse("relocation:household_list")).content.decode()
    # another township's household: refused; the same request on one's own works
    job = {"form": "employment", "year": YEAR, "kind": "migrant", "place": "成都", "months": 7}
    theirs = client.post(reverse("relocation:household", args=[world["zz"].pk]),
                         {**job, "member": world["zz"].members.get().pk})
    assert theirs.status_code == 404 and not Employment.objects.filter(member__household=world["zz"]).exists()
    assert client.get(reverse("relocation:household", args=[world["zz"].pk])).status_code == 404
    own = client.post(reverse("relocation:household", args=[world["own"].pk]),
                      {**job, "member": world["own"].members.get().pk})
    assert own.status_code == 302 and Employment.objects.filter(member__household=world["own"]).count() == 1
    # a member of another household is not a choice on this one's form
    wrong = client.post(reverse("relocation:household", args=[world["own"].pk]),
                        {**job, "member": world["zz"].members.get().pk})
    assert wrong.status_code == 200 and Employment.objects.count() == 2
    job_zz = employment_record(actor=_admin(), member=world["zz"].members.get(),
                               data={"year": YEAR, "kind": "local", "place": "九寨", "months": 3})
    assert client.post(reverse("relocation:employment_remove", args=[job_zz.pk])).status_code == 404
    own_job = Employment.objects.filter(member__household=world["own"]).get()
    assert client.post(reverse("relocation:employment_remove", args=[own_job.pk])).status_code == 302
    assert Employment.objects.filter(pk=job_zz.pk).exists() and not Employment.objects.filter(pk=own_job.pk).exists()
    # relocation details: another township's refused, own works
    data = {"form": "relocation", "site": world["ours"].pk, "relocation_year": "2019", "certificate": "issued"}
    assert client.post(reverse("relocation:household", args=[world["zz"].pk]), data).status_code == 404
    assert client.post(reverse("relocation:household", args=[world["own"].pk]), data).status_code == 302
    assert world["own"].relocation.__class__.objects.get(household=world["own"]).certificate == "issued"


def _admin():
    from bangfu.accounts.models import User

    return User.objects.get(username="county_admin")


def test_sites_are_the_countys_to_edit(client, county_admin, shuanghe_reviewer, world, regions):
    client.force_login(shuanghe_reviewer)
    assert client.get(reverse("relocation:site_create")).status_code == 403
    assert client.post(reverse("relocation:site_edit", args=[world["ours"].pk]),
                       {"form": "site", "name": "改名", "township": SHUANGHE}).status_code == 403
    assert client.post(reverse("relocation:employment_import")).status_code == 403
    client.force_login(county_admin)
    created = client.post(reverse("relocation:site_create"), {"form": "site", "name": "新安置点", "township": SHUANGHE,
                                                              "population": "3001", "facilities": ["school"]})
    assert created.status_code == 302
    site = ResettlementSite.objects.get(name="新安置点")
    assert site.get_size_band_display() == "3000人以上" and site.facilities == ["school"]
    bad = client.post(reverse("relocation:site_edit", args=[site.pk]),
                      {"form": "workshop", "name": "车间", "kind": "workshop", "jobs_offered": "3", "jobs_filled": "4"})
    assert "已就业人数不能多于提供岗位数" in bad.content.decode() and not Workshop.objects.exists()
    good = client.post(reverse("relocation:site_edit", args=[site.pk]),
                       {"form": "workshop", "name": "车间", "kind": "workshop", "jobs_offered": "4", "jobs_filled": "4"})
    assert good.status_code == 302 and Workshop.objects.get().jobs_filled == 4
    assert client.post(reverse("relocation:employment_import")).status_code == 302
    listing = client.get(reverse("relocation:site_list")).content.decode()
    assert "新安置点" in listing and "车间（4/4）" in listing


def test_the_lists_export_what_they_show_in_scope(client, tuanjie_cadre, county_admin, world,
                                                   django_capture_on_commit_callbacks):
    from tests.web.test_list_exports import _export

    client.force_login(tuanjie_cadre)
    rows, _sheet = _export(client, "relocation-households", {"without": "on"}, django_capture_on_commit_callbacks)
    assert rows[1][0] == "筛选条件：有劳动力但无人就业=是"
    assert [r[1] for r in rows[4:]] == ["户主own"]  # not 户主own乙 (employed), not 漳扎's
    rows, _sheet = _export(client, "relocation-sites", {}, django_capture_on_commit_callbacks)
    assert [r[0] for r in rows[4:]] == ["甘沟安置点"]
    client.force_login(county_admin)
    rows, _sheet = _export(client, "relocation-sites", {}, django_capture_on_commit_callbacks)
    assert sorted(r[0] for r in rows[4:]) == ["扎如安置点", "甘沟安置点"]
