"""User management pages (用户管理): thin views that parse, call a selector or service, and render."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from bangfu.accounts import services
from bangfu.accounts.filters import USER_FILTERS
from bangfu.accounts.forms import (
    PasswordSetForm,
    TotpCodeForm,
    TotpDisableForm,
    UserCreateForm,
    UserEditForm,
    client_address,
)
from bangfu.accounts.selectors import (
    UserFilter,
    regions_assignable_by,
    roles_assignable_by,
    units_assignable_by,
    user_get_for_user,
    users_filtered,
)
from bangfu.accounts.totp import totp_qr_svg, totp_secret_new, totp_secret_open, totp_secret_seal, totp_uri
from bangfu.audit.selectors import object_history
from bangfu.web.exports import list_export_context
from bangfu.web.helpers import form_errors_from, require_capability
from bangfu.web.lists import list_page

USER_PAGE_SIZE = 50


def _choices_for(actor) -> dict:
    """What the forms may offer: places inside the actor's subtree, units of its county, roles it may give."""
    return {"regions": regions_assignable_by(actor), "units": units_assignable_by(actor),
            "roles": roles_assignable_by(actor)}


@login_required
def user_list(request):
    require_capability(request.user, "accounts.manage")
    return list_page(request, filters=USER_FILTERS, page_size=USER_PAGE_SIZE,
                     rows=lambda values: users_filtered(request.user, UserFilter(**values)),
                     template="accounts/user_list.html", partial="accounts/_user_table.html",
                     context=list_export_context(request, "users"))


@login_required
def user_create(request):
    require_capability(request.user, "accounts.manage")
    form = UserCreateForm(request.POST or None, **_choices_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(actor=request.user, username=data["username"], password=data["password"],
                                        role=data["role"], full_name=data["full_name"], **form.binding())
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已新增用户 %(username)s（%(role)s，%(place)s）") % {
                "username": user.username, "role": user.get_role_display(), "place": user.place_label})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("新增用户")})


@login_required
def user_edit(request, pk: int):
    require_capability(request.user, "accounts.manage")
    user = user_get_for_user(request.user, pk=pk)
    form = UserEditForm(request.POST or None, user=user, actor=request.user, **_choices_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(actor=request.user, user=user, full_name=data["full_name"], role=data["role"],
                                 is_active=data["is_active"], **form.binding())
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已保存用户 %(username)s") % {"username": user.username})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {
        "form": form, "account": user, "title": _("修改用户 %(username)s") % {"username": user.username},
        "history": object_history(user, limit=20), "cadres": _cadre_records(request.user, user),
    })


def _cadre_records(actor, account):
    """The cadre records (选派干部) the account signs in for, and the unlinked serving cadres it could be linked to
    (paired assistance links them: assistance.services.cadre_save)."""
    from django.db.models import Q
    from django.utils import timezone

    from bangfu.assistance.selectors import cadres_visible_to

    visible = cadres_visible_to(actor)
    today = timezone.localdate()
    return {"linked": list(visible.filter(user=account).order_by("-term_start")),
            "linkable": list(visible.filter(user__isnull=True, term_start__lte=today)
                             .filter(Q(term_end__isnull=True) | Q(term_end__gte=today)).order_by("unit", "name")[:30])
            if not account.unit_id else []}


@login_required
def user_password(request, pk: int):
    require_capability(request.user, "accounts.manage")
    user = user_get_for_user(request.user, pk=pk)
    form = PasswordSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_set_password(actor=request.user, user=user,
                                              password=form.cleaned_data["password"])
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            if user.pk == request.user.pk:
                update_session_auth_hash(request, user)  # a new password ends other sessions, not this one
            messages.success(request, _("已重置 %(username)s 的密码，请当面或电话告知本人") % {"username": user.username})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_password.html", {"form": form, "account": user})


# --- the second login step (TOTP) for administrators ---------------------------------------------------------

# The secret being set up, kept in the session encrypted until the first code confirms it.
TOTP_SETUP_KEY = "bangfu_totp_setup"


def _setup_secret(request, *, fresh: bool) -> str:
    token = request.session.get(TOTP_SETUP_KEY)
    if token and not fresh:
        try:
            return totp_secret_open(token)
        except Exception:  # a session from before a key rotation: start again
            pass
    secret = totp_secret_new()
    request.session[TOTP_SETUP_KEY] = totp_secret_seal(secret)
    return secret


@login_required
def totp_setup(request):
    """动态验证码: an administrator turns the second login step on (secret, otpauth address and QR code, then a
    first code) or, when on, sees that it is and may turn it off. The secret is never shown again after setup."""
    require_capability(request.user, "accounts.manage")
    if request.user.totp_enabled:
        return render(request, "accounts/totp.html", {"enabled": True, "disable_form": TotpDisableForm()})
    form = TotpCodeForm(request.POST or None)
    secret = _setup_secret(request, fresh=request.method == "GET")
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_enable(actor=request.user, secret=secret, code=form.cleaned_data["code"])
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            request.session.pop(TOTP_SETUP_KEY, None)
            messages.success(request, _("已启用动态验证码：以后登录时，输入密码后还需输入验证器应用显示的验证码。"))
            return redirect("accounts:totp_setup")
    uri = totp_uri(secret, request.user.username)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render(request, "accounts/totp.html", {
        "enabled": False, "form": form, "secret": grouped, "uri": uri,
        "qr": mark_safe(totp_qr_svg(uri)),  # segno's own SVG markup
    })


@login_required
def totp_disable(request):
    require_capability(request.user, "accounts.manage")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = TotpDisableForm(request.POST)
    if form.is_valid():
        try:
            services.totp_disable(actor=request.user, password=form.cleaned_data["password"],
                                  address=client_address(request))
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已停用动态验证码：以后登录只需密码。"))
            return redirect("accounts:totp_setup")
    return render(request, "accounts/totp.html", {"enabled": True, "disable_form": form}, status=400)


@login_required
def user_totp_reset(request, pk: int):
    """重置动态验证码 of another account (its phone lost): a confirmation page, then the reset, audited."""
    require_capability(request.user, "accounts.manage")
    user = user_get_for_user(request.user, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            services.totp_reset(actor=request.user, user=user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("已重置 %(username)s 的动态验证码：该用户现在只用密码登录，可重新设置。") % {
                "username": user.username})
            return redirect("accounts:user_edit", pk=user.pk)
    return render(request, "accounts/user_totp_reset.html", {"account": user, "error": error},
                  status=400 if error else 200)


# --- API tokens (接口令牌) for department systems and scripts ----------------------------------------------------

@login_required
def user_tokens(request, pk: int):
    """A user's API tokens: made here (the token shown once, on this answer only), listed with their state and
    last use, revoked."""
    from django.utils import timezone

    from bangfu.accounts.forms import ApiTokenCreateForm
    from bangfu.accounts.tokens import api_token_create, api_tokens_visible_to

    require_capability(request.user, "accounts.manage")
    account = user_get_for_user(request.user, pk=pk)
    form = ApiTokenCreateForm(request.POST or None, account=account)
    made = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, raw = api_token_create(actor=request.user, user=account, scopes=data["scopes"],
                                          days=data["days"], name=data["name"])
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            made = {"token": token, "raw": raw}
            form = ApiTokenCreateForm(account=account)
    tokens = api_tokens_visible_to(request.user, user=account)
    now = timezone.now()
    response = render(request, "accounts/user_tokens.html", {
        "account": account, "form": form, "made": made, "no_scope": not form.fields["scopes"].choices,
        "tokens": [(t, t.state(now)) for t in tokens]})
    if made:
        response["Cache-Control"] = "no-store"  # the token is on this page once
    return response


@login_required
def user_token_revoke(request, pk: int, token_pk: int):
    from django.http import Http404

    from bangfu.accounts.tokens import api_token_revoke, api_tokens_visible_to

    require_capability(request.user, "accounts.manage")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    account = user_get_for_user(request.user, pk=pk)
    token = api_tokens_visible_to(request.user, user=account).filter(pk=token_pk).first()
    if token is None:
        raise Http404(_("没有找到该令牌"))
    try:
        api_token_revoke(actor=request.user, token=token)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已吊销令牌 %(prefix)s…，用它的调用即刻被拒绝") % {"prefix": token.prefix})
    return redirect("accounts:user_tokens", pk=account.pk)
