"""The import page follows its job by itself: while the preview runs the page's body polls (htmx, no inline script:
the CSP forbids them), each poll returns the body, and the body returned once the job has finished stops polling
and shows the report."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.ingest.models import ImportRun
from bangfu.jobs.models import Job
from bangfu.jobs.services import job_run
from tests.conftest import synthetic_id

HTMX = {"HX-Request": "true"}


def _upload():
    wb = openpyxl.Workbook()
    wb.active.append(["户编号", "村", "姓名", "与户主关系", "证件号码"])
    wb.active.append(["5132251032139001", "团结村", "张三", "户主", synthetic_id()])
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


def test_the_page_polls_while_the_preview_runs_and_stops_when_done(client, tuanjie_cadre):
    client.force_login(tuanjie_cadre)
    # The upload queues the preview; the worker has not picked it up yet (its on-commit callback not run).
    response = client.post(reverse("ingest:import_start"), {"file": _upload(), "year": 2024})
    run = ImportRun.objects.latest("pk")
    assert response.status_code == 302 and run.job.status == Job.Status.QUEUED
    url = reverse("ingest:import_detail", args=[run.pk])
    page = client.get(url).content.decode()
    assert f'hx-get="{url}"' in page and 'hx-trigger="every 2s"' in page
    assert page.count('hx-trigger="every') == 1  # the body polls, not also the job's own status line
    assert "<script>" not in page and "onload" not in page  # nothing inline: the CSP forbids it
    polled = client.get(url, headers=HTMX)
    body = polled.content.decode()
    assert body.startswith('<div id="import-body"') and "<html" not in body and 'hx-trigger="every 2s"' in body
    job_run(run.job.pk)  # the worker runs the preview
    body = client.get(url, headers=HTMX).content.decode()
    assert 'hx-trigger="every' not in body and "hx-get" not in body  # finished: polling stops
    assert "预览：将写入" in body and "确认导入" in body  # and the report is there, no reload needed
    assert 'id="import-body"' in body


def test_a_finished_run_does_not_poll(client, tuanjie_cadre, django_capture_on_commit_callbacks):
    client.force_login(tuanjie_cadre)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ingest:import_start"), {"file": _upload(), "year": 2024})
    run = ImportRun.objects.latest("pk")
    page = client.get(reverse("ingest:import_detail", args=[run.pk])).content.decode()
    assert "hx-trigger" not in page and "确认导入" in page
