"""Only roles with accounts.manage reach user management: every other role gets 403 on every accounts URL,
whatever the account it aims at, and sees no nav entry."""

import pytest
from django.urls import NoReverseMatch, URLPattern, get_resolver, reverse

from bangfu.accounts.models import User
from tests.accounts.conftest import PASSWORD
from tests.conftest import COUNTY, TUANJIE, make_user


def _account_url_names() -> list[str]:
    """Every URL of the accounts app, read from the resolver so a new one is covered without editing here."""
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) == "accounts":
            return sorted(f"accounts:{p.name}" for p in pattern.url_patterns if isinstance(p, URLPattern))
    raise AssertionError("the accounts URLs are not mounted")


def _reverse_any(name: str, target: User) -> str:
    """The URL, aimed at the target account when it takes one."""
    for args in ([], [target.pk], [target.pk, 1]):  # the last: an object of the account (a token)
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot reverse {name}")


def _post_data() -> dict:
    return {"username": "sneaky", "full_name": "越权", "role": "county_admin", "region": TUANJIE,
            "password": PASSWORD, "password_confirm": PASSWORD, "is_active": "on"}


@pytest.mark.parametrize("name", _account_url_names())
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_village_cadre_gets_403_everywhere(client, tuanjie_cadre, zhangzha_cadre, fingerprint, name, method):
    client.force_login(tuanjie_cadre)
    before = fingerprint()
    for target in (tuanjie_cadre, zhangzha_cadre):
        url = _reverse_any(name, target)
        response = client.post(url, _post_data()) if method == "post" else client.get(url)
        assert response.status_code == 403, f"{method.upper()} {url} answered {response.status_code}"
        assert "您的角色没有此项操作权限" in response.content.decode()
    assert fingerprint() == before


@pytest.mark.parametrize("role", ["township_reviewer", "leader", "auditor", "assistance_contact"])
def test_other_roles_without_the_capability_get_403(client, regions, county_admin, role):
    client.force_login(make_user(f"someone_{role}", role, COUNTY))
    for name in _account_url_names():
        assert client.get(_reverse_any(name, county_admin)).status_code == 403, name


def test_the_nav_entry_shows_only_with_the_capability(client, county_admin, tuanjie_cadre):
    client.force_login(tuanjie_cadre)
    assert reverse("accounts:user_list") not in client.get(reverse("web:home")).content.decode()
    client.force_login(county_admin)
    content = client.get(reverse("web:home")).content.decode()
    assert f'href="{reverse("accounts:user_list")}"' in content and "用户管理" in content


def test_anonymous_is_sent_to_login(client, county_admin):
    for name in _account_url_names():
        response = client.get(_reverse_any(name, county_admin))
        assert response.status_code == 302 and response["Location"].startswith(reverse("web:login")), name
