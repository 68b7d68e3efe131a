"""An administrator resets a password (user_set_password): Django's validators, said in Chinese; only inside the
jurisdiction and never for a stronger role; the login lock is lifted; a refusal writes nothing."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from bangfu.accounts.services import user_set_password
from tests.accounts.conftest import PASSWORD
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_new_password_works_and_the_old_one_does_not(county_admin, tuanjie_cadre):
    user_set_password(actor=county_admin, user=tuanjie_cadre, password=PASSWORD)
    tuanjie_cadre.refresh_from_db()
    assert tuanjie_cadre.check_password(PASSWORD) and not tuanjie_cadre.check_password("pw-for-tests-1")


@pytest.mark.parametrize(("password", "message"), [
    ("short", "密码不符合要求：至少需要8个字符"),
    ("", "密码不符合要求：至少需要8个字符"),
])
def test_a_weak_password_is_refused_in_chinese(county_admin, tuanjie_cadre, fingerprint, password, message):
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        user_set_password(actor=county_admin, user=tuanjie_cadre, password=password)
    assert caught.value.message_dict == {"password": [message]}
    assert fingerprint() == before


@override_settings(AUTH_PASSWORD_VALIDATORS=[
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
])
def test_every_validator_a_county_may_switch_on_speaks_chinese(county_admin, tuanjie_cadre):
    for password, rule in (("tuanjie_cadre", "与用户名太相似"), ("password", "过于常见，容易被猜中"),
                           ("83920571", "不能全是数字")):
        with pytest.raises(ValidationError) as caught:
            user_set_password(actor=county_admin, user=tuanjie_cadre, password=password)
        assert rule in caught.value.message_dict["password"][0], password


def test_the_english_interface_gets_the_whole_rule_in_english(county_admin, tuanjie_cadre):
    """Once in Chinese whatever the language (the English catalogue had no words for it); now translated whole,
    never half one language and half the other."""
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        user_set_password(actor=county_admin, user=tuanjie_cadre, password="short")
    assert caught.value.message_dict == {"password": ["The password does not meet the rules: at least 8 characters"]}
    with pytest.raises(ValidationError) as caught:
        user_set_password(actor=county_admin, user=tuanjie_cadre, password="short")
    assert caught.value.message_dict == {"password": ["密码不符合要求：至少需要8个字符"]}


def test_outside_the_jurisdiction_or_without_the_capability_is_refused(county_admin, songpan_cadre, tuanjie_cadre,
                                                                      zhangzha_cadre, fingerprint):
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        user_set_password(actor=county_admin, user=songpan_cadre, password=PASSWORD)
    with pytest.raises(PermissionDenied):
        user_set_password(actor=tuanjie_cadre, user=zhangzha_cadre, password=PASSWORD)
    assert fingerprint() == before


def test_a_township_manager_cannot_take_over_a_stronger_account(township_manager, regions, fingerprint):
    stronger = make_user("strong", "county_admin", "513225103213")  # a county role bound inside the township
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        user_set_password(actor=township_manager, user=stronger, password=PASSWORD)
    assert fingerprint() == before


def test_the_login_lock_is_lifted(client, county_admin, tuanjie_cadre, settings, django_capture_on_commit_callbacks):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        client.post(reverse("web:login"), {"username": "tuanjie_cadre", "password": "wrong-password"})
    locked = client.post(reverse("web:login"), {"username": "tuanjie_cadre", "password": "pw-for-tests-1"})
    assert "登录失败次数过多" in locked.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        user_set_password(actor=county_admin, user=tuanjie_cadre, password=PASSWORD)
    response = client.post(reverse("web:login"), {"username": "tuanjie_cadre", "password": PASSWORD})
    assert response.status_code == 302

