"""User management pages (用户管理): thin views that parse, call a selector or service, and render."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bangfu.accounts import services
from bangfu.accounts.filters import USER_FILTERS
from bangfu.accounts.forms import PasswordSetForm, UserCreateForm, UserEditForm
from bangfu.accounts.selectors import (
    UserFilter,
    regions_assignable_by,
    roles_assignable_by,
    units_assignable_by,
    user_get_for_user,
    user_history,
    users_filtered,
)
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
        "history": user_history(user)[:20],
    })


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
