"""我的村's one door for what a phone recorded offline: the online form's service, permission check and messages;
once per key; a record changed meanwhile answered with both versions; made-at checked against the clock."""

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.assistance.models import Cadre, CheckIn, Unit
from bangfu.audit.models import ChangeRecord
from bangfu.cases.forms import VisitForm
from bangfu.cases.models import Visit
from bangfu.monitoring.models import Lead, RiskWarning, Rule
from bangfu.offline.models import OfflineKey, OfflineSubmission
from bangfu.offline.services import CLOCK_TOLERANCE
from bangfu.registry.services import household_update
from tests.conftest import COUNTY, TUANJIE, ZHANGZHA_VILLAGE

pytestmark = pytest.mark.django_db


def _send(client, kind, data, *, key=None, made_at=None, version=None, **extra):
    body = {"key": str(key or uuid.uuid4()), "kind": kind, "data": data, "version": version,
            "made_at": (made_at or timezone.now() - dt.timedelta(hours=2)).isoformat(), **extra}
    return client.post(reverse("offline:sync"), json.dumps(body), content_type="application/json")


def _visit(household, **more):
    return {"household": household.pk, "visited_on": timezone.localdate().isoformat(), "notes": "见到户主，了解收入",
            **more}


@pytest.fixture
def cadre_client(client, tuanjie_cadre):
    client.force_login(tuanjie_cadre)
    return client


def test_a_retry_with_the_same_key_is_recorded_once(cadre_client, make_household):
    household = make_household(TUANJIE)
    key = uuid.uuid4()
    first = _send(cadre_client, "visit", _visit(household), key=key)
    again = _send(cadre_client, "visit", _visit(household), key=key)
    assert first.status_code == again.status_code == 200
    assert (first.json()["repeated"], again.json()["repeated"]) == (False, True)
    assert Visit.objects.filter(household=household).count() == 1
    assert OfflineSubmission.objects.filter(key=key).count() == 1
    # Control: another key is another visit.
    assert _send(cadre_client, "visit", _visit(household)).status_code == 200
    assert Visit.objects.filter(household=household).count() == 2


def test_the_history_says_made_offline_with_when_made_and_when_received(cadre_client, make_household):
    household = make_household(TUANJIE)
    made = timezone.now() - dt.timedelta(hours=3)
    _send(cadre_client, "visit", _visit(household), made_at=made)
    submission = OfflineSubmission.objects.get()
    assert submission.made_at == made and submission.received_at > made
    record = ChangeRecord.objects.get(object_type="offlinesubmission")
    assert record.reason.startswith("离线录入：") and f"{timezone.localtime(made):%H:%M}" in record.reason
    visit_record = ChangeRecord.objects.get(object_type="visit")
    assert visit_record.request_id and visit_record.request_id == record.request_id == submission.request_id


def test_a_household_changed_meanwhile_is_answered_with_both_versions(cadre_client, make_household, county_admin):
    household = make_household(TUANJIE)
    read_at = household.version
    household_update(actor=county_admin, household=household, data={"housing_safety": "B"}, version=read_at)
    response = _send(cadre_client, "visit", _visit(household, housing_safety="C"), version=read_at)
    assert response.status_code == 409
    answer = response.json()
    assert answer["status"] == "conflict" and answer["version"] == str(read_at + 1)
    assert ["住房安全等级", "B级"] in answer["server"] and ["住房安全等级", "C级（危房）"] in answer["mine"]
    assert not Visit.objects.exists() and not OfflineSubmission.objects.exists()  # nothing written, nothing lost
    household.refresh_from_db()
    assert household.housing_safety == "B"
    # The cadre chose their own version: sent again at the version now on the server, it is recorded.
    chosen = _send(cadre_client, "visit", _visit(household, housing_safety="C"), version=answer["version"])
    assert chosen.status_code == 200
    household.refresh_from_db()
    assert household.housing_safety == "C" and Visit.objects.count() == 1


def test_a_visit_changing_nothing_in_the_file_is_not_held_by_another_change(cadre_client, make_household,
                                                                            county_admin):
    household = make_household(TUANJIE)
    household_update(actor=county_admin, household=household, data={"group": "3组"}, version=household.version)
    assert _send(cadre_client, "visit", _visit(household), version=1).status_code == 200


def test_outside_the_cadre_village_is_refused_with_the_online_message(cadre_client, make_household):
    own, other = make_household(TUANJIE), make_household(ZHANGZHA_VILLAGE)
    refused = _send(cadre_client, "visit", _visit(other), version=other.version)
    assert refused.status_code == 403 and refused.json()["message"] == "该户不在您的管辖范围内"
    assert not Visit.objects.exists() and not OfflineSubmission.objects.exists()
    lead = _send(cadre_client, "lead", {"household": other.pk, "risk_type": "income", "difficulty": "务工收入骤降"})
    assert lead.status_code == 403 and not Lead.objects.exists()
    assert _send(cadre_client, "visit", _visit(own), version=own.version).status_code == 200  # control


def test_a_township_user_has_no_village_copy(client, shuanghe_reviewer, make_household):
    household = make_household(TUANJIE)
    client.force_login(shuanghe_reviewer)
    assert client.get(reverse("offline:bundle")).status_code == 403
    assert client.get(reverse("offline:key")).status_code == 403
    assert _send(client, "visit", _visit(household)).status_code == 403


@pytest.mark.parametrize(("ahead", "status"), [(CLOCK_TOLERANCE + dt.timedelta(seconds=30), 422),
                                               (CLOCK_TOLERANCE - dt.timedelta(seconds=30), 200)])
def test_a_made_at_in_the_future_is_refused(cadre_client, make_household, ahead, status):
    household = make_household(TUANJIE)
    response = _send(cadre_client, "visit", _visit(household), made_at=timezone.now() + ahead)
    assert response.status_code == status
    if status == 422:
        assert "晚于服务器当前时间" in response.json()["errors"]["made_at"]["messages"][0]
        assert not Visit.objects.exists()


def test_a_bad_form_gets_the_online_form_messages(cadre_client, make_household):
    household = make_household(TUANJIE)
    response = _send(cadre_client, "visit", _visit(household, notes=""))
    online = VisitForm({"visited_on": timezone.localdate().isoformat(), "notes": ""})
    online.is_valid()
    assert response.status_code == 422
    assert response.json()["errors"]["notes"] == {"label": "走访情况", "messages": list(online.errors["notes"])}
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    late = _send(cadre_client, "visit", _visit(household, visited_on=tomorrow))
    assert late.json()["errors"]["visited_on"]["messages"] == ["走访日期不能晚于今天"]  # the service's own words


def test_warning_verified_offline_becomes_a_lead(cadre_client, make_household):
    household = make_household(TUANJIE)
    now = timezone.now()
    warning = RiskWarning.objects.create(household=household, village_id=TUANJIE, evidence="住院自付 8000 元",
                                         rule=Rule.objects.get(code="medical_stay_oop"), created_at=now,
                                         updated_at=now)
    response = _send(cadre_client, "warning_verify", {
        "warning": warning.pk, "outcome": "confirmed", "visit_date": timezone.localdate().isoformat(),
        "visit_notes": "入户核实，住院属实"})
    assert response.status_code == 200
    warning.refresh_from_db()
    assert warning.state == "confirmed" and Lead.objects.filter(warning=warning).count() == 1
    again = _send(cadre_client, "warning_verify", {
        "warning": warning.pk, "outcome": "confirmed", "visit_date": timezone.localdate().isoformat(),
        "visit_notes": "第二台手机也核实了"})
    # A second phone verified it too: not a refusal but both verifications side by side (test_offline_care_and_warning).
    assert again.status_code == 409 and again.json()["status"] == "conflict"
    assert Lead.objects.filter(warning=warning).count() == 1


def test_check_in_made_offline_keeps_its_day_and_place(cadre_client, tuanjie_cadre, regions):
    unit = Unit.objects.create(name="成都大学", short_name="成都大学", kind="university", county=regions[COUNTY])
    cadre = Cadre.objects.create(unit=unit, name="何磊", kind="first_secretary", village=regions[TUANJIE],
                                 term_start=dt.date(2020, 1, 1), user=tuanjie_cadre)
    made = timezone.now() - dt.timedelta(days=1)
    response = _send(cadre_client, "check_in", {"log": "走访监测户"}, made_at=made, latitude="33.1234567",
                     longitude="103.9")
    assert response.status_code == 200
    check_in = CheckIn.objects.get(cadre=cadre)
    assert check_in.date == timezone.localtime(made).date() and str(check_in.latitude) == "33.123457"
    submission = OfflineSubmission.objects.get()
    assert submission.made_at == made and str(submission.longitude) == "103.900000"


def test_logout_forgets_the_key_and_clears_the_phone(cadre_client, tuanjie_cadre):
    key = cadre_client.get(reverse("offline:key")).json()["key"]
    assert cadre_client.get(reverse("offline:key")).json()["key"] == key  # the same key while logged in
    response = cadre_client.post(reverse("web:logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert not OfflineKey.objects.filter(user=tuanjie_cadre).exists()
    cadre_client.force_login(tuanjie_cadre)
    assert cadre_client.get(reverse("offline:key")).json()["key"] != key


def test_the_copy_holds_only_the_village_and_no_identifiers(cadre_client, make_household):
    own = make_household(TUANJIE, phone="10012345678")
    other = make_household(ZHANGZHA_VILLAGE, phone="10087654321")
    response = cadre_client.get(reverse("offline:bundle"))
    text = response.content.decode()
    assert response.status_code == 200 and own.number in text and other.number not in text
    member = own.members.get()
    assert member.reveal_id_number() not in text and member.reveal_id_number()[-4:] not in text
    assert "10012345678" not in text and "5678" not in text


def _measure(household, county_admin):
    from bangfu.cases.models import MeasureCategory
    from bangfu.cases.services import measure_add, transitions_ensure_defaults
    from bangfu.registry.models import Household

    transitions_ensure_defaults()  # the shipped measure catalogue

    Household.objects.filter(pk=household.pk).update(monitoring_type="marginal", monitoring_status="risk_open")
    household.refresh_from_db()
    return measure_add(actor=county_admin, household=household, data={
        "category": MeasureCategory.objects.get(code="health"), "description": "医疗救助",
        "start_on": timezone.localdate() - dt.timedelta(days=30), "responsible": "县医保局", "status": "planned"})


def test_a_measure_followed_up_offline_and_one_changed_meanwhile(cadre_client, make_household, county_admin):
    from bangfu.cases.services import measure_update
    from bangfu.offline.services import measure_version

    measure = _measure(make_household(TUANJIE), county_admin)
    read_at = measure_version(measure)
    sent = _send(cadre_client, "measure", {"measure": measure.pk, "status": "in_progress"}, version=read_at)
    assert sent.status_code == 200
    measure.refresh_from_db()
    assert measure.status == "in_progress"
    # Another person stops it while a second follow-up waits on the phone, read before that change.
    read_at = measure_version(measure)
    measure_update(actor=county_admin, measure=measure, data={"status": "stopped"})
    held = _send(cadre_client, "measure", {"measure": measure.pk, "status": "done"}, version=read_at)
    assert held.status_code == 409
    assert ["状态", "已终止"] in held.json()["server"] and ["状态", "已完成"] in held.json()["mine"]
    measure.refresh_from_db()
    assert measure.status == "stopped"


def test_a_lead_registered_offline(cadre_client, make_household):
    household = make_household(TUANJIE)
    sent = _send(cadre_client, "lead", {"household": household.pk, "risk_type": "income", "difficulty": "务工收入骤降"},
                 version=household.version)
    assert sent.status_code == 200 and Lead.objects.get().source == Lead.Source.CADRE_VISIT
    short = _send(cadre_client, "lead", {"household": household.pk, "risk_type": "income", "difficulty": "少"})
    assert short.status_code == 422 and "至少写4个字" in short.json()["errors"]["difficulty"]["messages"][0]
