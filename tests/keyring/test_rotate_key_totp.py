"""The administrators' TOTP secrets are encrypted with the field key, so `bangfu rotate-key` re-encrypts them:
after a rotation the second login step still works."""

import pyotp
import pytest
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.accounts.services import totp_enable, totp_login_check
from bangfu.accounts.totp import totp_secret_open
from bangfu.keyring.services import key_rotate

pytestmark = pytest.mark.django_db


def test_rotation_re_encrypts_totp_secrets(own_key, county_admin, monkeypatch):
    now = timezone.now().replace(second=15, microsecond=0)  # mid-step: no step boundary passes meanwhile
    monkeypatch.setattr("bangfu.accounts.totp._now", lambda: now)
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    totp_enable(actor=county_admin, secret=secret, code=totp.generate_otp(step - 1))
    before = User.objects.get(pk=county_admin.pk).totp_secret
    key_rotate(report=lambda line: None)
    after = User.objects.get(pk=county_admin.pk).totp_secret
    assert after != before and totp_secret_open(after) == secret
    assert totp_login_check(user=county_admin, code=totp.generate_otp(step)) is None
