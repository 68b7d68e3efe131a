"""The user list's filters, declared once (see bangfu.web.filters)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.roles import Role
from bangfu.web.filters import Filter, FilterSet

USER_FILTERS = FilterSet("User", (
    Filter("q", lambda: forms.CharField(label=_("搜索"), required=False, max_length=60, widget=forms.TextInput(
        attrs={"placeholder": _("用户名 / 姓名"), "type": "search"}))),
    Filter("role", lambda: forms.ChoiceField(label=_("角色"), required=False,
                                             choices=[("", _("全部角色")), *Role.choices])),
    Filter("status", lambda: forms.ChoiceField(label=_("状态"), required=False, choices=[
        ("", _("全部状态")), ("active", _("在用")), ("inactive", _("已停用"))])),
))
