"""The care pages: each group's figure is its list's count; 八必访 on the cadre's home page; another township's
households are never shown nor visited (each refusal with a working control)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from bangfu.care.models import CareFacts, CareVisit
from bangfu.registry.services import member_update
from tests.conftest import TUANJIE, ZHANGZHA_VILLAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(county_admin, make_household):
    own = make_household(TUANJIE, head_name="团结低保")
    member_update(actor=county_admin, member=own.members.get(), data={"dibao": True, "tekun": True})
    zz = make_household(ZHANGZHA_VILLAGE, head_name="漳扎低保")
    member_update(actor=county_admin, member=zz.members.get(), data={"dibao": True, "health": "serious"})
    return {"own": own, "zz": zz}


def _rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return len(re.findall(r"<tr>", body)) - body.count('class="empty"')


def test_each_group_figure_is_its_lists_count(client, county_admin, world):
    client.force_login(county_admin)
    page = client.get(reverse("care:index")).content.decode()
    links = re.findall(r'href="(/care/members/\?group=\w+)" data-group="\w+">(\d+)</a>', page)
    assert len(links) == 9
    for url, figure in links:
        assert _rows(client.get(url).content.decode()) == int(figure), url
    assert dict((u.split("=")[1], int(n)) for u, n in links)["dibao"] == 2
    due = re.search(r'id="due-count">(\d+)<', page).group(1)
    assert _rows(client.get(reverse("care:visit_queue")).content.decode()) == int(due) == 2


def test_cadre_home_shows_due_visits_and_a_visit_clears_it(client, tuanjie_cadre, world):
    client.force_login(tuanjie_cadre)
    home = client.get(reverse("web:home")).content.decode()
    assert 'data-care="due">1<' in home and "团结低保" in home and "漳扎低保" not in home
    post = {"visitor": "村支书", "visited_on": dt.date.today().isoformat(), "found": "生活正常", "done": "宣传政策"}
    assert client.post(reverse("care:household_visits", args=[world["zz"].pk]), post).status_code == 404
    assert client.get(reverse("care:household_visits", args=[world["zz"].pk])).status_code == 404
    assert not CareVisit.objects.exists()
    assert client.post(reverse("care:household_visits", args=[world["own"].pk]), post).status_code == 302
    assert CareVisit.objects.get().household_id == world["own"].pk
    assert 'data-care="due">0<' in client.get(reverse("web:home")).content.decode()
    bad = client.post(reverse("care:household_visits", args=[world["own"].pk]),
                      {**post, "visited_on": (dt.date.today() + dt.timedelta(days=1)).isoformat()})
    assert "走访日期不能晚于今天" in bad.content.decode() and CareVisit.objects.count() == 1


def test_lists_and_facts_stay_in_jurisdiction(client, tuanjie_cadre, world):
    client.force_login(tuanjie_cadre)
    for url in (reverse("care:index"), reverse("care:group_list") + "?group=dibao", reverse("care:visit_queue"),
                reverse("care:visit_queue") + "?state=overdue",
                reverse("care:group_list") + f"?group=dibao&region={ZHANGZHA_VILLAGE}"):
        assert "漳扎低保" not in client.get(url).content.decode(), url
    assert "团结低保" in client.get(reverse("care:group_list") + "?group=dibao").content.decode()
    zz_member, own_member = world["zz"].members.get(), world["own"].members.get()
    assert client.post(reverse("care:member_facts", args=[zz_member.pk]), {"orphan": "on"}).status_code == 404
    assert client.post(reverse("care:member_facts", args=[own_member.pk]),
                       {"tekun_support": "centralised"}).status_code == 302
    assert list(CareFacts.objects.values_list("member_id", "tekun_support")) == [(own_member.pk, "centralised")]


def test_a_group_exports_in_scope_and_is_logged(client, tuanjie_cadre, world, django_capture_on_commit_callbacks):
    from bangfu.audit.models import RevealRecord
    from tests.web.test_list_exports import _export

    client.force_login(tuanjie_cadre)
    rows, _sheet = _export(client, "care-members", {"group": "dibao"}, django_capture_on_commit_callbacks)
    assert [r[0] for r in rows[4:]] == ["团结低保"]
    assert RevealRecord.objects.get().what == "关爱对象名单"


def test_settings_are_the_countys(client, county_admin, tuanjie_cadre, world):
    from bangfu.audit.models import ChangeRecord
    from bangfu.care import groups as g
    from bangfu.care.models import CareSettings
    from bangfu.relocation.models import RelocationSettings

    data = {"elderly_age": "65", "child_age_below": "16", "orphan_age_below": "18", "working_age_from": "18",
            "employed_min_months": "3"}
    client.force_login(tuanjie_cadre)
    assert client.post(reverse("care:settings"), data).status_code == 403 and not CareSettings.objects.exists()
    client.force_login(county_admin)
    assert client.post(reverse("care:settings"), {**data, "employed_min_months": "13"}).status_code == 200
    assert not RelocationSettings.objects.exists()
    assert client.post(reverse("care:settings"), data).status_code == 302
    assert (CareSettings.objects.get().elderly_age, RelocationSettings.objects.get().employed_min_months) == (65, 3)
    assert ChangeRecord.objects.filter(object_type__in=["caresettings", "relocationsettings"]).count() == 2
    # the lists follow the county's age at once
    member_update(actor=county_admin, member=world["own"].members.get(), data={"dibao": True})
    own = world["own"].members.get()
    from bangfu.registry.models import birth_date_cutoff

    own.__class__.objects.filter(pk=own.pk).update(birth_date=birth_date_cutoff(dt.date.today(), 62))
    assert not g.group_members(g.members_visible_to(county_admin), "elderly").filter(pk=own.pk).exists()


def test_cadre_home_says_when_it_shows_only_the_first_households_due(client, tuanjie_cadre, county_admin,
                                                                      make_household):
    """The home page lists the first five households due a visit; with six due it says so and links the rest,
    with five it does not (the boundary on both sides)."""
    for n in range(5):
        household = make_household(TUANJIE, head_name=f"低保户{'甲乙丙丁戊'[n]}")
        member_update(actor=county_admin, member=household.members.get(), data={"dibao": True})
    client.force_login(tuanjie_cadre)
    home = client.get(reverse("web:home")).content.decode()
    assert 'data-care="due">5<' in home and 'data-care="more"' not in home
    sixth = make_household(TUANJIE, head_name="低保户己")
    member_update(actor=county_admin, member=sixth.members.get(), data={"dibao": True})
    home = client.get(reverse("web:home")).content.decode()
    assert 'data-care="due">6<' in home and 'data-care="more"' in home and "显示前 5 户，查看全部 6 户" in home
