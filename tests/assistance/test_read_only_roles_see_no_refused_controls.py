"""A leader and the assessment group read the paired-assistance pages without being offered what they cannot do:
every link on each page opens for them (no 403), and every form on it, posted as they would post it, is not refused
(403). The control: the same walk as a unit's liaison finds a refused control when one is planted."""

import re
from html import unescape

import pytest
from django.urls import reverse

from bangfu.assistance import services as s
from tests.assistance.conftest import PNG
from tests.conftest import COUNTY, make_user

pytestmark = pytest.mark.django_db

SKIP = ("/accounts/logout", "/i18n/", "/static/", "/media/")
HREF = re.compile(r'<a\b[^>]*\bhref="(/[^"#]*)"')
FORM = re.compile(r'<form\b([^>]*)>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input\b[^>]*type="hidden"[^>]*>')


def _attr(tag: str, name: str) -> str:
    match = re.search(rf'\b{name}="([^"]*)"', tag)
    return unescape(match.group(1)) if match else ""


def _main(html: str) -> str:
    return html.split("<main", 1)[1] if "<main" in html else html


@pytest.fixture
def auditor(regions):
    return make_user("auditor", "auditor", COUNTY)


@pytest.fixture
def pages(records, court, cdu, county_admin, cdu_liaison):
    plan = s.plan_create(actor=county_admin, county_code=COUNTY, name="2021-2025", start_year=2021, end_year=2025,
                         text="正文")
    s.plan_target_set(actor=county_admin, plan=plan, unit=cdu, year=2022, indicator="funds_invested", target=1000)
    finding = records[cdu.pk]["finding"]
    s.evidence_attach(actor=cdu_liaison, record=finding, name="p.png", content=PNG)
    s.finding_rectify(actor=cdu_liaison, finding=finding, measures="已整改", done=True)
    return [reverse("web:home"), reverse("assistance:home"), reverse("assistance:ledger_list", args=["fund"]),
            reverse("assistance:ledger_detail", args=["fund", records[cdu.pk]["fund"].pk]),
            reverse("assistance:plan"), reverse("assistance:plan") + "?year=2022", reverse("assistance:evaluation"),
            reverse("assistance:meeting_list"), reverse("assistance:meeting_detail", args=[records["meeting"].pk]),
            reverse("assistance:finding_list"), reverse("assistance:finding_detail", args=[finding.pk]),
            reverse("assistance:cadre_list"), reverse("assistance:settings"), reverse("assistance:unit_list"),
            reverse("assistance:unit_detail", args=[cdu.pk]), reverse("assistance:plan_list"),
            reverse("assistance:plan_detail", args=[plan.pk]), reverse("assistance:role_holders")]


def _refused_controls(client, pages) -> list[str]:
    refused = []
    seen: set[str] = set()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = _main(response.content.decode())
        for href in HREF.findall(html):
            href = unescape(href)
            if href in seen or href.startswith(SKIP) or "format=" in href or "/export" in href:
                continue
            seen.add(href)
            if client.get(href).status_code == 403:
                refused.append(f"{page}: link {href}")
        for tag, body in FORM.findall(html):
            if _attr(tag, "method").lower() != "post":
                continue
            action = _attr(tag, "action") or page
            if action.startswith(SKIP):
                continue
            data = {_attr(h, "name"): _attr(h, "value") for h in HIDDEN.findall(body) if _attr(h, "name")}
            data.pop("csrfmiddlewaretoken", None)
            if client.post(action, data).status_code == 403:
                refused.append(f"{page}: form {action}")
    return refused


@pytest.mark.parametrize("who", ["leader", "auditor"])
def test_read_only_roles_are_offered_nothing_that_refuses_them(client, request, pages, who):
    client.force_login(request.getfixturevalue(who))
    refused = _refused_controls(client, pages)
    assert refused == [], "\n".join(refused)


class _Answer:
    def __init__(self, status_code: int, content: bytes = b""):
        self.status_code, self.content = status_code, content


class _PlantedClient:
    """A page with one link and one form that both refuse: the walk must report both."""

    page = ('<main><a href="/assistance/units/1/edit/">单位信息</a>'
            '<form method="post" action="/assistance/tasks/1/"><input type="hidden" name="status" value="done">'
            '<button>更新</button></form><a href="/assistance/plan/">规划进度</a></main>')

    def get(self, url):
        return _Answer(200, self.page.encode()) if url == "/page/" else _Answer(
            403 if "edit" in url else 200)

    def post(self, url, data):
        return _Answer(403 if data == {"status": "done"} else 400)


def test_the_walk_finds_a_refused_control():
    """Control: the walk is not blind: a refused link and a refused form are both reported, an allowed link is not."""
    assert _refused_controls(_PlantedClient(), ["/page/"]) == [
        "/page/: link /assistance/units/1/edit/", "/page/: form /assistance/tasks/1/"]


def test_the_leaders_home_shows_assistance_figures_and_no_work_queue(client, pages, leader):
    client.force_login(leader)
    home = client.get(reverse("web:home")).content.decode()
    assert "定点帮扶" in home and "直接投入帮扶资金" in home and "帮扶项目" in home
    assert 'data-queue' not in home and "待办" not in home
