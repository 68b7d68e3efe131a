"""The case list as .xlsx, through the one list export (bangfu.web.exports)."""

from django.utils.translation import gettext_lazy as _

from bangfu.cases.due import case_due_on
from bangfu.cases.forms import CaseFilterForm
from bangfu.cases.permissions import can
from bangfu.cases.selectors import cases_filtered, cases_with_due
from bangfu.web.exports import Column, ListExport, list_export


def _form(user, data):
    return CaseFilterForm({"state": "open", **data})


def _village(case) -> str:
    village = case.household.village
    return f"{village.parent.name}{village.name}" if village.parent_id else village.name


def _due(case):
    """The date the open case is due (cases.due, the list's own definition); none for a closed case."""
    return case_due_on(kind=case.kind, step_due_on=case.step_due_on, due_on=case.due_on) if case.is_open else None


list_export(ListExport(
    key="cases", title=_("识别与帮扶案件"), form=_form, named=True,
    rows=lambda user, values: cases_filtered(user, state=values.get("state") or "open", kind=values.get("kind") or "",
                                            mine=bool(values.get("mine")), region=values.get("region") or "",
                                            step=values.get("step") or ""),
    # each chunk is read again by pk: the `due` annotation the 期限 column reads comes with it
    prepare=lambda rows: cases_with_due(rows.select_related("household__village__parent")),
    allowed=lambda user: can(user, "cases.view") and user.can("registry.export"),
    columns=(
        Column(_("户编号"), lambda case: case.household.number, 20),
        Column(_("户主"), lambda case: case.household.head_name, 10), Column(_("村（社区）"), _village, 18),
        Column(_("类型"), lambda case: case.get_kind_display(), 10), Column(_("环节"), lambda case: case.state_label, 12),
        Column(_("线索来源"), lambda case: case.get_source_display(), 12),
        Column(_("线索发现日期"), lambda case: case.lead_date, 11),
        Column(_("期限"), _due, 11),
        Column(_("本环节期限"), lambda case: case.step_due_on, 11), Column(_("办结期限"), lambda case: case.due_on, 11),
        Column(_("监测对象类别"), lambda case: case.get_monitoring_type_display(), 14),
        Column(_("识别监测时间"), lambda case: case.identified_month, 10),
        Column(_("登记时间"), lambda case: case.opened_at, 16), Column(_("办结时间"), lambda case: case.closed_at, 16),
        Column(_("困难情况"), lambda case: case.summary, 40),
    ),
))
