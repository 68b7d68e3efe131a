"""Navigation by role: each user sees the entries their role can use."""

from django.utils.translation import (
    gettext_noop as _,  # marks the labels for makemessages; the template translates
)


def navigation(request):
    from bangfu.cases.permissions import can as cases_can

    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav": []}
    items = [("web:home", _("工作台"), "home")]
    if user.region_id and not user.unit_id and not user.region_id.endswith("000"):  # bound to one village
        items.append(("offline:my_village", _("我的村"), "my_village"))  # kept on the phone for use offline
    if user.can("registry.view"):
        items.append(("registry:household_list", _("一户一档"), "households"))
        items.append(("monitoring:warning_list", _("预警核实"), "warnings"))
        items.append(("reports:dashboard", _("统计看板"), "dashboard"))
        items.append(("relocation:coverage", _("搬迁后续扶持"), "relocation"))
        items.append(("care:index", _("弱势群体关爱"), "care"))
    if user.can("monitoring.feed_upload"):
        items.append(("monitoring:feed_upload", _("部门数据"), "feeds"))
    if user.region_id:
        items.append(("monitoring:lines", _("监测范围"), "lines"))
    if user.can("assistance.view"):
        items.append(("assistance:home", _("定点帮扶"), "assistance"))
    elif user.can("assistance.approve_leave"):  # the township: resident cadres' leave in its villages
        items.append(("assistance:leave_list", _("请假审批"), "leave"))
    if cases_can(user, "cases.view"):
        items.append(("cases:case_list", _("识别与帮扶"), "cases"))
    items.append(("jobs:job_list", _("我的任务"), "jobs"))
    if user.can("audit.view"):
        items.append(("web:audit_log", _("变更记录"), "audit"))
    if user.can("accounts.manage"):
        items.append(("accounts:user_list", _("用户管理"), "accounts"))
    return {"nav": items}
