"""An import's preview is no way around the duplicate-check limit (the oracle protection): every ID number it finds
registered outside the uploader's jurisdiction counts toward the hourly limit the forms keep, a preview past the
limit says nothing about any of its rows, and a locked check refuses a preview before anything is looked up."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.accounts.models import Throttle
from bangfu.audit.models import SecurityEvent
from bangfu.core.id_number import make_id_number
from bangfu.ingest.models import ImportRun
from bangfu.registry.services import duplicate_check_locked, member_add
from tests.conftest import TUANJIE, ZHANGZHA_VILLAGE, synthetic_id


@pytest.fixture
def elsewhere(make_household, county_admin):
    """Six people registered in 漳扎 (outside the 团结村 cadre's reach)."""
    household = make_household(ZHANGZHA_VILLAGE)
    numbers = [make_id_number("513225", dt.date(1986, 3, 9), 600 + i) for i in range(6)]
    for i, number in enumerate(numbers):
        member_add(actor=county_admin, household=household, data={"name": "远方" + "甲乙丙丁戊己"[i], "relation": "other"},
                   id_number=number)
    return numbers


def _upload(numbers):
    wb = openpyxl.Workbook()
    wb.active.append(["户编号", "村", "姓名", "与户主关系", "证件号码"])
    for i, number in enumerate(numbers):
        wb.active.append([f"51322510321390{i:02d}", "团结村", "试探" + "甲乙丙丁戊己庚辛"[i], "户主", number])
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


def _preview(client, django_capture_on_commit_callbacks, numbers):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ingest:import_start"), {"file": _upload(numbers), "year": 2024})
    assert response.status_code == 302
    run = ImportRun.objects.latest("pk")
    run.refresh_from_db()
    return run


def test_hits_in_a_preview_count_toward_the_hourly_limit(client, tuanjie_cadre, elsewhere, settings,
                                                         django_capture_on_commit_callbacks):
    settings.DUPLICATE_CHECK_LIMIT = 3
    client.force_login(tuanjie_cadre)
    run = _preview(client, django_capture_on_commit_callbacks, elsewhere[:2])
    assert run.status == "previewed"
    assert [e["rule"] for e in run.report["errors"]].count("id_number_registered") == 2
    assert Throttle.objects.get(key=f"dupcheck:{tuanjie_cadre.pk}").count == 2  # counted like two form checks
    assert not duplicate_check_locked(tuanjie_cadre)
    # Two more hits pass the limit of three: the whole preview is refused and names none of the rows.
    run = _preview(client, django_capture_on_commit_callbacks, elsewhere[2:4])
    assert run.status != "previewed" and run.report == {}
    assert run.job.status == "failed" and "查重已暂时锁定" in run.job.message
    assert duplicate_check_locked(tuanjie_cadre)
    kinds = list(SecurityEvent.objects.filter(actor=tuanjie_cadre).values_list("kind", flat=True))
    assert "duplicate_check_locked" in kinds


def test_a_locked_check_refuses_a_preview_even_of_new_numbers(client, tuanjie_cadre, elsewhere, settings,
                                                              make_household, django_capture_on_commit_callbacks):
    settings.DUPLICATE_CHECK_LIMIT = 1
    with pytest.raises(ValidationError):  # one hit on the household form: the check locks at the limit of one
        member_add(actor=tuanjie_cadre, household=make_household(TUANJIE), data={"name": "试探", "relation": "other"},
                   id_number=elsewhere[0])
    assert duplicate_check_locked(tuanjie_cadre)
    client.force_login(tuanjie_cadre)
    run = _preview(client, django_capture_on_commit_callbacks, [synthetic_id()])
    assert run.report == {} and "查重已暂时锁定" in run.job.message  # nothing looked up while locked


def test_the_command_line_counts_too(tuanjie_cadre, elsewhere, settings, tmp_path):
    from bangfu.ingest.households import households_import_plan

    settings.DUPLICATE_CHECK_LIMIT = 2
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(_upload(elsewhere[:3]).read())
    with pytest.raises(ValidationError, match="查重已暂时锁定"):
        households_import_plan(actor=tuanjie_cadre, source=path)


def test_control_hits_within_the_limit_commit_without_counting_again(client, tuanjie_cadre, elsewhere, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.DUPLICATE_CHECK_LIMIT = 2
    client.force_login(tuanjie_cadre)
    run = _preview(client, django_capture_on_commit_callbacks, [elsewhere[0], synthetic_id()])
    assert run.status == "previewed"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ingest:import_commit", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "committed" and run.report["committed"]["households_created"] == 1
    assert Throttle.objects.get(key=f"dupcheck:{tuanjie_cadre.pk}").count == 1
