"""A unit liaison writes only their own unit's records: every write service refuses another unit's, writes nothing,
and the same call on the liaison's own unit succeeds (the control)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from bangfu.assistance import services as s
from bangfu.assistance.models import Cadre, Finding, JointMeeting, Task
from bangfu.audit.models import ChangeRecord
from tests.assistance.conftest import PNG
from tests.conftest import COUNTY

pytestmark = pytest.mark.django_db


def _state():
    from django.apps import apps

    models = [m for m in apps.get_app_config("assistance").get_models()] + [ChangeRecord]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


# Each write, as a function of (actor, target unit, that unit's records, all records).
WRITES = {
    "ledger_entry_record": lambda a, u, r, m: s.ledger_entry_record(actor=a, kind="training", unit=u, data={
        "date": dt.date(2022, 4, 1), "kind": "technicians", "title": "培训", "participants": 3}),
    "ledger_entry_update": lambda a, u, r, m: s.ledger_entry_update(actor=a, entry=r["fund"],
                                                                    data={"amount": Decimal(2000)}),
    "ledger_entry_delete": lambda a, u, r, m: s.ledger_entry_delete(actor=a, entry=r["fund"], reason="录错"),
    "evidence_attach": lambda a, u, r, m: s.evidence_attach(actor=a, record=r["fund"], name="p.png", content=PNG),
    "evidence_attach_finding": lambda a, u, r, m: s.evidence_attach(actor=a, record=r["finding"], name="p.png",
                                                                    content=PNG),
    "unit_update": lambda a, u, r, m: s.unit_update(actor=a, unit=u, data={"contact_name": "新联系人"}),
    "cadre_save_new": lambda a, u, r, m: s.cadre_save(actor=a, unit=u, data={
        "name": "新干部", "kind": "seconded", "post": "副县长", "term_start": dt.date(2022, 1, 1)}),
    "cadre_save_change": lambda a, u, r, m: s.cadre_save(actor=a, unit=u, cadre=r["cadre"], data={"name": "改名"}),
    "check_in_record": lambda a, u, r, m: s.check_in_record(actor=a, cadre=r["cadre"], date=dt.date(2022, 5, 5),
                                                            village=r["village"], log="走访"),
    "leave_request_submit": lambda a, u, r, m: s.leave_request_submit(
        actor=a, cadre=r["cadre"], start=dt.date(2030, 2, 1), end=dt.date(2030, 2, 1), reason="病假"),
    "unit_report_draft": lambda a, u, r, m: s.unit_report_draft(actor=a, meeting=m["meeting"], unit=u),
    "unit_report_save": lambda a, u, r, m: s.unit_report_save(actor=a, meeting=m["meeting"], unit=u, text="汇报"),
    "task_update": lambda a, u, r, m: s.task_update(actor=a, task=r["task"], status="done", progress="完成"),
    "finding_rectify": lambda a, u, r, m: s.finding_rectify(actor=a, finding=r["finding"], measures="已整改",
                                                            done=False),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_liaison_cannot_write_another_units_records(records, court, cdu_liaison, write):
    before = _state()
    with pytest.raises(PermissionDenied):
        WRITES[write](cdu_liaison, court, records[court.pk], records)
    assert _state() == before


@pytest.mark.parametrize("write", sorted(WRITES))
def test_same_write_on_own_unit_works(records, cdu, cdu_liaison, write):
    before = ChangeRecord.objects.count()
    WRITES[write](cdu_liaison, cdu, records[cdu.pk], records)
    assert ChangeRecord.objects.count() > before, "each write leaves a change record"


@pytest.mark.parametrize("write", sorted(set(WRITES) - {"task_update"}))  # tasks: the lead unit's board, below
def test_lead_coordinator_reads_all_but_writes_only_its_own(records, cdu, lead_coordinator, write):
    """The lead unit reads every unit; writing another unit's ledger is still refused."""
    before = _state()
    with pytest.raises(PermissionDenied):
        WRITES[write](lead_coordinator, cdu, records[cdu.pk], records)
    assert _state() == before


def test_lead_coordinator_follows_every_task(records, cdu, lead_coordinator):
    task = s.task_update(actor=lead_coordinator, task=records[cdu.pk]["task"], status="done", progress="已督办")
    assert task.status == Task.Status.DONE


def test_liaison_cannot_run_meetings_targets_or_sign_off(records, cdu, cdu_liaison):
    before = _state()
    with pytest.raises(PermissionDenied):
        s.meeting_save(actor=cdu_liaison, county_code=COUNTY, units=[cdu], data={
            "date": dt.date(2023, 1, 1), "place": "x", "chair": "x", "reports_since": dt.date(2022, 1, 1)})
    with pytest.raises(PermissionDenied):
        s.task_create(actor=cdu_liaison, meeting=JointMeeting.objects.get(), decision="x", owner_unit=cdu, owner="x",
                      deadline=dt.date(2030, 1, 1))
    with pytest.raises(PermissionDenied):
        s.finding_sign_off(actor=cdu_liaison, finding=records[cdu.pk]["finding"])
    with pytest.raises(PermissionDenied):
        s.finding_create(actor=cdu_liaison, county_code=COUNTY, data={})
    with pytest.raises(PermissionDenied):
        s.plan_create(actor=cdu_liaison, county_code=COUNTY, name="x", start_year=2021, end_year=2025)
    with pytest.raises(PermissionDenied):
        s.evaluation_grades_save(actor=cdu_liaison, county_code=COUNTY, grades=[("好", Decimal(0))])
    assert _state() == before


def test_rectification_needs_evidence_then_county_signs_off(records, cdu, cdu_liaison, county_admin):
    from django.core.exceptions import ValidationError

    finding = records[cdu.pk]["finding"]
    with pytest.raises(ValidationError) as caught:
        s.finding_rectify(actor=cdu_liaison, finding=finding, measures="已整改", done=True)
    assert "佐证" in caught.value.message_dict["status"][0]
    s.evidence_attach(actor=cdu_liaison, record=finding, name="整改照片.png", content=PNG)
    s.finding_rectify(actor=cdu_liaison, finding=finding, measures="已整改", done=True)
    signed = s.finding_sign_off(actor=county_admin, finding=finding)
    assert signed.status == Finding.Status.SIGNED_OFF and signed.signed_off_by == county_admin


def test_leave_is_approved_by_township_or_county_by_length(records, cdu, shuanghe_reviewer, county_admin):
    from bangfu.assistance.models import LeaveRequest

    cadre = Cadre.objects.get(unit=cdu)
    short = s.leave_request_submit(actor=county_admin, cadre=cadre, start=dt.date(2030, 3, 1),
                                   end=dt.date(2030, 3, 3), reason="事假")
    long = s.leave_request_submit(actor=county_admin, cadre=cadre, start=dt.date(2030, 4, 1),
                                  end=dt.date(2030, 4, 4), reason="病假")
    assert (short.approver_level, long.approver_level) == ("township", "county")
    assert s.leave_request_decide(actor=shuanghe_reviewer, leave=short, approve=True).status == "approved"
    with pytest.raises(PermissionDenied):
        s.leave_request_decide(actor=shuanghe_reviewer, leave=long, approve=True)
    assert s.leave_request_decide(actor=county_admin, leave=long, approve=False).status == "rejected"
    assert LeaveRequest.objects.get(pk=long.pk).decided_by == county_admin
