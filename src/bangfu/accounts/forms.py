"""Login with a lock after repeated failures, so a password cannot be guessed by trying."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def _key(username: str) -> str:
    return f"login-failures:{username.strip().lower()}"


class LockingAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码错误，请重新输入。"),
        "inactive": _("该账号已停用，请联系县级管理员。"),
        "locked": _("登录失败次数过多，账号已暂时锁定，请 %(minutes)s 分钟后再试。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        limit = settings.LOGIN_MAX_FAILURES
        minutes = settings.LOGIN_LOCK_MINUTES
        if username and cache.get(_key(username), 0) >= limit:
            raise ValidationError(self.error_messages["locked"], code="locked", params={"minutes": minutes})
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                try:
                    cache.incr(_key(username))
                except ValueError:
                    cache.set(_key(username), 1, timeout=minutes * 60)
            raise
        cache.delete(_key(username))
        return cleaned
