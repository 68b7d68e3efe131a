"""The import pages: upload, preview in the background, map unknown columns (remembered), commit; a run is its
uploader's alone, and a file cannot write outside the uploader's villages."""

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.audit.models import ChangeRecord
from bangfu.ingest.models import ImportMapping, ImportRun
from bangfu.registry.models import Household, Member
from tests.conftest import synthetic_id


def _upload(rows, name="台账.xlsx"):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    import io

    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _start(client, django_capture_on_commit_callbacks, upload, year=2024):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ingest:import_start"), {"file": upload, "year": year})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportRun.objects.latest("pk")


def test_upload_preview_commit_in_own_village(client, tuanjie_cadre, django_capture_on_commit_callbacks):
    client.force_login(tuanjie_cadre)
    assert client.get(reverse("ingest:import_start")).status_code == 200
    rows = [["团结村2024年农户台账"], ["户编号", "村", "姓名", "与户主关系", "证件号码", "务工收入", "人均纯收入"],
            ["5132251032139001", "团结村", "张三", "户主", synthetic_id(), 5000, "5,000元"],
            ["5132251012009002", "漳扎村", "李四", "户主", synthetic_id(), None, 8000]]
    run = _start(client, django_capture_on_commit_callbacks, _upload(rows))
    run.refresh_from_db()
    assert run.status == "previewed" and Household.objects.count() == 0  # the preview wrote nothing
    page = client.get(reverse("ingest:import_detail", args=[run.pk])).content.decode()
    assert "漳扎村" in page and "不在您的管辖范围内" in page  # the other township's row is an error, by row
    assert "务工收入" in page  # an unknown column, offered for mapping
    assert run.report["errors"] == [{"sheet": "Sheet", "row": 4, "column": "村", "rule": "village_out_of_scope",
                                     "message": "漳扎村村民委员会不在您的管辖范围内"}]
    key = run.report["unknown"][0]["header_key"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ingest:import_map", args=[run.pk]), {f"map-{key}": "wage_income"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.report["unknown"] == [] and ImportMapping.objects.get().mapping == {key: "wage_income"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ingest:import_commit", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "committed" and run.report["committed"]["households_created"] == 1
    from pathlib import Path

    assert not Path(run.file_path).exists()  # the upload (full ID numbers) is not kept after the import
    household = Household.objects.get()
    assert household.number == "5132251032139001" and household.village_id == "513225103213"
    income = household.income_records.get()
    assert (income.year, income.given, income.wage_income) == (2024, "components", 5000)
    assert ChangeRecord.objects.filter(actor=tuanjie_cadre, object_type="member").count() == 1
    # a second file of the same shape is read with the remembered mapping
    again = _start(client, django_capture_on_commit_callbacks, _upload(rows, name="again.xlsx"))
    again.refresh_from_db()
    assert again.report["unknown"] == [] and again.mapping == {key: "wage_income"}
    assert again.report["counts"]["households_unchanged"] == 1 and again.report["households"] == 0
    # committing twice is refused
    response = client.post(reverse("ingest:import_commit", args=[run.pk]))
    assert response.status_code == 400 and Member.objects.count() == 1


def test_another_users_import_is_not_found(client, tuanjie_cadre, zhangzha_cadre, django_capture_on_commit_callbacks):
    client.force_login(tuanjie_cadre)
    run = _start(client, django_capture_on_commit_callbacks,
                 _upload([["户编号", "村", "姓名", "证件号码"], ["5132251032130001", "团结村", "张三", synthetic_id()]]))
    client.force_login(zhangzha_cadre)
    for name in ("ingest:import_detail", "ingest:import_map", "ingest:import_commit"):
        response = client.get(reverse(name, args=[run.pk])) if name == "ingest:import_detail" else \
            client.post(reverse(name, args=[run.pk]))
        assert response.status_code == 404, name
    assert Household.objects.count() == 0
    client.force_login(tuanjie_cadre)  # the control: its owner reaches it
    assert client.get(reverse("ingest:import_detail", args=[run.pk])).status_code == 200


def test_roles_that_cannot_edit_cannot_import(client, leader):
    client.force_login(leader)
    assert client.get(reverse("ingest:import_start")).status_code == 403


def test_wrong_file_type_is_refused_on_the_form(client, tuanjie_cadre):
    client.force_login(tuanjie_cadre)
    response = client.post(reverse("ingest:import_start"), {"file": SimpleUploadedFile("a.docx", b"x")})
    assert response.status_code == 200 and "不支持的文件类型" in response.content.decode()
    assert ImportRun.objects.count() == 0


def test_template_reads_back_as_a_ledger(client, tuanjie_cadre, leader, tmp_path):
    from bangfu.ingest.households import HOUSEHOLDS
    from bangfu.ingest.reader import read_workbook

    client.force_login(leader)
    assert client.get(reverse("ingest:import_template", args=["households"])).status_code == 403
    client.force_login(tuanjie_cadre)
    response = client.get(reverse("ingest:import_template", args=["households"]))
    assert response.status_code == 200
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    (sheet, *_rest) = read_workbook(path, kind=HOUSEHOLDS).sheets
    assert {c.key for c in sheet.columns} == {f.key for f in HOUSEHOLDS.fields}  # every column is understood
    assert sheet.rows == []
