"""Rule 1 for the case pages: a cadre of 团结村 never sees or changes a 漳扎村 case, measure, visit or paper.

Each URL of the cases app is aimed at the 漳扎 household (404/403, nothing written, nothing shown) and, as the
control, at the cadre's own household (it works). tests/registry/test_jurisdiction.py points here."""

from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from bangfu.audit.models import ChangeRecord
from bangfu.cases.models import AssistanceContact, Case, Decision, Measure, MeasureCategory, Visit
from bangfu.cases.services import assistance_contact_set, measure_add
from bangfu.monitoring.models import Lead
from bangfu.reports.summaries import village_summaries_deferred
from tests.conftest import TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE, make_user

pytestmark = pytest.mark.django_db


def fingerprint():
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in
            (Case, Decision, Measure, Visit, AssistanceContact, ChangeRecord, Lead)}


@dataclass
class Target:
    household: object
    case: object
    measure: object
    lead: object = None


@pytest.fixture
def world(make_household, open_case, walk, county_admin, today, tuanjie_cadre, shuanghe_reviewer, zhangzha_cadre):
    with village_summaries_deferred():  # one recount of the villages touched, at the end
        zz_reviewer = make_user("zz_reviewer", "township_reviewer", ZHANGZHA_TOWN)

        def build(village, name):
            household = make_household(village, head_name=name)
            cadre, reviewer = ((tuanjie_cadre, shuanghe_reviewer) if village == TUANJIE else (zhangzha_cadre, zz_reviewer))
            walk(open_case(household, actor=cadre), "approved", cadre=cadre, reviewer=reviewer)
            household.refresh_from_db()
            measure = measure_add(actor=county_admin, household=household, data={
                "category": MeasureCategory.objects.get(code="health"), "description": "医疗救助",
                "start_on": today.day, "responsible": "县医保局", "status": "in_progress"})
            assistance_contact_set(actor=county_admin, household=household, name=f"{name}联系人")
            from bangfu.cases.services import case_open

            case = case_open(actor=county_admin, household=make_household(village, head_name=f"{name}新户"),
                             summary="新线索")
            from bangfu.monitoring.services import lead_from_visit

            lead = lead_from_visit(actor=cadre, household=make_household(village, head_name=f"{name}线索户"),
                                   risk_type="medical", difficulty=f"{name}线索的困难情况")
            return Target(household, case, measure, lead)

        return {"own": build(TUANJIE, "团结甲"), "zz": build(ZHANGZHA_VILLAGE, "远方甲")}


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: object
    methods: tuple
    post: object = field(default=lambda t: {})
    control: frozenset = frozenset({200, 302})  # what the same request on one's own household answers


def _h(name):
    return lambda t: reverse(name, args=[t.household.pk])


def _step_post(t):
    from bangfu.cases.models import Transition

    row = Transition.objects.get(kind="identification", from_state="verification", to_state="comparison",
                                 role="village_cadre")
    # Signed on the day the lead was found (an earlier day is refused, 400); the case is past its deadline by now, so
    # the step says why (without a reason it is refused too: the control must really be done, not just redirected).
    return {f"t{row.pk}-version": t.case.version, f"t{row.pk}-commitment_signed_on": t.case.lead_date.isoformat(),
            f"t{row.pk}-comment": "入户核实晚于期限：农户外出务工，返乡后核实",
            f"t{row.pk}-verification_notes": "看过"}


def _step_url(t):
    from bangfu.cases.models import Transition

    row = Transition.objects.get(kind="identification", from_state="verification", to_state="comparison",
                                 role="village_cadre")
    return reverse("cases:case_advance", args=[t.case.pk, row.pk])


ENDPOINTS = [
    Endpoint("cases:case_detail", lambda t: reverse("cases:case_detail", args=[t.case.pk]), ("get",)),
    Endpoint("cases:case_advance", _step_url, ("post",), _step_post),
    Endpoint("cases:case_reverse", lambda t: reverse("cases:case_reverse", args=[t.case.pk]), ("post",),
             lambda t: {"version": 1, "comment": "返贫"}, control=frozenset({403})),  # own case: county's step
    Endpoint("cases:household_assistance", _h("cases:household_assistance"), ("get",)),
    Endpoint("cases:case_open", lambda t: reverse("cases:case_open", args=[t.case.household_id]), ("get", "post"),
             lambda t: {"source": "manual", "lead_date": "2026-03-01", "summary": "越界"}),
    Endpoint("cases:measure_add", _h("cases:measure_add"), ("get", "post"), lambda t: {
        "category": MeasureCategory.objects.get(code="industry").pk, "description": "养殖", "start_on": "2026-03-03",
        "responsible": "村", "status": "planned"}),
    Endpoint("cases:measure_edit", lambda t: reverse("cases:measure_edit", args=[t.measure.pk]), ("get", "post"),
             lambda t: {"category": t.measure.category_id, "description": "改", "start_on": "2026-03-03",
                        "responsible": "村", "status": "done"}),
    Endpoint("cases:contact_set", _h("cases:contact_set"), ("get", "post"), lambda t: {"name": "换人"}),
    Endpoint("cases:visit_add", _h("cases:visit_add"), ("get", "post"),
             lambda t: {"visited_on": "2026-03-03", "notes": "走访"}),
    Endpoint("cases:elimination_propose", _h("cases:elimination_propose"), ("get", "post"),
             lambda t: {"elimination_kind": "natural"}),
    Endpoint("cases:card", _h("cases:card"), ("get",)),
    Endpoint("cases:case_open_from_lead", lambda t: reverse("cases:case_open_from_lead", args=[t.lead.pk]), ("post",)),
    Endpoint("cases:notice", lambda t: reverse("cases:notice", args=[t.household.village_id]), ("get",)),
]


def _markers(t):
    return {t.household.number, t.household.head_name, f"{t.household.head_name}联系人", "远方甲新户", "远方甲线索"}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_township_is_out_of_reach(client, world, tuanjie_cadre, endpoint, method):
    client.force_login(tuanjie_cadre)
    target = world["zz"]
    before = fingerprint()
    url = endpoint.url(target)
    response = client.post(url, endpoint.post(target)) if method == "post" else client.get(url)
    expected = {403, 404} if method in endpoint.methods else {405}
    assert response.status_code in expected, (url, response.status_code)
    content = response.content.decode()
    assert not {m for m in _markers(target) if m in content}
    assert fingerprint() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_same_request_on_own_household_works(client, world, tuanjie_cadre, endpoint):
    client.force_login(tuanjie_cadre)
    target = world["own"]
    for method in endpoint.methods:
        url = endpoint.url(target)
        response = client.post(url, endpoint.post(target)) if method == "post" else client.get(url)
        assert response.status_code in endpoint.control, (method, url, response.status_code)
        if response.status_code == 403:  # refused for the role, and says so: not for the place
            assert "县级监测管理员" in response.content.decode()


def test_lists_and_queue_show_only_own_cases(client, world, tuanjie_cadre, county_admin,
                                             django_capture_on_commit_callbacks):
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cases:quality_report"))  # a county-wide run holds both villages' problems
    assert "远方甲" in client.get(reverse("cases:quality_report")).content.decode()  # the control
    assert "远方甲新户" in client.get(reverse("cases:case_list")).content.decode()
    client.force_login(tuanjie_cadre)
    for name in ("cases:case_list", "web:home", "cases:quality_report"):
        content = client.get(reverse(name), {"state": "all"}).content.decode()
        leaked = {m for m in _markers(world["zz"]) if m in content}
        assert not leaked, (name, leaked)
    assert "团结甲新户" in client.get(reverse("cases:case_list")).content.decode()
