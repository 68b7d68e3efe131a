"""Every release of named data is logged: an export, a document or an API answer carrying names with health,
disability, income or case details is on 敏感信息查看与导出 with who, when, which list, which filter and how many
rows. Each list declares it once (ListExport.named, or a personal column), and a list with a name column that does
not declare it fails here."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from bangfu.audit.models import RevealRecord
from bangfu.cases.models import AssistanceContact
from bangfu.monitoring.models import RiskWarning
from bangfu.web.exports import LIST_EXPORTS, list_export_get
from tests.conftest import TUANJIE
from tests.web import test_list_exports as list_exports

_export = list_exports._export
world = list_exports.world  # the fixture: two households in 团结村 and one in 漳扎村, with warnings and cases

pytestmark = pytest.mark.django_db

NAME_COLUMNS = {"户主", "姓名", "申报人", "户主姓名"}
LOGGED = {"warnings", "cases", "leads", "monitored", "audit-changes", "relocation-households", "care-members"}
STAFF = {"cadres", "users"}  # names of officials at work, no one's health, income or case
FIGURES = {"statistics"}  # no names: counts, logged all the same as a release of figures (reports/listexports.py)


def test_every_list_with_a_name_column_is_a_logged_release():
    list_export_get("warnings")  # discovers them all
    named = {key for key, export in LIST_EXPORTS.items()
             if NAME_COLUMNS & {str(column.title) for column in export.columns}}
    logged = {key for key, export in LIST_EXPORTS.items() if export.logged}
    assert named - STAFF <= logged
    assert logged == LOGGED | FIGURES
    assert {key for key, export in LIST_EXPORTS.items() if export.release == "export_figures"} == FIGURES


@pytest.mark.parametrize(("key", "title", "data", "filters"), [
    ("warnings", "预警清单", {"region": TUANJIE}, "筛选条件：地区=双河镇团结村；状态=待核实"),
    ("cases", "识别与帮扶案件", {}, "筛选条件：环节=未办结"),
])
def test_an_export_of_named_data_is_logged_with_its_list_filter_and_rows(client, tuanjie_cadre, world, key, title,
                                                                        data, filters,
                                                                        django_capture_on_commit_callbacks):
    client.force_login(tuanjie_cadre)
    rows, _sheet = _export(client, key, data, django_capture_on_commit_callbacks)
    written = len(rows) - 4  # title, filters, who and when, the headings
    record = RevealRecord.objects.get()
    assert (record.actor, record.field, record.what, record.rows) == (tuanjie_cadre, "export_named", title, written)
    assert written > 0 and record.filters == filters
    assert record.region_code == TUANJIE
    page = client.get(reverse("web:audit_log"), {"view": "reveals"})
    assert page.status_code == 403  # a village cadre does not read the audit log; the county does:


def test_the_audit_page_shows_the_release(client, tuanjie_cadre, county_admin, world,
                                          django_capture_on_commit_callbacks):
    client.force_login(tuanjie_cadre)
    _export(client, "warnings", {}, django_capture_on_commit_callbacks)
    client.force_login(county_admin)
    page = client.get(reverse("web:audit_log"), {"view": "reveals"}).content.decode()
    assert "导出名单（含姓名及健康、残疾、收入或案件信息）" in page and "预警清单" in page
    count = RiskWarning.objects.filter(village_id=TUANJIE, state="open").count()
    assert f'data-label="行数">{count}<' in page


def test_a_list_of_no_named_data_is_not_logged(client, tuanjie_cadre, world, django_capture_on_commit_callbacks):
    client.force_login(tuanjie_cadre)
    _export(client, "rules", {}, django_capture_on_commit_callbacks)  # the control
    assert not RevealRecord.objects.exists()


def test_the_card_docx_is_a_logged_document_and_its_print_page_is_not(client, county_admin, make_household):
    household = make_household(head_name="明白户")
    AssistanceContact.objects.create(household=household, name="王五", since="2026-01-05")
    client.force_login(county_admin)
    assert client.get(f"/cases/households/{household.pk}/card/").status_code == 200
    assert not RevealRecord.objects.exists()
    assert client.get(f"/cases/households/{household.pk}/card/", {"format": "docx"}).status_code == 200
    record = RevealRecord.objects.get()
    assert (record.field, record.household_id, record.region_code, record.rows) == (
        "document", household.pk, TUANJIE, 1)


def test_the_api_answers_with_names_are_logged(client, county_admin, make_household):
    household = make_household(head_name="接口户")
    client.force_login(county_admin)
    assert client.get("/api/v1/households/", {"region": TUANJIE}).status_code == 200
    listed = RevealRecord.objects.get()
    assert (listed.field, listed.rows) == ("api", 1) and listed.filters == "region=双河镇团结村；offset=0；limit=50"
    assert client.get(f"/api/v1/households/{household.pk}").status_code == 200
    detail = RevealRecord.objects.latest("pk")
    assert (detail.field, detail.household_id, detail.rows) == ("api", household.pk, 1)


def test_the_command_line_warnings_export_is_logged(world, tmp_path):
    from bangfu import cli

    try:
        call_command(cli.ALIASES.get("export", "export"), "warnings", "--out", str(tmp_path / "w.xlsx"),
                     "--region", TUANJIE)
    except SystemExit as exit:
        assert not exit.code
    record = RevealRecord.objects.get()
    assert (record.actor.username, record.field, record.what) == ("bangfu-cli", "export_named", "预警清单")
    assert record.rows == RiskWarning.objects.filter(village_id=TUANJIE, state="open").count()
