"""The audit log's three tabs as .xlsx, through the one list export (bangfu.web.exports)."""

from django.utils.translation import gettext_lazy as _

from bangfu.audit.filters import AUDIT_FILTERS
from bangfu.audit.selectors import audit_rows, audit_subjects
from bangfu.web.exports import Column, ListExport, filter_set_form, list_export

_AUDIT = {"form": filter_set_form(AUDIT_FILTERS), "allowed": lambda user: user.can("audit.view"),
          "labels": {"view": _("页签")}}


def _actor(record) -> str:
    return f"{record.actor.display_name}（{record.actor.username}）" if record.actor_id else str(_("系统"))


def _changes(record) -> str:
    return "；".join(f"{label}：{before or '—'} → {after or '—'}" for label, before, after in record.changes_for_display)


list_export(ListExport(
    key="audit-changes", title=_("数据变更记录"), **_AUDIT, named=True,  # households' names, income, health
    rows=lambda user, values: audit_rows(user, values, view="changes"),
    prepare=lambda rows: audit_subjects(rows.select_related("actor")),
    columns=(
        Column(_("时间"), lambda r: r.at, 16), Column(_("操作人"), _actor, 16),
        Column(_("操作"), lambda r: r.get_action_display(), 8), Column(_("对象"), lambda r: r.object_label, 24),
        Column(_("所属户"), lambda r: r.household_label, 24), Column(_("所属区划"), lambda r: r.region_code, 14),
        Column(_("变更内容"), _changes, 60), Column(_("原因"), lambda r: r.reason, 24),
    ),
))

list_export(ListExport(
    key="audit-reveals", title=_("敏感信息查看与导出记录"), **_AUDIT,
    rows=lambda user, values: audit_rows(user, values, view="reveals"),
    prepare=lambda rows: audit_subjects(rows.select_related("actor")),
    columns=(
        Column(_("时间"), lambda r: r.at, 16), Column(_("查看人"), _actor, 16), Column(_("内容"), lambda r: r.field_label, 18),
        Column(_("对象"), lambda r: r.household_label or r.job_title or f"{r.object_type} #{r.object_id}", 40),
        Column(_("名单"), lambda r: r.what, 16), Column(_("筛选条件"), lambda r: r.filters, 30),
        Column(_("行数"), lambda r: r.rows, 8, number=True),
        Column(_("所属区划"), lambda r: r.region_code, 14),
    ),
))

list_export(ListExport(
    key="audit-security", title=_("安全事件"), **_AUDIT,
    rows=lambda user, values: audit_rows(user, values, view="security"),
    prepare=lambda rows: rows.select_related("actor"),
    columns=(
        Column(_("时间"), lambda e: e.at, 16), Column(_("事件"), lambda e: e.get_kind_display(), 18),
        Column(_("用户"), lambda e: _actor(e) if e.actor_id else e.username, 16),
        Column(_("来源地址"), lambda e: e.address, 16), Column(_("说明"), lambda e: e.detail, 40),
    ),
))
