"""Reading what happened: a creation shows what was entered, a phone change shows once, a reveal replaces its
button, the create form has its own phone help, the job page follows the job's state, the home page names
places briefly (and a unit's villages with their township)."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from bangfu.assistance.models import LinkedVillage, Unit
from bangfu.audit.models import ChangeRecord
from bangfu.jobs.models import Job
from bangfu.registry.services import household_update
from tests.conftest import SONGBAI, TUANJIE, ZHANGZHA_VILLAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, county_admin):
    client.force_login(county_admin)
    return client


def test_creation_entry_lists_the_values_entered(admin_client, make_household):
    household = make_household(TUANJIE, group="2组", household_type="formerly_poor")
    content = admin_client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "22 项" not in content
    assert "<b>户类型</b>：脱贫户" in content and "<b>组</b>：2组" in content and "<b>户编号</b>：" in content
    assert "<b>联系电话</b>：100****5678" in content and "<b>联系电话</b>：指纹" not in content


def test_a_phone_change_shows_once(make_household, county_admin):
    household = make_household(TUANJIE)
    household_update(actor=county_admin, household=household, data={}, phone="10087654321")
    record = ChangeRecord.objects.filter(object_type="household", action="update").latest("id")
    rows = record.changes_for_display
    assert len(rows) == 1 and rows[0] == ("联系电话", "100****5678", "100****4321")


def test_reveal_replaces_the_masked_value_and_its_button(admin_client, make_household):
    household = make_household(TUANJIE)
    member = household.members.get()
    response = admin_client.post(reverse("registry:member_id_reveal", args=[member.pk]))
    content = response.content.decode()
    assert f'id="id-{member.pk}"' in content and "hx-post" not in content and "显示" not in content
    page = admin_client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert f'hx-target="#id-{member.pk}" hx-swap="outerHTML"' in page  # the button sits inside what is replaced


def test_create_form_has_its_own_phone_help(admin_client, make_household):
    create = admin_client.get(reverse("registry:household_create")).content.decode()
    assert "留空则不修改" not in create and "11位手机号" in create and "留空则自动编号" in create
    household = make_household(TUANJIE)
    edit = admin_client.get(reverse("registry:household_edit", args=[household.pk])).content.decode()
    assert "留空则不修改" in edit


@pytest.mark.parametrize(("status", "text", "not_text"), [
    ("failed", "任务未完成", "任务在后台运行"), ("done", "任务已完成", "任务在后台运行"),
    ("queued", "任务在后台运行", "任务已完成"),
])
def test_job_page_text_follows_the_state(admin_client, county_admin, status, text, not_text):
    job = Job.objects.create(kind="household_ledger", title="农户台账 · 测试", requested_by=county_admin,
                             status=status, message="任务失败：示例" if status == "failed" else "")
    content = admin_client.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert text in content and not_text not in content


def _chart(client) -> dict:
    content = client.get(reverse("web:home")).content.decode()
    start = content.index('<script id="chart-data" type="application/json">') + len(
        '<script id="chart-data" type="application/json">')
    return json.loads(json.loads(content[start:content.index("</script>", start)]))


def test_township_chart_uses_short_village_names(client, shuanghe_reviewer, make_household):
    make_household(TUANJIE)
    make_household(SONGBAI)
    client.force_login(shuanghe_reviewer)
    chart = _chart(client)
    assert chart["names"] == ["松柏村", "团结村"]
    assert chart["labels"]["households"] == "农户" and chart["labels"]["monitored"] == "监测对象"


def test_unit_villages_carry_their_township(client, regions, make_household):
    from bangfu.accounts.models import User

    make_household(TUANJIE)
    make_household(ZHANGZHA_VILLAGE)
    unit = Unit.objects.create(name="测试帮扶单位", county=regions["513225000000"])
    for code in (TUANJIE, ZHANGZHA_VILLAGE):
        LinkedVillage.objects.create(unit=unit, village=regions[code], since=dt.date(2024, 1, 1))
    liaison = User.objects.create_user(username="liaison", password="pw-for-tests-1", role="unit_liaison", unit=unit)
    client.force_login(liaison)
    assert _chart(client)["names"] == ["漳扎镇漳扎村", "双河镇团结村"]


def test_chinese_numbers_have_thousands_separators(admin_client, make_household, county_admin):
    from decimal import Decimal

    from bangfu.registry.services import income_record_save

    household = make_household(TUANJIE)
    income_record_save(actor=county_admin, household=household, year=2025,
                       data={"members_counted": 1, "wage_income": Decimal("20007")})
    content = admin_client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "20,007.00" in content


def test_village_picker_is_grouped_by_township_and_searchable(admin_client):
    content = admin_client.get(reverse("registry:household_create")).content.decode()
    assert '<optgroup label="双河镇">' in content and '<optgroup label="漳扎镇">' in content
    assert '>团结村</option>' in content and "村民委员会</option>" not in content
    assert 'data-searchable="true"' in content and "bangfu/forms.js" in content
