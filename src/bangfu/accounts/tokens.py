"""API tokens (接口令牌) for department systems and scripts: made, listed and revoked by an administrator of the
user's region, shown once, stored as a hash, each with an expiry and a scope; every call made with one is recorded
(audit.ApiCall).

    api_token_create(actor=…, user=…, scopes=["feeds"], days=90, name=…) -> (ApiToken, "bf_…")
    api_token_revoke(actor=…, token=…) -> ApiToken
    api_token_for(raw) -> ApiToken | None                (the API's authentication)

actor=None is the command line (`bangfu token create`), run by whoever operates the server.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import ApiToken, User
from bangfu.accounts.selectors import users_visible_to
from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, snapshot

TOKEN_PREFIX = "bf_"
TOKEN_PREFIX_LENGTH = 10  # the start kept in clear to tell tokens apart in lists (and to revoke one by)
# What each scope needs of the user's role: a token never does more than its user could in the pages.
SCOPE_CAPABILITY = {ApiToken.Scope.FEEDS: "monitoring.feed_upload", ApiToken.Scope.READ: "registry.view"}


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _token_region(user: User) -> str:
    if user.unit_id:
        return user.unit.county_id
    return user.region_id or ""


def _require_manager(actor, user: User) -> None:
    if actor is None:
        return
    if not actor.can("accounts.manage"):
        raise PermissionDenied(_("您的角色没有此项操作权限"))
    if not users_visible_to(actor).filter(pk=user.pk).exists():
        raise PermissionDenied(_("该用户不在您的管辖范围内"))


def api_token_scopes_parse(text: str) -> list[str]:
    """`feeds` or `feeds,read`: each a known scope, at least one; the rule named in the message."""
    scopes = [s.strip() for s in text.replace("，", ",").split(",") if s.strip()]
    unknown = [s for s in scopes if s not in ApiToken.Scope.values]
    if not scopes or unknown:
        raise ValidationError({"scopes": _("权限范围须为 %(known)s 之一或以逗号分隔的几个；“%(bad)s”不认识") % {
            "known": "、".join(ApiToken.Scope.values), "bad": "、".join(unknown) or _("（空）")}})
    return list(dict.fromkeys(scopes))


@transaction.atomic
def api_token_create(*, actor, user: User, scopes: list[str], days: int, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user` (shown once: only its hash is kept). Each scope must be one the user's role could
    use in the pages; the token expires after `days` (1 to the configured maximum)."""
    _require_manager(actor, user)
    errors = {}
    max_days = settings.API_TOKEN_MAX_DAYS
    if not isinstance(days, int) or not 1 <= days <= max_days:
        errors["days"] = _("有效天数须为 1 到 %(max)s 之间的整数") % {"max": max_days}
    scopes = api_token_scopes_parse(",".join(scopes))
    if not user.is_active:
        errors["user"] = _("该用户已停用，不能为其创建令牌")
    for scope in scopes:
        if not user.can(SCOPE_CAPABILITY[scope]):
            errors["scopes"] = _("用户 %(user)s 的角色不能%(scope)s，不能授予该权限范围") % {
                "user": user.username, "scope": ApiToken.Scope(scope).label}
    if len(name) > 100:
        errors["name"] = _("用途最多 100 个字")
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=raw[:TOKEN_PREFIX_LENGTH], digest=token_digest(raw),
                                    scopes=",".join(scopes), created_by=actor,
                                    expires_at=timezone.now() + dt.timedelta(days=days))
    change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=token, before=None,
                  after=snapshot(token, exclude=frozenset({"digest"})), region_code=_token_region(user),
                  reason=_("为 %(user)s 创建接口令牌") % {"user": user.username})
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """End a token now; calls with it are refused from this moment. Revoking twice is refused."""
    token = ApiToken.objects.select_for_update(of=("self",)).select_related("user__unit").get(pk=token.pk)
    _require_manager(actor, token.user)
    if token.revoked_at:
        raise ValidationError({"token": _("该令牌已于 %(at)s 吊销") % {
            "at": timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M")}})
    before = snapshot(token, exclude=frozenset({"digest"}))
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=token, before=before,
                  after=snapshot(token, exclude=frozenset({"digest"})), region_code=_token_region(token.user),
                  reason=_("吊销接口令牌"))
    return token


def api_token_for(raw: str) -> ApiToken | None:
    """The live token a caller presented: known, not revoked, not expired, its user active. Marks it used."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (ApiToken.objects.select_related("user__region", "user__unit")
             .filter(digest=token_digest(raw), revoked_at__isnull=True, expires_at__gt=timezone.now(),
                     user__is_active=True).first())
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def api_tokens_visible_to(actor, *, user: User | None = None) -> QuerySet[ApiToken]:
    """Tokens of the accounts the actor manages (or of one of them)."""
    tokens = ApiToken.objects.filter(user__in=users_visible_to(actor)) if actor is not None else ApiToken.objects.all()
    if user is not None:
        tokens = tokens.filter(user=user)
    return tokens.select_related("user", "created_by", "revoked_by")
