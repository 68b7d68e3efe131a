"""DOMAIN.md §2: the assessment group (考核评估组) files rectification items; the county checks the evidence and
either signs an item off or sends it back with a reason that stays in the item's history."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bangfu.assistance import services as s
from bangfu.assistance.models import Finding
from bangfu.audit.models import ChangeRecord
from tests.assistance.conftest import PNG
from tests.conftest import COUNTY, SHUANGHE, make_user

pytestmark = pytest.mark.django_db

DATA = {"source": "provincial", "found_on": dt.date(2026, 3, 1), "description": "帮扶项目资产未登记",
        "owner": "某人", "deadline": dt.date(2026, 6, 30)}


@pytest.fixture
def auditor(regions):
    return make_user("auditor", "auditor", COUNTY)


def test_the_assessment_group_files_a_finding_on_the_page(client, auditor, cdu):
    client.force_login(auditor)
    page = client.get(reverse("assistance:finding_list")).content.decode()
    assert reverse("assistance:finding_create") in page
    response = client.post(reverse("assistance:finding_create"), {
        "source": "provincial", "found_on": "2026-03-01", "description": "帮扶项目资产未登记", "owner": "某人",
        "deadline": "2026-06-30", "owner_unit": str(cdu.pk)})
    assert response.status_code == 302
    finding = Finding.objects.get()
    record = ChangeRecord.objects.get(object_type="finding", object_id=str(finding.pk))
    assert record.actor == auditor and record.action == "create"


def test_the_assessment_group_files_but_does_not_sign_off_or_configure(auditor, county_admin, cdu):
    finding = s.finding_create(actor=auditor, county_code=COUNTY, data={**DATA, "owner_unit": cdu})
    with pytest.raises(PermissionDenied):
        s.finding_sign_off(actor=auditor, finding=finding)
    with pytest.raises(PermissionDenied):
        s.finding_return(actor=auditor, finding=finding, reason="x")
    with pytest.raises(PermissionDenied):
        s.attendance_quota_save(actor=auditor, county_code=COUNTY, days_per_month=1, days_per_year=1,
                                township_approves_up_to=1)


def test_an_assessor_bound_below_the_county_cannot_file_for_it(regions, cdu):
    township_auditor = make_user("t_auditor", "auditor", SHUANGHE)
    with pytest.raises(PermissionDenied):
        s.finding_create(actor=township_auditor, county_code=COUNTY, data={**DATA, "owner_unit": cdu})


def test_a_leader_and_a_liaison_cannot_file(leader, cdu_liaison, cdu):
    for actor in (leader, cdu_liaison):
        with pytest.raises(PermissionDenied):
            s.finding_create(actor=actor, county_code=COUNTY, data={**DATA, "owner_unit": cdu})


def _rectified(county_admin, cdu_liaison, cdu):
    finding = s.finding_create(actor=county_admin, county_code=COUNTY, data={**DATA, "owner_unit": cdu})
    s.evidence_attach(actor=cdu_liaison, record=finding, name="台账.png", content=PNG)
    return s.finding_rectify(actor=cdu_liaison, finding=finding, measures="已登记入账", done=True)


def test_the_county_sends_a_rectification_back_with_its_reason(client, county_admin, cdu_liaison, cdu):
    finding = _rectified(county_admin, cdu_liaison, cdu)
    with pytest.raises(ValidationError) as caught:  # the reason is required
        s.finding_return(actor=county_admin, finding=finding, reason="  ")
    assert "reason" in caught.value.message_dict
    client.force_login(county_admin)
    client.post(reverse("assistance:finding_return", args=[finding.pk]), {"r-reason": "登记表缺少村集体签字"})
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    record = ChangeRecord.objects.filter(object_type="finding", object_id=str(finding.pk)).order_by("-id").first()
    assert record.actor == county_admin and "登记表缺少村集体签字" in record.reason
    assert record.before["status"] == "rectified" and record.after["status"] == "open"
    client.force_login(cdu_liaison)  # the owner sees why, on the item's page
    assert "登记表缺少村集体签字" in client.get(reverse("assistance:finding_detail", args=[finding.pk])).content.decode()
    with pytest.raises(ValidationError):  # open again: nothing to send back until it is rectified again
        s.finding_return(actor=county_admin, finding=finding, reason="再退")


def test_only_a_rectified_item_is_sent_back(county_admin, cdu):
    finding = s.finding_create(actor=county_admin, county_code=COUNTY, data={**DATA, "owner_unit": cdu})
    with pytest.raises(ValidationError):
        s.finding_return(actor=county_admin, finding=finding, reason="未完成")
