"""list_page(): one flow for the household, user and audit lists. A filter changed on screen (htmx) refreshes
the results and, out of band, the export form, so the export takes the filter on screen and says which."""

import re

import pytest
from django.urls import reverse

from tests.conftest import SONGBAI, TUANJIE

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def admin_client(client, county_admin):
    client.force_login(county_admin)
    return client


@pytest.fixture
def households(make_household):
    return [make_household(TUANJIE, housing_safety="C"), make_household(TUANJIE), make_household(SONGBAI)]


def _hidden(content: str, block_id: str) -> dict[str, str]:
    block = re.search(rf'<div id="{block_id}"[^>]*>(.*?)</div>', content, re.S).group(1)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', block))


def test_page_load_export_carries_the_cleaned_filter(admin_client, households):
    content = admin_client.get(reverse("registry:household_list"), {"region": TUANJIE, "page": "1",
                                                                     "bogus": "x"}).content.decode()
    assert _hidden(content, "export-scope") == {"region": TUANJIE}
    assert "双河镇团结村村民委员会" in content and "下的 2 户" in content


def test_htmx_filter_refreshes_the_export_form_out_of_band(admin_client, households):
    response = admin_client.get(reverse("registry:household_list"), {"region": TUANJIE, "unsafe_housing": "on"},
                                headers=HTMX)
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="export-scope" hx-swap-oob="true"' in content
    assert _hidden(content, "export-scope") == {"region": TUANJIE, "unsafe_housing": "on"}
    assert "危房（C/D级）" in content and "下的 1 户" in content


def test_export_posts_what_the_screen_shows(admin_client, households, django_capture_on_commit_callbacks):
    from bangfu.jobs.models import Job

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("registry:household_export"), {"region": TUANJIE, "unsafe_housing": "on"})
    job = Job.objects.get()
    assert job.total == 1
    assert "危房（C/D级）" in job.title and "团结村" in job.title


def test_users_and_audit_lists_answer_htmx_with_their_table(admin_client, households):
    users = admin_client.get(reverse("accounts:user_list"), {"role": "county_admin"}, headers=HTMX).content.decode()
    assert "<html" not in users and "county_admin" in users
    audit = admin_client.get(reverse("web:audit_log"), {"action": "create"}, headers=HTMX).content.decode()
    assert "<html" not in audit and 'id="results"' not in audit and households[0].number in audit


def test_audit_log_names_the_household_and_the_export(admin_client, households, county_admin,
                                                      django_capture_on_commit_callbacks):
    from bangfu.registry.services import household_reveal_phone

    household_reveal_phone(actor=county_admin, household=households[0])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("registry:household_export"), {"region": SONGBAI})
    content = admin_client.get(reverse("web:audit_log"), {"view": "reveals"}).content.decode()
    assert f"{households[0].number} 测试户主" in content
    assert "农户档案 #" not in content and "任务 #" not in content
    assert "农户台账 · 双河镇松柏村村民委员会 · 脱敏" in content
