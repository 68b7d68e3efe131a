"""Where personal data travels, nothing keeps a copy: `Cache-Control: no-store` on pages, fragments, reveals, API
answers and downloads; a Content-Security-Policy that runs only our own script files; the API map needs a login."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from bangfu.registry.exports import household_ledger_export_start
from bangfu.registry.selectors import HouseholdFilter
from tests.conftest import TUANJIE

SRC = Path(__file__).resolve().parents[2] / "src" / "bangfu"


def _assert_private(response):
    assert response["Cache-Control"] == "no-store"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_pages_reveals_api_and_downloads_are_not_stored(client, county_admin, make_household,
                                                         django_capture_on_commit_callbacks):
    household = make_household(TUANJIE)
    member = household.members.get()
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        job = household_ledger_export_start(actor=county_admin, flt=HouseholdFilter())
    for url in (reverse("web:home"), reverse("registry:household_list"),
                reverse("registry:household_detail", args=[household.pk]),
                reverse("api:household_list"), reverse("api:household_detail", args=[household.pk]),
                reverse("jobs:job_detail", args=[job.pk])):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_private(response)
    for url in (reverse("registry:household_phone_reveal", args=[household.pk]),
                reverse("registry:member_id_reveal", args=[member.pk])):
        response = client.post(url)
        assert response.status_code == 200, url
        _assert_private(response)
    download = client.get(reverse("jobs:job_download", args=[job.pk]))
    assert download.status_code == 200
    _assert_private(download)


def test_the_login_page_and_errors_are_not_stored_either(client):
    _assert_private(client.get(reverse("web:login")))
    _assert_private(client.get("/no-such-page/"))


def test_static_files_stay_cacheable(client):
    response = client.get("/static/bangfu/bangfu.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for path in SRC.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attributes = match[1]
            if "src=" not in attributes and "application/json" not in attributes:
                offenders.append(f"{path.name}: {match[0]}")
        offenders += [f"{path.name}: {m[0]}" for m in re.finditer(r"\son[a-z]+\s*=", text)]
        offenders += [f"{path.name}: {m[0]}" for m in re.finditer(r"\sstyle\s*=|<style\b", text)]
    assert offenders == []


@pytest.mark.parametrize("url", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_the_api_schema_and_docs_need_a_login(client, county_admin, url):
    response = client.get(url)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]
    client.force_login(county_admin)
    response = client.get(url)
    assert response.status_code == 200
    _assert_private(response)
