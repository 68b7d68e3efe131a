"""Passwords: Argon2 in production, and a policy (length, the common-password list, not like the username)."""

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError

import bangfu.settings as production
from bangfu.accounts.services import user_create
from tests.conftest import TUANJIE


def test_production_hashes_with_argon2(settings):
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # the test settings use a fast hasher
    encoded = make_password("Kang-ding-qing-ge-9")
    assert encoded.startswith("argon2$argon2id$") and check_password("Kang-ding-qing-ge-9", encoded)


@pytest.mark.parametrize(("password", "rule"), [
    ("12345678", "常见"), ("password", "常见"), ("Qz8!xw1", "8个字符"), ("83920174615", "数字"),
    ("wangxiaoming1", "相似"),
])
def test_weak_passwords_are_refused_with_the_rule(county_admin, password, rule):
    with pytest.raises(ValidationError) as error:
        user_create(actor=county_admin, username="wangxiaoming", password=password, role="village_cadre",
                    full_name="王小明", region_code=TUANJIE)
    assert rule in str(error.value)


def test_a_good_password_is_taken(county_admin):
    user = user_create(actor=county_admin, username="wangxiaoming", password="Jiuzhai-Valley-2026",
                       role="village_cadre", full_name="王小明", region_code=TUANJIE)
    assert user.check_password("Jiuzhai-Valley-2026")
