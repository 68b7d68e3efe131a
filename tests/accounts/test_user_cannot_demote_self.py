"""Nobody changes their own role or binding, or deactivates themselves: a county cannot lose its administrator
by a slip. Another manager can; one's own name can still be corrected."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bangfu.accounts.forms import UserEditForm
from bangfu.accounts.selectors import regions_assignable_by, roles_assignable_by, units_assignable_by
from bangfu.accounts.services import user_update
from tests.conftest import SHUANGHE, make_user
from tests.support import form_data


def _errors(caught) -> dict[str, str]:
    return {field: messages[0] for field, messages in caught.value.message_dict.items()}


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"role": "village_cadre"}, "role", "不能更改自己的角色，请由另一位管理员操作"),
    ({"role": "leader"}, "role", "不能更改自己的角色，请由另一位管理员操作"),
    ({"region_code": SHUANGHE}, "region", "不能更改自己的所属区划或单位，请由另一位管理员操作"),
    ({"is_active": False}, "is_active", "不能停用自己的账号"),
], ids=["demote-to-cadre", "demote-to-leader", "move-down", "deactivate"])
def test_self_demotion_is_refused(county_admin, fingerprint, kwargs, field, message):
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        user_update(actor=county_admin, user=county_admin, **kwargs)
    assert _errors(caught)[field] == message
    assert fingerprint() == before
    county_admin.refresh_from_db()
    assert (county_admin.role, county_admin.is_active) == ("county_admin", True)


def test_own_name_can_be_corrected(county_admin):
    user_update(actor=county_admin, user=county_admin, full_name="县监测办 张三", is_active=True)
    county_admin.refresh_from_db()
    assert county_admin.full_name == "县监测办 张三"


def test_another_manager_can_demote(county_admin, regions):
    second = make_user("second_admin", "county_admin", county_admin.region_id)
    user_update(actor=second, user=county_admin, role="leader", is_active=False)
    county_admin.refresh_from_db()
    assert (county_admin.role, county_admin.is_active) == ("leader", False)


def test_the_edit_page_locks_own_role_place_and_status(admin_client, county_admin, fingerprint):
    url = reverse("accounts:user_edit", args=[county_admin.pk])
    form = admin_client.get(url).context["form"]
    assert all(form.fields[name].disabled for name in ("role", "region", "unit", "is_active"))
    assert "不能修改自己的角色" in admin_client.get(url).content.decode()
    shown = UserEditForm(user=county_admin, actor=county_admin, regions=regions_assignable_by(county_admin),
                         units=units_assignable_by(county_admin), roles=roles_assignable_by(county_admin))
    response = admin_client.post(url, form_data(shown, full_name="改了名", role="village_cadre", region=SHUANGHE,
                                                is_active=None))
    assert response.status_code == 302
    county_admin.refresh_from_db()
    assert (county_admin.full_name, county_admin.role, county_admin.region_id, county_admin.is_active) == (
        "改了名", "county_admin", "513225000000", True)
