"""Every write endpoint of paired assistance, aimed at another unit's records by the 成都大学 liaison, is refused
(403 or 404) and changes nothing; the same request aimed at the liaison's own records (or made by the role that may
make it) succeeds. Reading pages show another unit's entries only to those who may read them."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.assistance import services as s
from bangfu.assistance.models import EvidenceFile
from bangfu.audit.models import ChangeRecord
from tests.assistance.conftest import PNG

pytestmark = pytest.mark.django_db


def _state():
    from django.apps import apps

    models = [*apps.get_app_config("assistance").get_models(), ChangeRecord]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


@dataclass(frozen=True)
class Write:
    name: str
    url: Callable  # (records of the target unit, all records, target unit) -> url
    data: Callable = lambda r: {}
    control_actor: str = "cdu_liaison"  # who makes the control request on 成都大学's records


def _kind_url(name, key, kind="fund"):
    return lambda r, m, u: reverse(f"assistance:{name}", args=[kind, r[key].pk])


WRITES = [
    Write("ledger_create", lambda r, m, u: reverse("assistance:ledger_create", args=["training"]) + f"?unit={u.pk}",
          lambda r: {"date": "2022-04-01", "kind": "technicians", "title": "培训", "participants": "3"}),
    Write("ledger_edit", _kind_url("ledger_edit", "fund"),
          lambda r: {"date": "2022-03-01", "flow": "invested", "amount": "2000", "source": "预算", "purpose": "产业"}),
    Write("ledger_delete", _kind_url("ledger_delete", "fund"), lambda r: {"reason": "录错"}),
    Write("ledger_evidence", _kind_url("ledger_evidence", "fund"),
          lambda r: {"file": SimpleUploadedFile("p.png", PNG, "image/png")}),
    Write("unit_edit", lambda r, m, u: reverse("assistance:unit_edit", args=[u.pk]), lambda r: {"contact_name": "某"}),
    Write("cadre_create", lambda r, m, u: reverse("assistance:cadre_create") + f"?unit={u.pk}",
          lambda r: {"name": "新干部", "kind": "seconded", "post": "副县长", "term_start": "2022-01-01"}),
    Write("cadre_edit", lambda r, m, u: reverse("assistance:cadre_edit", args=[r["cadre"].pk]),
          lambda r: {"name": "改名", "kind": "first_secretary", "village": r["village"].code,
                     "term_start": "2021-07-01"}),
    Write("cadre_end", lambda r, m, u: reverse("assistance:cadre_end", args=[r["cadre"].pk]),
          lambda r: {"end": "2022-06-30", "reason": "任期届满"}),
    Write("check_in", lambda r, m, u: reverse("assistance:check_in", args=[r["cadre"].pk]),
          lambda r: {"date": "2022-05-05", "village": r["village"].code, "log": "走访"}),
    Write("leave_submit", lambda r, m, u: reverse("assistance:leave_submit", args=[r["cadre"].pk]),
          lambda r: {"start": "2030-02-01", "end": "2030-02-01", "reason": "病假"}),
    Write("leave_decide", lambda r, m, u: reverse("assistance:leave_decide", args=[r["leave"].pk]),
          lambda r: {"approve": "1"}, control_actor="county_admin"),
    Write("unit_report_edit", lambda r, m, u: reverse("assistance:unit_report_edit", args=[m["meeting"].pk, u.pk]),
          lambda r: {"text": "汇报", "action": "save"}),
    Write("task_create", lambda r, m, u: reverse("assistance:task_create", args=[m["meeting"].pk]),
          lambda r: {"decision": "新任务", "owner_unit": str(r["task"].owner_unit_id), "owner": "某",
                     "deadline": "2030-01-01"}, control_actor="lead_coordinator"),
    Write("task_update", lambda r, m, u: reverse("assistance:task_update", args=[r["task"].pk]),
          lambda r: {"status": "done", "progress": "完成"}),
    Write("meeting_create", lambda r, m, u: reverse("assistance:meeting_create"),
          lambda r: {"date": "2023-08-01", "place": "县委", "chair": "院长", "reports_since": "2022-08-18",
                     "units": [str(r["task"].owner_unit_id)]}, control_actor="lead_coordinator"),
    Write("meeting_edit", lambda r, m, u: reverse("assistance:meeting_edit", args=[m["meeting"].pk]),
          lambda r: {"date": "2022-08-18", "place": "县委", "chair": "院长", "reports_since": "2021-07-01",
                     "units": [str(r["task"].owner_unit_id)], "minutes": "纪要"}, control_actor="lead_coordinator"),
    Write("speech_create", lambda r, m, u: reverse("assistance:speech_create", args=[m["meeting"].pk]),
          lambda r: {"cadre": str(r["cadre"].pk), "text": "新发言", "position": "3"}, control_actor="lead_coordinator"),
    Write("speech_delete", lambda r, m, u: reverse("assistance:speech_delete", args=[m["meeting"].pk,
                                                                                      r["speech"].pk]),
          control_actor="lead_coordinator"),
    Write("need_create", lambda r, m, u: reverse("assistance:need_create", args=[m["meeting"].pk]),
          lambda r: {"need": "新需求", "owner_unit": str(r["task"].owner_unit_id)}, control_actor="lead_coordinator"),
    Write("need_update", lambda r, m, u: reverse("assistance:need_update", args=[m["meeting"].pk, r["need"].pk]),
          lambda r: {"status": "done", "progress": "已落实"}),
    Write("unit_report_edit", lambda r, m, u: reverse("assistance:unit_report_edit", args=[m["meeting"].pk, u.pk]),
          lambda r: {"text": "汇报", "next_steps": "打算", "action": "save"}),
    Write("finding_create", lambda r, m, u: reverse("assistance:finding_create"),
          lambda r: {"source": "county", "found_on": "2024-01-01", "description": "新问题", "owner": "某",
                     "deadline": "2030-01-01", "owner_unit": str(r["task"].owner_unit_id)},
          control_actor="county_admin"),
    Write("finding_detail", lambda r, m, u: reverse("assistance:finding_detail", args=[r["finding"].pk]),
          lambda r: {"measures": "已整改"}),
    Write("finding_evidence", lambda r, m, u: reverse("assistance:finding_evidence", args=[r["finding"].pk]),
          lambda r: {"file": SimpleUploadedFile("p.png", PNG, "image/png")}),
    Write("finding_sign_off", lambda r, m, u: reverse("assistance:finding_sign_off", args=[r["finding"].pk]),
          control_actor="county_admin"),
    Write("finding_return", lambda r, m, u: reverse("assistance:finding_return", args=[r["finding"].pk]),
          lambda r: {"r-reason": "佐证材料不全"}, control_actor="county_admin"),
    # The county's configuration: refused to every unit's liaison, whatever unit is aimed at.
    Write("settings", lambda r, m, u: reverse("assistance:settings"),
          lambda r: {"form": "grades", "g-label_1": "好", "g-min_1": "90", "g-label_2": "差", "g-min_2": "0"},
          control_actor="county_admin"),
    Write("settings", lambda r, m, u: reverse("assistance:settings"),
          lambda r: {"form": "quota", "q-days_per_month": "18", "q-days_per_year": "180",
                     "q-township_approves_up_to": "2"}, control_actor="county_admin"),
    Write("settings", lambda r, m, u: reverse("assistance:settings"),
          lambda r: {"form": "roles", "r-roles": ["first_secretary", "work_team"]}, control_actor="county_admin"),
    Write("settings", lambda r, m, u: reverse("assistance:settings"),
          lambda r: {"form": "indicator", "i-key": "e_commerce", "i-label": "电商销售", "i-measure": "元",
                     "i-ledger_kind": "trade", "i-aggregate": "sum", "i-field": "amount"}, control_actor="county_admin"),
    Write("settings", lambda r, m, u: reverse("assistance:settings"),
          lambda r: {"form": "target", "t-unit": str(r["task"].owner_unit_id), "t-year": "2022",
                     "t-indicator": "funds_invested", "t-target": "100000"}, control_actor="lead_coordinator"),
]


@pytest.mark.parametrize("write", WRITES, ids=[f"{w.name}-{n}" for n, w in enumerate(WRITES)])
def test_liaison_cannot_change_another_units_records(client, records, court, cdu_liaison, write):
    from bangfu.assistance.models import Plan

    Plan.objects.create(county_id=court.county_id, name="规划", start_year=2021, end_year=2025)
    client.force_login(cdu_liaison)
    before = _state()
    response = client.post(write.url(records[court.pk], records, court), write.data(records[court.pk]))
    assert response.status_code in {403, 404}, (write.name, response.status_code)
    assert _state() == before


@pytest.mark.parametrize("write", WRITES, ids=[f"{w.name}-{n}" for n, w in enumerate(WRITES)])
def test_same_request_on_own_records_works(client, request, records, cdu, write):
    """The control: the refusal above is about the unit, not a broken request."""
    from bangfu.assistance.models import Plan

    Plan.objects.create(county_id=cdu.county_id, name="规划", start_year=2021, end_year=2025)
    if write.name in ("finding_sign_off", "finding_return"):
        s.evidence_attach(actor=request.getfixturevalue("cdu_liaison"), record=records[cdu.pk]["finding"],
                          name="p.png", content=PNG)
        s.finding_rectify(actor=request.getfixturevalue("cdu_liaison"), finding=records[cdu.pk]["finding"],
                          measures="已整改", done=True)
    client.force_login(request.getfixturevalue(write.control_actor))
    before = ChangeRecord.objects.count()
    response = client.post(write.url(records[cdu.pk], records, cdu), write.data(records[cdu.pk]))
    assert response.status_code == 302, (write.name, response.status_code,
                                         response.context and response.context.get("form") and
                                         response.context["form"].errors)
    assert ChangeRecord.objects.count() > before, f"{write.name} wrote nothing"


def test_every_assistance_write_url_is_in_the_table():
    posted = {w.name for w in WRITES}
    reads = {"home", "ledger_list", "ledger_export", "ledger_detail", "evidence_download", "plan", "evaluation",
             "briefing", "unit_report", "cadre_list", "meeting_list", "meeting_detail", "finding_list",
             "meeting_briefing", "meeting_minutes", "cadre_detail", "leave_list"}
    from bangfu.assistance.urls import urlpatterns
    from tests.assistance.test_setup_pages import SETUP_READS
    from tests.assistance.test_setup_pages import WRITES as SETUP_WRITES

    set_up = set(SETUP_WRITES) | SETUP_READS  # tests/assistance/test_setup_pages.py
    assert {p.name for p in urlpatterns} == posted | reads | set_up


# --- reading ------------------------------------------------------------------------------------------------------

def test_ledger_detail_and_evidence_only_for_readers(client, records, court, court_liaison, cdu_liaison,
                                                     lead_coordinator, county_admin):
    fund = records[court.pk]["fund"]
    evidence = s.evidence_attach(actor=court_liaison, record=fund, name="发票.png", content=PNG)
    detail = reverse("assistance:ledger_detail", args=["fund", fund.pk])
    download = reverse("assistance:evidence_download", args=[evidence.pk])
    client.force_login(cdu_liaison)
    assert client.get(detail).status_code == 404
    assert client.get(download).status_code == 404
    for reader in (court_liaison, lead_coordinator, county_admin):
        client.force_login(reader)
        assert client.get(detail).status_code == 200
        response = client.get(download)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
        assert response["X-Content-Type-Options"] == "nosniff"


def test_lists_show_only_readable_units(client, records, court, cdu, cdu_liaison, lead_coordinator):
    client.force_login(cdu_liaison)
    page = client.get(reverse("assistance:ledger_list", args=["fund"]))
    assert {row.obj.unit_id for row in page.context["table"].rows} == {cdu.pk}
    home = client.get(reverse("assistance:home"))
    assert [unit.pk for unit, _values in home.context["rows"]] == [cdu.pk]
    client.force_login(lead_coordinator)
    page = client.get(reverse("assistance:ledger_list", args=["fund"]))
    assert {row.obj.unit_id for row in page.context["table"].rows} == {cdu.pk, court.pk}


def test_a_cadre_cannot_see_any_of_it(client, records, tuanjie_cadre):
    client.force_login(tuanjie_cadre)
    for name in ("assistance:home", "assistance:plan", "assistance:briefing", "assistance:finding_list"):
        assert client.get(reverse(name)).status_code == 403, name


def test_evidence_type_and_size_are_checked(records, cdu, cdu_liaison, settings):
    from django.core.exceptions import ValidationError

    fund = records[cdu.pk]["fund"]
    with pytest.raises(ValidationError, match="不是 JPG、PNG 图片或 PDF"):
        s.evidence_attach(actor=cdu_liaison, record=fund, name="x.png", content=b"<html>not an image")
    settings.EVIDENCE_MAX_BYTES = 50
    with pytest.raises(ValidationError, match="超过"):
        s.evidence_attach(actor=cdu_liaison, record=fund, name="big.png", content=PNG)
    assert not EvidenceFile.objects.exists()


def test_the_county_picks_the_unit_before_recording(client, records, court, cdu, county_admin):
    client.force_login(county_admin)
    chooser = client.get(reverse("assistance:ledger_create", args=["donation"]))
    assert chooser.status_code == 200 and {u.pk for u in chooser.context["units"]} == {court.pk, cdu.pk}
    response = client.post(reverse("assistance:ledger_create", args=["donation"]) + f"?unit={court.pk}", {
        "date": "2022-05-01", "form": "money", "recipient": "县第三小学", "value": "5000"})
    assert response.status_code == 302
    from bangfu.assistance.models import Donation

    assert Donation.objects.get(recipient="县第三小学").unit == court
