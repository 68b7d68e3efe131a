"""The importer's own imports (the 我的导入 list on the import page) as .xlsx, through the one list export
(bangfu.web.exports): file, time, state and the counts of its last preview or commit, never the rows themselves."""

from django.utils.translation import gettext_lazy as _

from bangfu.ingest.selectors import import_runs_of
from bangfu.web.exports import Column, ListExport, list_export, no_filters


def _count(name: str):
    return lambda run: (run.report.get("counts") or {}).get(name)


def _committed(name: str):
    return lambda run: (run.report.get("committed") or {}).get(name)


list_export(ListExport(
    key="imports", title=_("我的导入"), form=no_filters, inline=True,
    rows=lambda user, values: import_runs_of(user),
    allowed=lambda user: user.can("registry.edit"),
    columns=(
        Column(_("文件名"), lambda run: run.file_name, 30), Column(_("上传时间"), lambda run: run.created_at, 16),
        Column(_("状态"), lambda run: run.get_status_display(), 8),
        Column(_("收入年度"), lambda run: run.report.get("year") or run.year, 8, number=True),
        Column(_("新户"), _count("households_new"), 8, number=True),
        Column(_("有变更的户"), _count("households_changed"), 10, number=True),
        Column(_("整户未导入"), _count("households_rejected"), 10, number=True),
        Column(_("新成员"), _count("members_new"), 8, number=True),
        Column(_("有错误的行"), _count("rows_with_errors"), 10, number=True),
        Column(_("已新增户"), _committed("households_created"), 10, number=True),
        Column(_("已变更户"), _committed("households_updated"), 10, number=True),
        Column(_("已新增成员"), _committed("members_created"), 10, number=True),
    ),
))
