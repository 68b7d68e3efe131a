"""Rule 1 for accounts: a manager sees and changes only the accounts bound inside its jurisdiction.

The county administrator of 九寨沟 never sees a 松潘 account (nor a 松潘 unit's, nor a superuser's): the list
leaves them out whatever the search, their edit and password pages answer 404 to GET and POST and change
nothing, and the create form offers no 松潘 place. Each refusal has a control aimed at a 九寨沟 account.
"""

import pytest
from django.urls import reverse

from bangfu.accounts.forms import PasswordSetForm, UserCreateForm, UserEditForm
from bangfu.accounts.models import User
from bangfu.accounts.selectors import regions_assignable_by, roles_assignable_by, units_assignable_by
from tests.accounts.conftest import JINAN, JINAN_COMMUNITY, PASSWORD, SONGPAN
from tests.conftest import COUNTY, SHUANGHE, SONGBAI, TUANJIE, ZHANGZHA_VILLAGE
from tests.support import form_data

pytestmark = pytest.mark.django_db


def _choices(actor) -> dict:
    return {"regions": regions_assignable_by(actor), "units": units_assignable_by(actor),
            "roles": roles_assignable_by(actor)}


def _edit_post(actor, target) -> dict:
    return form_data(UserEditForm(user=target, actor=actor, **_choices(actor)), full_name="被改名")


def _password_post(actor, target) -> dict:
    return form_data(PasswordSetForm(), password=PASSWORD, password_confirm=PASSWORD)


OBJECT_URLS = {"accounts:user_edit": _edit_post, "accounts:user_password": _password_post}


@pytest.fixture
def outsiders(songpan_cadre, songpan_admin, songpan_liaison, county_admin):
    root = User.objects.create_superuser(username="root", password="pw-for-tests-1", region_id=COUNTY)
    return [songpan_cadre, songpan_admin, songpan_liaison, root]


SONGPAN_MARKERS = ("songpan_cadre", "songpan_admin", "songpan_liaison", "松潘", "进安镇", "root")


def _assert_no_songpan(response, *, typed: tuple[str, ...] = ()):
    """No 松潘 account or place on the page (except what the user typed into the search box)."""
    content = response.content.decode()
    leaked = [m for m in SONGPAN_MARKERS if m in content and not any(m in t for t in typed)]
    assert not leaked, f"{response.request['PATH_INFO']} shows: {leaked}"


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_county_accounts_are_404(admin_client, county_admin, outsiders, fingerprint, name, method):
    before = fingerprint()
    for target in outsiders:
        url = reverse(name, args=[target.pk])
        post = OBJECT_URLS[name](county_admin, target) if method == "post" else None
        response = admin_client.post(url, post) if method == "post" else admin_client.get(url)
        assert response.status_code == 404, f"{method.upper()} {url} ({target}) answered {response.status_code}"
        _assert_no_songpan(response)
    assert fingerprint() == before


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_same_request_on_own_county_account_works(admin_client, county_admin, tuanjie_cadre, unit_liaison,
                                                  fingerprint, name, method):
    """The control: the 404 above is about jurisdiction, not a broken request."""
    for target in (tuanjie_cadre, unit_liaison):
        before = fingerprint()
        url = reverse(name, args=[target.pk])
        if method == "get":
            assert admin_client.get(url).status_code == 200
            continue
        response = admin_client.post(url, OBJECT_URLS[name](county_admin, target))
        form = (response.context or {}).get("form")
        assert response.status_code == 302, form.errors if form else response.status_code
        assert fingerprint() != before


@pytest.mark.parametrize("params", [
    {}, {"q": "songpan"}, {"q": "songpan_cadre"}, {"role": "unit_liaison"}, {"role": "county_admin"},
    {"status": "active"}, {"q": "root"},
], ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()) or "no-filter")
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_list_never_shows_other_county(admin_client, outsiders, unit_liaison, tuanjie_cadre, params, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = admin_client.get(reverse("accounts:user_list"), params, headers=headers)
    assert response.status_code == 200
    shown = {u.pk for u in response.context["page"].object_list}
    assert not shown & {u.pk for u in outsiders}
    _assert_no_songpan(response, typed=tuple(params.values()))


def test_same_list_shows_them_to_songpan(client, outsiders, songpan_admin):
    """The control: the list shows 松潘 accounts to 松潘's administrator."""
    client.force_login(songpan_admin)
    response = client.get(reverse("accounts:user_list"))
    assert {u.username for u in response.context["page"].object_list} == {
        "songpan_cadre", "songpan_admin", "songpan_liaison"}


def test_create_form_offers_only_own_county(admin_client, songpan_unit, unit):
    response = admin_client.get(reverse("accounts:user_create"))
    form = response.context["form"]
    regions = set(form.fields["region"].queryset.values_list("code", flat=True))
    assert COUNTY in regions and TUANJIE in regions and SHUANGHE in regions
    assert all(code.startswith("513225") for code in regions)
    assert set(form.fields["unit"].queryset) == {unit}
    _assert_no_songpan(response)


def _create_post(**overrides) -> dict:
    form = UserCreateForm(regions=None, units=None, roles=[])
    return form_data(form, **{"username": "newbie", "full_name": "新人", "role": "village_cadre",
                              "password": PASSWORD, "password_confirm": PASSWORD, **overrides})


@pytest.mark.parametrize("overrides", [
    {"region": SONGPAN}, {"region": JINAN}, {"region": JINAN_COMMUNITY},
    {"role": "unit_liaison", "unit": "松潘帮扶单位"},
], ids=["county", "township", "village", "unit"])
def test_cannot_create_in_other_county(admin_client, songpan_unit, fingerprint, overrides):
    if "unit" in overrides:
        overrides = {**overrides, "unit": str(songpan_unit.pk)}
    before = fingerprint()
    response = admin_client.post(reverse("accounts:user_create"), _create_post(**overrides))
    assert response.status_code == 200
    field = "unit" if "unit" in overrides else "region"
    assert field in response.context["form"].errors
    assert fingerprint() == before


def test_create_in_own_county_works(admin_client, unit):
    response = admin_client.post(reverse("accounts:user_create"), _create_post(region=TUANJIE))
    assert response.status_code == 302
    assert User.objects.get(username="newbie").region_id == TUANJIE
    response = admin_client.post(reverse("accounts:user_create"),
                                 _create_post(username="unit2", role="unit_liaison", unit=str(unit.pk)))
    assert response.status_code == 302
    assert User.objects.get(username="unit2").unit == unit


def test_cannot_move_own_county_account_into_other_county(admin_client, county_admin, tuanjie_cadre, songpan,
                                                          fingerprint):
    before = fingerprint()
    data = form_data(UserEditForm(user=tuanjie_cadre, actor=county_admin, **_choices(county_admin)),
                     region=JINAN_COMMUNITY)
    response = admin_client.post(reverse("accounts:user_edit", args=[tuanjie_cadre.pk]), data)
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert fingerprint() == before


# --- a township-bound manager ----------------------------------------------------------------------------


def test_township_manager_sees_and_offers_only_its_township(client, township_manager, tuanjie_cadre,
                                                            zhangzha_cadre, county_admin, unit_liaison, fingerprint):
    client.force_login(township_manager)
    listed = {u.username for u in client.get(reverse("accounts:user_list")).context["page"].object_list}
    assert listed == {"shuanghe_reviewer", "tuanjie_cadre"}
    form = client.get(reverse("accounts:user_create")).context["form"]
    assert set(form.fields["region"].queryset.values_list("code", flat=True)) >= {SHUANGHE, TUANJIE, SONGBAI}
    assert all(code.startswith("513225103") for code in form.fields["region"].queryset.values_list("code", flat=True))
    assert not form.fields["unit"].queryset.exists()
    assert "county_admin" not in dict(form.fields["role"].choices)
    before = fingerprint()
    for target in (zhangzha_cadre, county_admin, unit_liaison):
        for name in OBJECT_URLS:
            assert client.get(reverse(name, args=[target.pk])).status_code == 404
            assert client.post(reverse(name, args=[target.pk]), _password_post(None, target)).status_code == 404
    response = client.post(reverse("accounts:user_create"), _create_post(region=ZHANGZHA_VILLAGE))
    assert "region" in response.context["form"].errors
    assert fingerprint() == before
