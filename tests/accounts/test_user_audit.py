"""Every account change is in the change history, who and when, before and after, and filed under the place the
account is bound to, so the county's change log shows it; a password or its hash never is."""

import json

from django.urls import reverse

from bangfu.accounts.services import user_create, user_set_password, user_update
from bangfu.audit.models import ChangeRecord
from tests.accounts.conftest import PASSWORD
from tests.conftest import COUNTY, SHUANGHE, TUANJIE


def _records(user) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(object_type="user", object_id=str(user.pk)).order_by("id"))


def _assert_no_secret(record: ChangeRecord, user) -> None:
    text = json.dumps([record.before, record.after, record.reason], ensure_ascii=False)
    assert user.password not in text and PASSWORD not in text
    assert "pbkdf2" not in text and "md5$" not in text
    for side in (record.before or {}, record.after or {}):
        assert side.get("password") in (None, "（原密码）", "（已由管理员重置）")


def test_create_update_and_reset_are_recorded_without_the_password(county_admin, unit):
    user = user_create(actor=county_admin, username="cdu3", password=PASSWORD, role="unit_liaison",
                       full_name="联络员", unit_name="成都大学")
    user_update(actor=county_admin, user=user, role="village_cadre", region_code=TUANJIE, full_name="村干部")
    user_set_password(actor=county_admin, user=user, password=PASSWORD + "x")
    user.refresh_from_db()
    created, updated, reset = _records(user)
    assert all(r.actor_id == county_admin.pk for r in (created, updated, reset))
    assert (created.action, updated.action, reset.action) == ("create", "update", "update")
    assert created.before is None and created.after["unit"] == unit.pk and created.after["role"] == "unit_liaison"
    assert created.region_code == COUNTY  # a unit account is filed under the unit's county
    assert {(name, old, new) for name, old, new in updated.changed_fields} == {
        ("role", "unit_liaison", "village_cadre"), ("region", None, TUANJIE), ("unit", unit.pk, None),
        ("full_name", "联络员", "村干部")}
    assert updated.region_code == TUANJIE
    assert reset.reason == "管理员重置密码" and reset.changed_fields == [
        ("password", "（原密码）", "（已由管理员重置）")]
    for record in (created, updated, reset):
        _assert_no_secret(record, user)


def test_an_update_that_changes_nothing_writes_nothing(county_admin, tuanjie_cadre):
    before = ChangeRecord.objects.count()
    user_update(actor=county_admin, user=tuanjie_cadre, full_name=tuanjie_cadre.full_name, region_code=TUANJIE)
    assert ChangeRecord.objects.count() == before


def test_deactivation_shows_in_the_county_change_log(admin_client, county_admin, shuanghe_reviewer):
    user_update(actor=county_admin, user=shuanghe_reviewer, is_active=False)
    record = _records(shuanghe_reviewer)[-1]
    assert record.changed_fields == [("is_active", True, False)] and record.region_code == SHUANGHE
    content = admin_client.get(reverse("web:audit_log")).content.decode()
    assert "shuanghe_reviewer" in content and "<b>有效</b>：是 → 否" in content
    page = admin_client.get(reverse("accounts:user_edit", args=[shuanghe_reviewer.pk])).content.decode()
    assert "<b>有效</b>：是 → 否" in page
