"""我的村's care visits (关爱走访) and warnings verified meanwhile by someone else: through the online page's form and
service, once per key, audited as made offline; a change made meanwhile on the server is shown side by side and
resolved by the cadre, never silently overwritten or dropped."""

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.audit.models import ChangeRecord
from bangfu.care.models import CareVisit
from bangfu.care.services import care_visit_record
from bangfu.cases.models import Visit
from bangfu.monitoring.models import Lead, RiskWarning, Rule
from bangfu.monitoring.services import warning_verify
from bangfu.offline.models import OfflineSubmission
from bangfu.offline.services import care_visit_version, warning_version
from bangfu.registry.services import member_update
from tests.conftest import TUANJIE, ZHANGZHA_VILLAGE

pytestmark = pytest.mark.django_db


def _send(client, kind, data, *, key=None, made_at=None, version=None):
    body = {"key": str(key or uuid.uuid4()), "kind": kind, "data": data, "version": version,
            "made_at": (made_at or timezone.now() - dt.timedelta(hours=2)).isoformat()}
    return client.post(reverse("offline:sync"), json.dumps(body), content_type="application/json")


def _care(household, **more):
    return {"household": household.pk, "visitor": "何磊", "visited_on": timezone.localdate().isoformat(),
            "found": "老人独居，身体尚可", "done": "送去慰问品", **more}


@pytest.fixture
def cadre_client(client, tuanjie_cadre):
    client.force_login(tuanjie_cadre)
    return client


@pytest.fixture
def due(make_household, county_admin):
    """A 团结村 household due a care visit (a 低保 member: 八必访)."""
    household = make_household(TUANJIE, head_name="低保户主")
    member_update(actor=county_admin, member=household.members.get(), data={"dibao": True})
    household.refresh_from_db()
    return household


# --- care visits ----------------------------------------------------------------------------------------------


def test_the_copy_lists_the_households_due_a_care_visit_without_identifiers(cadre_client, due, make_household):
    not_due = make_household(TUANJIE, head_name="普通户主")
    copy = cadre_client.get(reverse("offline:bundle")).json()
    assert "care_visit" in copy["forms"]
    rows = {row["household"]: row for row in copy["care"]}
    assert due.pk in rows and not_due.pk not in rows  # control: a household of no 八必访 kind is not due
    assert rows[due.pk]["reasons"] == ["低保"] and rows[due.pk]["version"] == "0"
    assert rows[due.pk]["members"] == [{"name": "低保户主", "age": rows[due.pk]["members"][0]["age"],
                                        "groups": ["低保"]}]
    text = json.dumps(copy["care"], ensure_ascii=False)
    assert due.members.get().reveal_id_number()[-6:] not in text and "5678" not in text
    # Visited this quarter: no longer due.
    assert _send(cadre_client, "care_visit", _care(due), version="0").status_code == 200
    assert due.pk not in {row["household"] for row in cadre_client.get(reverse("offline:bundle")).json()["care"]}


def test_a_care_visit_retried_is_recorded_once_and_audited_as_made_offline(cadre_client, due):
    key, made = uuid.uuid4(), timezone.now() - dt.timedelta(hours=3)
    first = _send(cadre_client, "care_visit", _care(due), key=key, made_at=made, version="0")
    again = _send(cadre_client, "care_visit", _care(due), key=key, made_at=made, version="0")
    assert first.status_code == again.status_code == 200
    assert (first.json()["repeated"], again.json()["repeated"]) == (False, True)
    assert CareVisit.objects.filter(household=due).count() == 1
    submission = OfflineSubmission.objects.get(key=key)
    assert submission.kind == "care_visit" and submission.made_at == made and submission.received_at > made
    assert submission.object_type == "carevisit"
    offline = ChangeRecord.objects.get(object_type="offlinesubmission")
    assert offline.reason.startswith("离线录入：") and f"{timezone.localtime(made):%H:%M}" in offline.reason
    visit = ChangeRecord.objects.get(object_type="carevisit")
    assert visit.request_id and visit.request_id == offline.request_id
    # Control: another key is another visit (the version now names the first).
    assert _send(cadre_client, "care_visit", _care(due), version=care_visit_version(due.pk)).status_code == 200
    assert CareVisit.objects.filter(household=due).count() == 2


def test_a_bad_care_visit_gets_the_online_pages_messages(cadre_client, due):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    for data, field in ((_care(due, found=""), "found"), (_care(due, visitor=""), "visitor"),
                        (_care(due, visited_on=tomorrow), "visited_on")):
        online = cadre_client.post(reverse("care:household_visits", args=[due.pk]),
                                   {k: v for k, v in data.items() if k != "household"})
        assert online.status_code == 200  # the online page refused it too, and says why
        expected = [str(m) for m in online.context["form"].errors[field]]
        offline = _send(cadre_client, "care_visit", data, version="0")
        assert offline.status_code == 422
        assert offline.json()["errors"][field]["messages"] == expected, field
    assert not CareVisit.objects.exists() and not OfflineSubmission.objects.exists()
    assert _send(cadre_client, "care_visit", _care(due), version="0").status_code == 200  # control


def test_a_care_visit_outside_the_village_is_refused(cadre_client, make_household, county_admin, due):
    other = make_household(ZHANGZHA_VILLAGE)
    member_update(actor=county_admin, member=other.members.get(), data={"dibao": True})
    care_visit_record(actor=county_admin, household=other, data=_care(other, visited_on=timezone.localdate()))
    # Even with a stale version, the other village's visit is not shown: refused, not a conflict.
    refused = _send(cadre_client, "care_visit", _care(other), version="0")
    assert refused.status_code == 403 and refused.json()["message"] == "该户不在您的管辖范围内"
    assert CareVisit.objects.filter(household=other).count() == 1 and not OfflineSubmission.objects.exists()
    assert _send(cadre_client, "care_visit", _care(due), version="0").status_code == 200  # control


def test_a_care_visit_without_the_version_read_is_refused(cadre_client, due):
    refused = _send(cadre_client, "care_visit", _care(due))
    assert refused.status_code == 422 and "版本" in refused.json()["errors"]["version"]["messages"][0]
    assert not CareVisit.objects.exists()


def test_a_care_visit_recorded_meanwhile_is_shown_side_by_side(cadre_client, due, county_admin):
    care_visit_record(actor=county_admin, household=due, data=_care(
        due, visitor="乡镇民政员", found="已送米油", visited_on=timezone.localdate()))
    held = _send(cadre_client, "care_visit", _care(due), version="0")
    assert held.status_code == 409
    answer = held.json()
    assert answer["status"] == "conflict" and answer["version"] == care_visit_version(due.pk)
    assert ["走访人", "乡镇民政员"] in answer["server"] and ["走访人", "何磊"] in answer["mine"]
    assert [choice[0] for choice in answer["choices"]] == ["mine", "server"]
    assert CareVisit.objects.filter(household=due).count() == 1 and not OfflineSubmission.objects.exists()
    # The cadre keeps both: sent again at the version now on the server, theirs is recorded too.
    assert _send(cadre_client, "care_visit", _care(due), version=answer["version"]).status_code == 200
    assert CareVisit.objects.filter(household=due).count() == 2


# --- a warning verified meanwhile -----------------------------------------------------------------------------


def _warning(household, rule="medical_stay_oop"):
    now = timezone.now()
    return RiskWarning.objects.create(household=household, village_id=TUANJIE, evidence="住院自付 8000 元",
                                      rule=Rule.objects.get(code=rule), created_at=now, updated_at=now)


def _verify(warning, **more):
    return {"warning": warning.pk, "outcome": "confirmed", "visit_date": timezone.localdate().isoformat(),
            "visit_notes": "入户核实，住院属实", **more}


def test_a_warning_verified_meanwhile_is_a_conflict_with_both_versions(cadre_client, make_household, county_admin):
    warning = _warning(make_household(TUANJIE))
    read_at = warning_version(warning)
    warning_verify(actor=county_admin, warning=warning, outcome="dismissed", visit_date=timezone.localdate(),
                   visit_notes="电话核实", dismiss_reason="已报销")
    held = _send(cadre_client, "warning_verify", _verify(warning), version=read_at)
    assert held.status_code == 409
    answer = held.json()
    assert ["核实结果", "核实排除"] in answer["server"] and ["核实结果", "核实属实"] in answer["mine"]
    assert ["排除理由", "已报销"] in answer["server"] and ["走访情况", "入户核实，住院属实"] in answer["mine"]
    assert [c[0] for c in answer["choices"]] == ["mine", "server"]
    warning.refresh_from_db()
    assert warning.state == "dismissed" and not Lead.objects.exists() and not OfflineSubmission.objects.exists()
    # Mine: the finding goes to identification as a lead from the visit; the server's dismissal stays.
    chosen = _send(cadre_client, "warning_verify", {**_verify(warning), "resolution": "mine"},
                   version=answer["version"])
    assert chosen.status_code == 200
    lead = Lead.objects.get()
    assert lead.household_id == warning.household_id and "入户核实，住院属实" in lead.difficulty
    warning.refresh_from_db()
    submission = OfflineSubmission.objects.get()
    assert warning.state == "dismissed" and submission.object_type == "lead"
    assert submission.object_label.endswith("→识别线索")  # 已上传 says what the verification became


def test_keeping_the_other_verification_keeps_my_visit_as_a_home_visit(cadre_client, make_household,
                                                                       county_admin):
    warning = _warning(make_household(TUANJIE))
    warning_verify(actor=county_admin, warning=warning, outcome="confirmed", visit_date=timezone.localdate(),
                   visit_notes="乡镇已核实")
    answer = _send(cadre_client, "warning_verify", _verify(warning, outcome="dismissed", dismiss_reason="已报销"),
                   version="x").json()
    # The other person confirmed it: nothing of mine can turn it back, so only the server's side is offered.
    assert [c[0] for c in answer["choices"]] == ["server"]
    refused = _send(cadre_client, "warning_verify", {**_verify(warning, outcome="dismissed", dismiss_reason="已报销"),
                                                     "resolution": "mine"}, version=answer["version"])
    assert refused.status_code == 409 and Lead.objects.count() == 1  # the one from the confirmation only
    kept = _send(cadre_client, "warning_verify", {**_verify(warning, outcome="dismissed", dismiss_reason="已报销"),
                                                  "resolution": "server"}, version=answer["version"])
    assert kept.status_code == 200
    visit = Visit.objects.get(household=warning.household)
    assert "入户核实，住院属实" in visit.notes and "已报销" in visit.notes and "核实排除" in visit.notes
    warning.refresh_from_db()
    assert warning.state == "confirmed" and warning.visit_notes == "乡镇已核实"  # not overwritten
    assert OfflineSubmission.objects.get().object_label.endswith("→走访记录")


def test_a_choice_made_on_an_older_version_is_asked_again(cadre_client, make_household, county_admin):
    warning = _warning(make_household(TUANJIE))
    warning_verify(actor=county_admin, warning=warning, outcome="dismissed", visit_date=timezone.localdate(),
                   visit_notes="电话核实", dismiss_reason="已报销")
    stale = _send(cadre_client, "warning_verify", {**_verify(warning), "resolution": "mine"},
                  version="2000-01-01T00:00:00+00:00")
    assert stale.status_code == 409 and not Lead.objects.exists() and not Visit.objects.exists()
    # Control: at the version on the server, the choice is applied.
    fresh = _send(cadre_client, "warning_verify", {**_verify(warning), "resolution": "mine"},
                  version=warning_version(RiskWarning.objects.get(pk=warning.pk)))
    assert fresh.status_code == 200 and Lead.objects.count() == 1


def test_an_open_warning_is_verified_whatever_the_resolution_field(cadre_client, make_household):
    warning = _warning(make_household(TUANJIE))
    sent = _send(cadre_client, "warning_verify", {**_verify(warning), "resolution": "server"},
                 version=warning_version(warning))
    assert sent.status_code == 200
    warning.refresh_from_db()
    assert warning.state == "confirmed" and not Visit.objects.exists()


def test_a_warning_of_another_village_verified_meanwhile_is_refused_not_shown(client, zhangzha_cadre,
                                                                             make_household, county_admin):
    warning = _warning(make_household(TUANJIE))
    warning_verify(actor=county_admin, warning=warning, outcome="dismissed", visit_date=timezone.localdate(),
                   visit_notes="电话核实", dismiss_reason="已报销")
    client.force_login(zhangzha_cadre)
    refused = _send(client, "warning_verify", _verify(warning), version="x")
    assert refused.status_code == 403 and "电话核实" not in refused.content.decode()
