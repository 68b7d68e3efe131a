"""Every upload has one size limit (BANGFU_UPLOAD_MAX_MB), checked while the body arrives: past it the request is
answered 413 with a Chinese page and nothing is stored; at the limit the upload goes through to its page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.ingest.models import ImportRun

MB = 2**20


@pytest.fixture
def one_mb(settings):
    settings.UPLOAD_MAX_BYTES = MB
    return MB


def _file(size, name="台账.xlsx"):
    return SimpleUploadedFile(name, b"x" * size)


@pytest.mark.parametrize(("url", "fields"), [
    ("ingest:import_start", {"year": 2024}),
    ("monitoring:feed_upload", {"kind": "medical", "period": "2025-05"}),
])
def test_an_upload_one_byte_past_the_limit_is_refused_with_413(client, county_admin, one_mb, url, fields):
    client.force_login(county_admin)
    response = client.post(reverse(url), {**fields, "file": _file(one_mb + 1)})
    assert response.status_code == 413
    page = response.content.decode()
    assert "文件太大" in page and "1 MB" in page and "BANGFU_UPLOAD_MAX_MB" in page
    assert not ImportRun.objects.exists()


def test_an_upload_at_the_limit_reaches_its_page(client, county_admin, one_mb, django_capture_on_commit_callbacks):
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitoring:feed_upload"),
                               {"kind": "medical", "period": "2025-05", "file": _file(one_mb, "医保.csv")})
    run = ImportRun.objects.get()
    assert response.status_code == 302  # kept, read in the background, answered on the run's page
    page = client.get(reverse("monitoring:feed_run", args=[run.pk])).content.decode()
    assert "CSV文件第1行格式有误" in page  # (this one is a single 1 MB cell)


def test_a_declared_body_past_the_limit_is_refused_before_it_is_read(client, county_admin, one_mb):
    client.force_login(county_admin)
    response = client.generic("POST", reverse("ingest:import_start"), b"x" * 10,
                              content_type="multipart/form-data; boundary=xyz",
                              CONTENT_LENGTH=str(3 * one_mb))
    assert response.status_code == 413
