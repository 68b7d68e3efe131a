"""The user list as .xlsx, through the one list export (bangfu.web.exports)."""

from django.utils.translation import gettext_lazy as _

from bangfu.accounts.filters import USER_FILTERS
from bangfu.accounts.selectors import UserFilter, users_filtered
from bangfu.web.exports import Column, ListExport, filter_set_form, list_export

list_export(ListExport(
    key="users", title=_("用户清单"), form=filter_set_form(USER_FILTERS), inline=True,
    rows=lambda user, values: users_filtered(user, UserFilter(**{k: v or "" for k, v in values.items()})),
    prepare=lambda rows: rows.select_related("region", "unit"),
    allowed=lambda user: user.can("accounts.manage"),
    columns=(
        Column(_("用户名"), lambda u: u.username, 16), Column(_("姓名"), lambda u: u.full_name, 10),
        Column(_("角色"), lambda u: u.get_role_display(), 16), Column(_("所属"), lambda u: u.place_label, 20),
        Column(_("状态"), lambda u: _("在用") if u.is_active else _("已停用"), 8),
        Column(_("最近登录"), lambda u: u.last_login, 16),
    ),
))
