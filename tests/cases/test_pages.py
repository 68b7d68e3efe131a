"""The case pages as each role uses them: a cadre opens and walks a case, the reviewer and the county decide,
the queue on the home page, measures with the risk match shown, visits, elimination blockers, documents."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.cases.models import Case, Measure, MeasureCategory, Transition, Visit
from bangfu.registry.models import Household

pytestmark = pytest.mark.django_db


def _post_step(client, case, to_state, role, **data):
    transition = Transition.objects.get(kind=case.kind, from_state=case.state, to_state=to_state, role=role)
    payload = {f"t{transition.pk}-version": case.version, f"t{transition.pk}-comment": data.pop("comment", "")}
    for key, value in data.items():
        if isinstance(value, list):
            payload[f"t{transition.pk}-{key}"] = value
        else:
            payload[f"t{transition.pk}-{key}"] = str(value)
    return client.post(reverse("cases:case_advance", args=[case.pk, transition.pk]), payload, follow=True)


def test_cadre_opens_a_case_and_it_shows_in_the_queue(client, make_household, tuanjie_cadre, defaults, today):
    household = make_household()
    client.force_login(tuanjie_cadre)
    response = client.post(reverse("cases:case_open", args=[household.pk]),
                           {"source": "cadre_report", "lead_date": "2026-03-02", "summary": "户主摔伤"})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:case_detail", args=[case.pk])
    home = client.get(reverse("web:home")).content.decode()
    assert "我的待办" in home and household.number in home and "本周到期" in home
    today.forward(7)
    home = client.get(reverse("web:home")).content.decode()
    assert "已逾期" in home and "due-overdue" in home


def test_step_forms_walk_and_refuse(client, make_household, tuanjie_cadre, shuanghe_reviewer, county_admin,
                                    defaults, today):
    household = make_household()
    client.force_login(tuanjie_cadre)
    client.post(reverse("cases:case_open", args=[household.pk]),
                {"source": "manual", "lead_date": "2026-03-02", "summary": "大病"})
    case = Case.objects.get()
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "完成入户核实" in page and "承诺授权书签署日期" in page
    # Missing the commitment form: refused, named, nothing moves.
    response = _post_step(client, case, "comparison", "village_cadre", verification_notes="看过")
    assert "承诺授权书" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "verification"
    _post_step(client, case, "comparison", "village_cadre", commitment_signed_on="2026-03-02",
               verification_notes="看过")
    case.refresh_from_db()
    assert case.state == "comparison"
    # A stale form (the old version) is refused with who decided.
    transition = Transition.objects.get(kind="identification", from_state="verification", to_state="comparison",
                                        role="village_cadre")
    response = client.post(reverse("cases:case_advance", args=[case.pk, transition.pk]),
                           {f"t{transition.pk}-version": 1}, follow=True)
    assert "您的操作未生效" in response.content.decode()
    # The township reviewer has no step at village review.
    _post_step(client, case, "village_review", "village_cadre", comparison_result="无异常")
    case.refresh_from_db()
    client.force_login(shuanghe_reviewer)
    assert "当前环节不由您的角色办理" in client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    transition = Transition.objects.get(kind="identification", from_state="village_review", to_state="notice")
    response = client.post(reverse("cases:case_advance", args=[case.pk, transition.pk]),
                           {f"t{transition.pk}-version": case.version}, follow=True)
    assert "须由村干部/驻村工作队办理" in response.content.decode()


def test_measures_show_the_risk_mismatch(client, make_household, county_admin, defaults, today, walk, open_case):
    household = make_household()
    walk(open_case(household), "approved")  # identified 因病, a household with labour
    client.force_login(county_admin)
    page = client.get(reverse("cases:household_assistance", args=[household.pk])).content.decode()
    assert "措施与风险不匹配" in page and "因病风险" in page and "发展类措施" in page
    industry = MeasureCategory.objects.get(code="industry")
    response = client.post(reverse("cases:measure_add", args=[household.pk]), {
        "category": industry.pk, "description": "发展养殖", "start_on": "2026-03-10", "responsible": "村委会",
        "status": "in_progress", "amount": "3000"}, follow=True)
    text = response.content.decode()
    assert "已新增帮扶措施" in text and "因病风险：须有健康或社会帮扶或兜底保障类措施" in text  # still a mismatch, shown
    assert Measure.objects.filter(household=household).count() == 1
    health = MeasureCategory.objects.get(code="health")
    client.post(reverse("cases:measure_add", args=[household.pk]), {
        "category": health.pk, "description": "大病医疗救助", "start_on": "2026-03-10", "responsible": "县医保局",
        "status": "in_progress"})
    page = client.get(reverse("cases:household_assistance", args=[household.pk])).content.decode()
    assert "措施与风险不匹配" not in page


def test_visit_from_a_phone_and_contact(client, make_household, tuanjie_cadre, defaults, today, walk, open_case):
    household = make_household()
    walk(open_case(household), "approved")
    client.force_login(tuanjie_cadre)
    response = client.post(reverse("cases:visit_add", args=[household.pk]),
                           {"visited_on": "2026-03-06", "notes": "家中无人外出", "per_capita_income": "9100"})
    assert response.status_code == 302
    assert Visit.objects.get().per_capita_income == Decimal("9100")
    response = client.post(reverse("cases:visit_add", args=[household.pk]),
                           {"visited_on": "2026-12-20", "notes": "未来", "per_capita_income": ""})
    assert "走访日期不能晚于今天" in response.content.decode()
    client.post(reverse("cases:contact_set", args=[household.pk]), {"name": "王联系", "post": "县农业农村局干部"})
    page = client.get(reverse("cases:household_assistance", args=[household.pk])).content.decode()
    assert "王联系" in page and "家中无人外出" in page


def test_elimination_page_names_each_blocker(client, make_household, county_admin, defaults, today, walk,
                                             open_case, lines):
    household = make_household(housing_safety="C")
    walk(open_case(household), "approved")
    client.force_login(county_admin)
    page = client.get(reverse("cases:elimination_propose", args=[household.pk])).content.decode()
    for text in ("监测时长：202603识别，至今0个月，须满6个月", "帮扶措施：至少须有一项", "收入：没有",
                 "住房安全：住房为C级（危房）"):
        assert text in page, text
    response = client.post(reverse("cases:elimination_propose", args=[household.pk]),
                           {"elimination_kind": "by_assistance"})
    assert response.status_code == 200 and not Case.objects.filter(kind="elimination").exists()


def test_notice_and_card_pages(client, make_household, tuanjie_cadre, defaults, today, walk, open_case):
    household = make_household(group="三组")
    walk(open_case(household), "notice")
    client.force_login(tuanjie_cadre)
    page = client.get(reverse("cases:notice", args=[household.village_id])).content.decode()
    assert household.head_name in page and "拟纳入监测对象" in page and "@media print" not in page
    docx = client.get(reverse("cases:notice", args=[household.village_id]), {"format": "docx"})
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats") and docx.content[:2] == b"PK"
    assert client.get(reverse("cases:notice", args=["513225101200"])).status_code == 404  # another township
    assert client.get(reverse("cases:card", args=[household.pk])).status_code == 200


def test_config_is_county_only_and_audited(client, county_admin, tuanjie_cadre, defaults):
    from bangfu.audit.models import ChangeRecord

    client.force_login(tuanjie_cadre)
    assert client.get(reverse("cases:workflow_config")).status_code == 200  # read-only view of the table
    row = Transition.objects.get(kind="identification", from_state="verification", to_state="comparison")
    assert client.get(reverse("cases:transition_edit", args=[row.pk])).status_code == 403
    client.force_login(county_admin)
    response = client.post(reverse("cases:transition_edit", args=[row.pk]), {
        "label": "完成入户核实", "role": "village_cadre", "preconditions": ["commitment_signed"], "deadline_days": "4",
        "working_days": "on", "is_active": "on"})
    assert response.status_code == 302
    # The shipped row stays as shipped; the county's own table (taken over on its first edit) has the change.
    own = Transition.objects.get(region_id=county_admin.region_id, kind="identification",
                                 from_state="verification", to_state="comparison")
    row.refresh_from_db()
    assert row.deadline_days != 4 and row.region_id is None
    assert own.deadline_days == 4 and own.preconditions == ["commitment_signed"]
    assert ChangeRecord.objects.filter(object_type="transition", object_id=str(own.pk)).exists()
    client.post(reverse("cases:workflow_config"), {
        "decision_days": "20", "decision_working_days": "on", "notice_min_days": "7", "elimination_min_months": "6",
        "income_stable_months": "6", "measure_due_days": "30", "max_member_age": "110",
        "self_reports_per_hour": "5"})
    from bangfu.cases.services import workflow_settings

    county = workflow_settings(county_admin.region_id)
    assert (county.decision_days, county.decision_working_days) == (20, True)
    assert workflow_settings().decision_days == 15  # the shipped defaults are not the county's to change
    assert ChangeRecord.objects.filter(object_type="workflowsettings").exists()


def test_quality_run_reports_by_village_with_fix_links(client, make_household, county_admin, defaults, today,
                                                       django_capture_on_commit_callbacks):
    from bangfu.registry.services import income_record_save, member_add
    from tests.conftest import synthetic_id

    household = make_household(monitoring_type="marginal", identified_month="202501")
    member_add(actor=county_admin, household=household, data={"name": "老人", "relation": "father"},
               id_number=synthetic_id("19100101"))
    income_record_save(actor=county_admin, household=household, year=2025,
                       data={"members_counted": 5, "wage_income": Decimal("20000")})
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:quality_report"))
    assert response.status_code == 302  # the job ran (immediate backend in tests)
    from bangfu.jobs.models import Job

    assert Job.objects.get().status == "done", Job.objects.get().message
    page = client.get(reverse("cases:quality_report")).content.decode()
    for text in ("团结村", "超过110岁", "按5人计算人均，户内现有2人", "识别已超过30天仍无帮扶措施", "缺少风险类型",
                 "去修改", reverse("registry:household_detail", args=[household.pk])):
        assert text in page, text
    assert Household.objects.count() == 1
    assert dt  # dates come from the fixture clock


def test_the_queue_lists_each_group_by_the_date_due(make_household, county_admin, defaults, today, open_case):
    """An identification is due at the nearer of its step's and its own deadline; the queue orders by that date,
    not by the step's deadline alone (cases whose own deadline came first had been listed after later ones)."""
    from bangfu.cases.selectors import work_queue_for

    cases = [open_case(make_household(head_name=name)) for name in ("待办甲", "待办乙", "待办丙")]
    base = today.day
    # step deadlines ascending, but the first case's own deadline is the earliest of all
    Case.objects.filter(pk=cases[0].pk).update(step_due_on=base - dt.timedelta(days=3), due_on=base - dt.timedelta(days=9))
    Case.objects.filter(pk=cases[1].pk).update(step_due_on=base - dt.timedelta(days=5), due_on=base + dt.timedelta(days=30))
    Case.objects.filter(pk=cases[2].pk).update(step_due_on=base - dt.timedelta(days=4), due_on=base + dt.timedelta(days=30))
    queue = work_queue_for(county_admin)
    assert [(case.pk, case.due) for case in queue.overdue.shown] == [
        (cases[0].pk, base - dt.timedelta(days=9)), (cases[1].pk, base - dt.timedelta(days=5)),
        (cases[2].pk, base - dt.timedelta(days=4))]
    cut = work_queue_for(county_admin, limit=2).overdue
    assert [case.pk for case in cut.shown] == [cases[0].pk, cases[1].pk] and (cut.count, cut.cut) == (3, True)
