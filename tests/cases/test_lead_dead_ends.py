"""No dead ends: every new lead can leave the queue by a recorded act of someone allowed to do it. A lead on a
household with an open case is attached to it; a self-report that matches no household is registered as a new
household or member (the registry's services) or closed with a reason; a lead on a monitored household needs no
identification and is closed with the reason. Another village's cadre is refused each act; a reader sees none."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bangfu.audit.models import ChangeRecord
from bangfu.cases.models import Case, Decision
from bangfu.cases.services import lead_attach_to_case
from bangfu.core.crypto import field_cipher
from bangfu.monitoring.models import Lead
from bangfu.monitoring.services import (
    lead_close,
    lead_register_household,
    lead_register_member,
    lead_self_report,
)
from bangfu.registry.models import Household, Member
from tests.conftest import TUANJIE, synthetic_id

pytestmark = pytest.mark.django_db


def _lead(household, source="warning"):
    return Lead.objects.create(source=source, village_id=household.village_id, household=household,
                               risk_type="medical", difficulty="医保数据显示住院自付2.3万元")


@pytest.fixture
def report(regions):
    """A self-report whose ID number is registered nowhere."""
    return lead_self_report(name="王大妈", phone="13800001234", id_number=synthetic_id("19600101", male=False),
                            village_code=TUANJIE, difficulty="老伴住院花了三万多元", risk_type="medical",
                            client="192.0.2.7")


def _changes(lead):
    return ChangeRecord.objects.filter(object_id=str(lead.pk), action="update").count()


def test_a_lead_on_a_household_with_an_open_case_is_attached_to_it(client, make_household, open_case,
                                                                  tuanjie_cadre):
    household = make_household()
    case = open_case(household)
    lead = _lead(household)
    client.force_login(tuanjie_cadre)
    page = client.get(reverse("cases:lead_detail", args=[lead.pk])).content.decode()
    assert "并入在办案件" in page and "无需再识别" not in page
    assert f'action="{reverse("cases:case_open_from_lead", args=[lead.pk])}"' not in page
    response = client.post(reverse("cases:lead_attach", args=[lead.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("cases:case_detail", args=[case.pk])
    lead.refresh_from_db()
    assert (lead.state, lead.case_id, lead.handled_by) == ("attached", case.pk, tuanjie_cadre)
    decision = Decision.objects.filter(case=case).order_by("-id").first()
    assert decision.label == "并入识别线索" and "住院自付2.3万元" in decision.comment
    assert _changes(lead) == 1 and Case.objects.count() == 1
    with pytest.raises(ValidationError, match="已由他人处理"):
        lead_attach_to_case(actor=tuanjie_cadre, lead=lead)


def test_attach_needs_an_open_case(make_household, tuanjie_cadre, defaults, today):
    lead = _lead(make_household())
    with pytest.raises(ValidationError, match="没有未办结的案件"):
        lead_attach_to_case(actor=tuanjie_cadre, lead=lead)
    lead.refresh_from_db()
    assert lead.state == "new"


def test_a_lead_on_a_monitored_household_is_closed_with_its_reason(client, make_household, tuanjie_cadre,
                                                                  defaults):
    household = make_household()
    Household.objects.filter(pk=household.pk).update(monitoring_type="marginal", monitoring_status="risk_open",
                                                     identified_month="202601")
    lead = _lead(household)
    client.force_login(tuanjie_cadre)
    page = client.get(reverse("cases:lead_detail", args=[lead.pk])).content.decode()
    assert f'action="{reverse("cases:case_open_from_lead", args=[lead.pk])}"' not in page
    assert "关闭线索" in page and "帮扶措施" in page
    short = client.post(reverse("cases:lead_close", args=[lead.pk]), {"reason": "无"})
    assert short.status_code == 400 and "关闭理由：至少写4个字" in short.content.decode()
    lead.refresh_from_db()
    assert lead.state == "new" and _changes(lead) == 0
    client.post(reverse("cases:lead_close", args=[lead.pk]), {"reason": "已是监测对象，新增医疗救助措施跟进"})
    lead.refresh_from_db()
    assert (lead.state, lead.close_reason) == ("closed", "已是监测对象，新增医疗救助措施跟进")
    assert ChangeRecord.objects.get(object_id=str(lead.pk), action="update").reason == lead.close_reason


def test_an_unmatched_self_report_becomes_a_household_then_a_case(client, report, tuanjie_cadre, defaults, today):
    assert report.household_id is None
    client.force_login(tuanjie_cadre)
    page = client.get(reverse("cases:lead_detail", args=[report.pk])).content.decode()
    opening = f'action="{reverse("cases:case_open_from_lead", args=[report.pk])}"'
    assert "登记申报人" in page and "未匹配到农户" in page and opening not in page
    response = client.post(reverse("cases:lead_register", args=[report.pk]), {"mode": "household", "group": "3组"})
    assert response.status_code == 302
    report.refresh_from_db()
    household = report.household
    head = household.members.get()
    assert (household.village_id, household.group, household.head_name, head.relation) == (TUANJIE, "3组", "王大妈",
                                                                                          "head")
    assert head.id_number_digest == report.id_number_digest and household.phone_masked == report.phone_masked
    assert _changes(report) == 1
    page = client.get(reverse("cases:lead_detail", args=[report.pk])).content.decode()
    assert opening in page and "登记申报人" not in page
    client.post(reverse("cases:case_open_from_lead", args=[report.pk]))
    assert Case.objects.get().household == household


def test_an_unmatched_self_report_becomes_a_member(make_household, report, tuanjie_cadre):
    household = make_household(head_name="张老汉")
    with pytest.raises(ValidationError, match="与户主关系"):
        lead_register_member(actor=tuanjie_cadre, lead=report, household=household, relation="")
    lead_register_member(actor=tuanjie_cadre, lead=report, household=household, relation="spouse")
    report.refresh_from_db()
    assert report.household == household
    member = Member.objects.get(household=household, relation="spouse")
    assert member.name == "王大妈" and member.id_number_digest == report.id_number_digest


def test_a_number_already_registered_elsewhere_is_refused_and_nothing_is_written(make_household, report,
                                                                                tuanjie_cadre, county_admin):
    from bangfu.registry.services import member_add

    other = make_household()
    member_add(actor=county_admin, household=other, data={"name": "王大妈", "relation": "spouse"},
               id_number=field_cipher().decrypt("id_number", report.id_number_cipher))
    households = Household.objects.count()
    with pytest.raises(ValidationError):
        lead_register_household(actor=tuanjie_cadre, lead=report)
    report.refresh_from_db()
    assert report.household_id is None and Household.objects.count() == households


def test_another_villages_cadre_is_refused_every_act(client, make_household, open_case, report, zhangzha_cadre,
                                                     tuanjie_cadre):
    household = make_household()
    open_case(household)
    lead = _lead(household)
    for act in (lambda: lead_attach_to_case(actor=zhangzha_cadre, lead=lead),
                lambda: lead_close(actor=zhangzha_cadre, lead=lead, reason="外村干部想关闭"),
                lambda: lead_register_household(actor=zhangzha_cadre, lead=report)):
        with pytest.raises(PermissionDenied):
            act()
    client.force_login(zhangzha_cadre)
    for name, target in (("cases:lead_detail", lead), ("cases:lead_attach", lead), ("cases:lead_close", lead),
                         ("cases:lead_register", report)):
        method = client.get if name == "cases:lead_detail" else client.post
        assert method(reverse(name, args=[target.pk])).status_code == 404
    lead.refresh_from_db()
    report.refresh_from_db()
    assert (lead.state, report.state, report.household_id) == ("new", "new", None)
    # the control: the village's own cadre may
    lead_attach_to_case(actor=tuanjie_cadre, lead=lead)


def test_a_reader_sees_the_lead_but_no_action(client, make_household, leader):
    lead = _lead(make_household())
    client.force_login(leader)
    page = client.get(reverse("cases:lead_detail", args=[lead.pk])).content.decode()
    assert "医保数据显示" in page and "lead-actions" not in page
    assert client.post(reverse("cases:lead_close", args=[lead.pk]), {"reason": "领导想关闭线索"}).status_code == 403
    lead.refresh_from_db()
    assert lead.state == "new"
