"""The user's own jobs as .xlsx, through the one list export (bangfu.web.exports)."""

from django.utils.translation import gettext_lazy as _

from bangfu.jobs.selectors import jobs_of
from bangfu.web.exports import Column, ListExport, list_export, no_filters

list_export(ListExport(
    key="jobs", title=_("我的任务"), form=no_filters, inline=True,
    rows=lambda user, values: jobs_of(user), allowed=lambda user: user.is_authenticated,
    columns=(
        Column(_("名称"), lambda j: j.title, 50), Column(_("状态"), lambda j: j.get_status_display(), 8),
        Column(_("已处理"), lambda j: j.done, 8, number=True), Column(_("总数"), lambda j: j.total, 8, number=True),
        Column(_("创建时间"), lambda j: j.created_at, 16), Column(_("完成时间"), lambda j: j.finished_at, 16),
        Column(_("结果文件"), lambda j: j.result_name if j.result_path else "", 30),
        Column(_("说明"), lambda j: j.message, 40),
    ),
))
