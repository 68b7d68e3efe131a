"""Cadres act for themselves (issue 18): a cadre record linked to an account, the cadre's own home with today's
check-in, the in-village days against the quota (one definition, assistance.attendance), a check-in elsewhere kept
and not counted, leave refused when it overlaps, closed when its first day has passed, decided by the township in
its own page and audited; term end with past cadres listed. Each rule at its boundary, both sides."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bangfu.assistance import services as s
from bangfu.assistance.attendance import attendance_for, in_village_days
from bangfu.assistance.models import AttendanceQuota, Cadre, CheckIn, LeaveRequest
from bangfu.audit.models import ChangeRecord
from tests.conftest import COUNTY, SONGBAI, TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE, make_user

pytestmark = pytest.mark.django_db

TERM_START = dt.date(2021, 7, 1)


@pytest.fixture
def account(regions):
    return make_user("linxiao", "village_cadre", TUANJIE)


@pytest.fixture
def cadre(cdu, regions, county_admin, account):
    """成都大学's first secretary in 团结村, linked to the `linxiao` account by the county."""
    return s.cadre_save(actor=county_admin, unit=cdu, data={
        "name": "林晓", "kind": "first_secretary", "village": regions[TUANJIE], "term_start": TERM_START,
        "user": account})


def _today():
    return timezone.localdate()


def _check_in(cadre, day, village=TUANJIE):
    """A check-in kept on `day` (days before the clock's today are written the way an import would)."""
    return CheckIn.objects.create(cadre=cadre, date=day, village_id=village)


# --- the one definition of in-village days ------------------------------------------------------------------------

def test_only_a_check_in_in_the_cadres_own_village_counts(cadre, account, regions):
    today = _today()
    made = s.check_in_record(actor=account, cadre=cadre, date=today, village=regions[SONGBAI], log="开会")
    assert made.village_id == SONGBAI and not made.in_own_village  # kept, with its village
    assert in_village_days([cadre.pk], today, today) == {}
    made.delete()
    made = s.check_in_record(actor=account, cadre=cadre, date=today, village=regions[TUANJIE])  # the control
    assert made.in_own_village and in_village_days([cadre.pk], today, today) == {cadre.pk: 1}


def test_month_and_year_days_on_their_boundaries(cadre):
    for day in (dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 1, 31), dt.date(2026, 2, 1)):
        _check_in(cadre, day)
    first = attendance_for(cadre, today=dt.date(2026, 1, 1))
    assert (first.month_days, first.year_days) == (1, 1)  # 31 December is last year's and last month's
    last_of_year = attendance_for(cadre, today=dt.date(2025, 12, 31))
    assert (last_of_year.month_days, last_of_year.year_days) == (1, 1)
    january_end = attendance_for(cadre, today=dt.date(2026, 1, 31))
    assert (january_end.month_days, january_end.year_days) == (2, 2)
    february = attendance_for(cadre, today=dt.date(2026, 2, 1))
    assert (february.month_days, february.year_days) == (1, 3)  # 31 January is not February's
    before = attendance_for(cadre, today=dt.date(2026, 1, 30))
    assert (before.month_days, before.year_days) == (1, 1)  # a day not yet come is not counted


def test_days_count_inside_the_term_only(cadre):
    cadre.term_end = dt.date(2026, 3, 31)
    cadre.save()
    for day in (dt.date(2021, 6, 30), TERM_START, dt.date(2026, 3, 31), dt.date(2026, 4, 1)):
        _check_in(cadre, day)
    assert in_village_days([cadre.pk], dt.date(2021, 1, 1), dt.date(2026, 12, 31)) == {cadre.pk: 2}


def test_the_year_is_held_against_the_configured_quota(cadre):
    AttendanceQuota.objects.create(county_id=COUNTY, days_per_month=20, days_per_year=200)
    for n in range(3):
        _check_in(cadre, dt.date(2026, 5, 1) + dt.timedelta(days=n))
    attendance = attendance_for(cadre, today=dt.date(2026, 5, 31))
    assert (attendance.year_quota, attendance.year_days, attendance.year_left) == (200, 3, 197)
    assert attendance.month_due == 20 and attendance.month_short  # 20 by the month's end, 3 kept
    assert attendance_for(cadre, today=dt.date(2026, 5, 1)).month_due == 0  # 20 × 1/31


def test_one_check_in_a_day_counted_once(cadre, account, regions):
    today = _today()
    s.check_in_record(actor=account, cadre=cadre, date=today, village=regions[TUANJIE], log="走访")
    again = s.check_in_record(actor=account, cadre=cadre, date=today, village=regions[TUANJIE], log="走访，开会")
    assert again.log == "走访，开会" and CheckIn.objects.filter(cadre=cadre).count() == 1
    with pytest.raises(ValidationError) as caught:
        s.check_in_record(actor=account, cadre=cadre, date=today, village=regions[SONGBAI])
    assert "已在双河镇团结村签到" in caught.value.message_dict["village"][0]
    assert in_village_days([cadre.pk], today, today) == {cadre.pk: 1}


# --- leave ---------------------------------------------------------------------------------------------------------

def _leave(actor, cadre, start_in: int, end_in: int, reason="事假"):
    today = _today()
    return s.leave_request_submit(actor=actor, cadre=cadre, start=today + dt.timedelta(days=start_in),
                                  end=today + dt.timedelta(days=end_in), reason=reason)


def test_overlapping_leave_is_refused_naming_the_other_adjacent_accepted(cadre, account):
    first = _leave(account, cadre, 10, 11)
    for start, end in ((11, 12), (9, 10), (10, 11), (5, 20)):  # one day in common, or the same dates
        with pytest.raises(ValidationError) as caught:
            _leave(account, cadre, start, end)
        message = caught.value.message_dict["start"][0]
        assert first.start.isoformat() in message and "重叠" in message and "待审批" in message
    assert _leave(account, cadre, 12, 13).pk and _leave(account, cadre, 8, 9).pk  # the day after, the day before


def test_refused_leave_does_not_block_the_same_dates(cadre, account, county_admin):
    first = _leave(account, cadre, 10, 11)
    s.leave_request_decide(actor=county_admin, leave=first, approve=False, note="工作安排冲突")
    assert _leave(account, cadre, 10, 11).status == LeaveRequest.Status.PENDING


def test_leave_cannot_start_before_today(cadre, account):
    with pytest.raises(ValidationError) as caught:
        _leave(account, cadre, -1, 1)
    assert "不能早于今天" in caught.value.message_dict["start"][0]
    assert _leave(account, cadre, 0, 1).pk  # today: the control


def test_leave_whose_first_day_has_passed_is_closed(cadre, shuanghe_reviewer):
    today = _today()
    started = LeaveRequest.objects.create(cadre=cadre, start=today - dt.timedelta(days=1), end=today,
                                          reason="病假", approver_level="township")
    starts_today = LeaveRequest.objects.create(cadre=cadre, start=today, end=today + dt.timedelta(days=1),
                                               reason="事假", approver_level="township")
    with pytest.raises(ValidationError) as caught:
        s.leave_request_decide(actor=shuanghe_reviewer, leave=started, approve=True)
    assert "已过期" in caught.value.message_dict["status"][0]
    assert LeaveRequest.objects.get(pk=started.pk).status == LeaveRequest.Status.PENDING
    assert s.leave_request_decide(actor=shuanghe_reviewer, leave=starts_today, approve=True).status == "approved"


def test_a_decision_is_audited_with_who_when_and_the_note(cadre, account, shuanghe_reviewer):
    leave = _leave(account, cadre, 1, 2)
    decided = s.leave_request_decide(actor=shuanghe_reviewer, leave=leave, approve=True, note="同意，注意安全")
    assert decided.decided_by == shuanghe_reviewer and decided.decided_at and decided.decision_note == "同意，注意安全"
    record = ChangeRecord.objects.get(object_type="leaverequest", object_id=str(leave.pk), action="update")
    assert record.actor == shuanghe_reviewer and record.reason == "同意，注意安全"
    assert (record.before["status"], record.after["status"]) == ("pending", "approved")
    with pytest.raises(ValidationError, match="已审批"):
        s.leave_request_decide(actor=shuanghe_reviewer, leave=leave, approve=False)


# --- the account, term end -----------------------------------------------------------------------------------------

def test_only_the_account_manager_links_an_account(cdu, cdu_liaison, regions, account):
    data = {"name": "新干部", "kind": "work_team", "village": regions[TUANJIE], "term_start": TERM_START}
    with pytest.raises(PermissionDenied):
        s.cadre_save(actor=cdu_liaison, unit=cdu, data={**data, "user": account})
    assert s.cadre_save(actor=cdu_liaison, unit=cdu, data=data).user is None  # the same without the account


def test_an_account_serves_one_cadre_at_a_time(cadre, cdu, county_admin, regions, account):
    data = {"name": "继任者", "kind": "work_team", "village": regions[TUANJIE], "user": account}
    cadre.term_end = dt.date(2024, 6, 30)
    cadre.save()
    with pytest.raises(ValidationError) as caught:
        s.cadre_save(actor=county_admin, unit=cdu, data={**data, "term_start": dt.date(2024, 6, 30)})
    assert "林晓" in caught.value.message_dict["user"][0] and "重叠" in caught.value.message_dict["user"][0]
    assert s.cadre_save(actor=county_admin, unit=cdu, data={**data, "term_start": dt.date(2024, 7, 1)}).user == account


def test_a_new_account_is_made_for_a_resident_cadre(cdu, county_admin, regions):
    from bangfu.accounts.models import User

    data = {"name": "王芳", "kind": "first_secretary", "village": regions[TUANJIE], "term_start": TERM_START}
    with pytest.raises(ValidationError) as caught:
        s.cadre_save(actor=county_admin, unit=cdu, data=data, new_username="wangfang", new_password="123")
    assert "new_password" in caught.value.message_dict and not Cadre.objects.filter(name="王芳").exists()
    made = s.cadre_save(actor=county_admin, unit=cdu, data=data, new_username="wangfang",
                        new_password="Bangfu-demo-2026!x")
    account = User.objects.get(username="wangfang")
    assert made.user == account and (account.role, account.region_id, account.full_name) == (
        "village_cadre", TUANJIE, "王芳")


def test_term_end_keeps_the_cadre_listed_as_past(client, cadre, cdu_liaison, account):
    today = _today()
    _check_in(cadre, dt.date(2026, 3, 2))
    with pytest.raises(ValidationError, match="还有该干部的签到"):
        s.cadre_term_end(actor=cdu_liaison, cadre=cadre, end=dt.date(2026, 3, 1), reason="调回")
    with pytest.raises(ValidationError, match="任期开始"):
        s.cadre_term_end(actor=cdu_liaison, cadre=cadre, end=TERM_START - dt.timedelta(days=1), reason="调回")
    with pytest.raises(ValidationError, match="将来"):
        s.cadre_term_end(actor=cdu_liaison, cadre=cadre, end=today + dt.timedelta(days=1), reason="调回")
    ended = s.cadre_term_end(actor=cdu_liaison, cadre=cadre, end=dt.date(2026, 3, 2), reason="调回派出单位")
    assert ended.term_end == dt.date(2026, 3, 2)
    assert ChangeRecord.objects.filter(object_type="cadre", object_id=str(cadre.pk), reason="调回派出单位").exists()
    client.force_login(cdu_liaison)
    serving = client.get(reverse("assistance:cadre_list")).context["rows"]
    past = client.get(reverse("assistance:cadre_list"), {"status": "past"}).context["rows"]
    assert cadre.pk not in [c.pk for c, *_ in serving] and cadre.pk in [c.pk for c, *_ in past]
    page = client.get(reverse("assistance:cadre_detail", args=[cadre.pk])).content.decode()
    assert "已离任" in page and "调回派出单位" in page
    client.force_login(account)  # the past cadre's home no longer offers the check-in
    assert reverse("assistance:check_in", args=[cadre.pk]) not in client.get(reverse("web:home")).content.decode()


# --- pages -----------------------------------------------------------------------------------------------------------

def test_the_cadres_home_checks_in_and_then_says_so(client, cadre, account):
    client.force_login(account)
    home = client.get(reverse("web:home")).content.decode()
    assert "在双河镇团结村签到" in home and "今日已签到" not in home
    response = client.post(reverse("assistance:check_in", args=[cadre.pk]), {
        "date": _today().isoformat(), "village": TUANJIE, "log": "走访监测户"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == reverse("web:home")
    page = response.content.decode()
    assert "今日已签到" in page and "计入驻村天数" in page and "没有权限" not in page
    assert response.context["items"][0]["attendance"].month_days == 1


def test_a_check_in_elsewhere_says_it_does_not_count(client, cadre, account):
    client.force_login(account)
    yesterday = _today() - dt.timedelta(days=1)
    response = client.post(reverse("assistance:check_in", args=[cadre.pk]), {
        "date": yesterday.isoformat(), "village": SONGBAI, "log": "参加镇上会议"}, follow=True)
    page = response.content.decode()
    assert "不在驻村村，不计入驻村天数" in page
    assert CheckIn.objects.get(cadre=cadre, date=yesterday).village_id == SONGBAI


def test_the_cadre_asks_leave_and_reads_its_decision(client, cadre, account, shuanghe_reviewer):
    client.force_login(account)
    start = _today() + dt.timedelta(days=3)
    response = client.post(reverse("assistance:leave_submit", args=[cadre.pk]), {
        "start": start.isoformat(), "end": (start + dt.timedelta(days=1)).isoformat(), "reason": "家中有事"})
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    again = client.post(reverse("assistance:leave_submit", args=[cadre.pk]), {
        "start": start.isoformat(), "end": start.isoformat(), "reason": "重复"})
    assert again.status_code == 200 and "重叠" in again.content.decode()
    assert "待乡镇审批" in client.get(reverse("web:home")).content.decode()


def test_the_township_decides_its_villages_leave_in_its_own_page(client, cadre, account, shuanghe_reviewer, regions):
    other = make_user("zz_reviewer", "township_reviewer", ZHANGZHA_TOWN)
    leave = _leave(account, cadre, 2, 3)
    client.force_login(other)
    page = client.get(reverse("assistance:leave_list"))
    assert page.status_code == 200 and "林晓" not in page.content.decode()
    assert client.post(reverse("assistance:leave_decide", args=[leave.pk]), {"approve": "1"}).status_code == 404
    client.force_login(shuanghe_reviewer)
    home = client.get(reverse("web:home")).content.decode()
    assert reverse("assistance:leave_list") in home  # in the township's navigation
    page = client.get(reverse("assistance:leave_list")).content.decode()
    assert "林晓" in page and reverse("assistance:leave_decide", args=[leave.pk]) in page
    response = client.post(reverse("assistance:leave_decide", args=[leave.pk]), {"approve": "1", "note": "同意"},
                           follow=True)
    assert response.status_code == 200 and "已批准" in response.content.decode()
    assert LeaveRequest.objects.get(pk=leave.pk).decided_by == shuanghe_reviewer
    detail = client.get(reverse("assistance:cadre_detail", args=[cadre.pk]))  # the leave's history
    assert detail.status_code == 200 and "同意" in detail.content.decode()
    assert client.get(reverse("assistance:cadre_list")).status_code == 403  # the unit's list stays the county's


def test_a_liaison_has_no_leave_page_and_other_units_cadres_are_hidden(client, cadre, court_liaison, cdu_liaison):
    client.force_login(court_liaison)
    assert client.get(reverse("assistance:leave_list")).status_code == 403
    assert client.get(reverse("assistance:cadre_detail", args=[cadre.pk])).status_code == 404
    client.force_login(cdu_liaison)
    assert client.get(reverse("assistance:cadre_detail", args=[cadre.pk])).status_code == 200


def test_the_user_page_shows_and_links_the_cadre_record(client, cadre, account, county_admin, regions):
    client.force_login(county_admin)
    page = client.get(reverse("accounts:user_edit", args=[account.pk])).content.decode()
    assert reverse("assistance:cadre_detail", args=[cadre.pk]) in page and "林晓" in page
    unlinked = make_user("zhangzha_cadre", "village_cadre", ZHANGZHA_VILLAGE)
    page = client.get(reverse("accounts:user_edit", args=[unlinked.pk])).content.decode()
    cadre.user = None
    cadre.save()
    page = client.get(reverse("accounts:user_edit", args=[unlinked.pk])).content.decode()
    link = reverse("assistance:cadre_edit", args=[cadre.pk]) + f"?user={unlinked.pk}"
    assert link in page
    form = client.get(link).context["form"]
    assert form.initial["user"] == unlinked.pk


def test_a_resident_cadres_account_has_the_village_role(cdu, county_admin, shuanghe_reviewer, regions, account):
    data = {"name": "新干部", "kind": "work_team", "village": regions[TUANJIE], "term_start": TERM_START}
    with pytest.raises(ValidationError) as caught:
        s.cadre_save(actor=county_admin, unit=cdu, data={**data, "user": shuanghe_reviewer})
    assert "村干部/驻村工作队" in caught.value.message_dict["user"][0]
    assert s.cadre_save(actor=county_admin, unit=cdu, data={**data, "user": account}).user == account


def test_leave_and_check_in_fall_inside_the_term(cadre, account, regions):
    today = _today()
    cadre.term_end = today + dt.timedelta(days=5)
    cadre.save()
    with pytest.raises(ValidationError, match="任期内"):
        _leave(account, cadre, 5, 6)
    assert _leave(account, cadre, 4, 5).pk  # its last day is the term's
    with pytest.raises(ValidationError, match="将来"):
        s.check_in_record(actor=account, cadre=cadre, date=today + dt.timedelta(days=1), village=regions[TUANJIE])
    assert s.check_in_record(actor=account, cadre=cadre, date=today, village=regions[TUANJIE]).pk
    with pytest.raises(ValidationError, match="任期内"):
        s.check_in_record(actor=account, cadre=cadre, date=TERM_START - dt.timedelta(days=1), village=regions[TUANJIE])
    assert s.check_in_record(actor=account, cadre=cadre, date=TERM_START, village=regions[TUANJIE]).pk


def test_another_cadres_account_cannot_act_for_this_one(cadre, regions, court_liaison):
    other = make_user("other_cadre", "village_cadre", TUANJIE)
    with pytest.raises(PermissionDenied):
        s.check_in_record(actor=other, cadre=cadre, date=_today(), village=regions[TUANJIE])
    with pytest.raises(PermissionDenied):
        _leave(other, cadre, 1, 2)
    assert not CheckIn.objects.exists() and not LeaveRequest.objects.exists()


def test_a_cadre_with_an_account_checks_in_themself(client, cadre, account, cdu_liaison, regions):
    with pytest.raises(PermissionDenied, match="须由本人签到"):
        s.check_in_record(actor=cdu_liaison, cadre=cadre, date=_today(), village=regions[TUANJIE])
    assert _leave(cdu_liaison, cadre, 1, 2).pk  # the unit may still ask leave for them
    client.force_login(cdu_liaison)
    assert client.get(reverse("assistance:check_in", args=[cadre.pk])).status_code == 403
    assert reverse("assistance:check_in", args=[cadre.pk]) not in client.get(
        reverse("assistance:cadre_list")).content.decode()
    cadre.user = None  # the control: a cadre without an account is checked in by the unit
    cadre.save()
    assert s.check_in_record(actor=cdu_liaison, cadre=cadre, date=_today(), village=regions[TUANJIE]).pk
    assert client.get(reverse("assistance:check_in", args=[cadre.pk])).status_code == 200
