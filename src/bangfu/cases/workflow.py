"""The shipped transition table and the preconditions a transition may require (DOMAIN.md §5.4, §5.6).

The table is data (cases.Transition); these defaults fill it on first use and can be edited by the county.
Preconditions are named checks: a row lists the names, the code below says what each one checks.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.roles import Role
from bangfu.cases.choices import MAX_RISKS, OPEN_STATES, CaseKind, CaseState

S = CaseState
V, T, C = Role.VILLAGE_CADRE, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN

# (from_state, to_state, role, label, preconditions, deadline_days of the next step, working days)
_CHAIN = (
    ("", S.VERIFICATION, V, "登记线索", ["household_free"], 3, True),
    ("", S.VERIFICATION, T, "登记线索", ["household_free"], 3, True),
    ("", S.VERIFICATION, C, "登记线索", ["household_free"], 3, True),
    (S.VERIFICATION, S.COMPARISON, V, "完成入户核实", ["commitment_signed", "verification_recorded"], 5, False),
    (S.VERIFICATION, S.REJECTED, V, "核实无风险，不纳入", ["reason_given"], None, False),
    (S.COMPARISON, S.VILLAGE_REVIEW, V, "记录比对结果", ["comparison_recorded"], 3, False),
    (S.COMPARISON, S.VILLAGE_REVIEW, T, "记录比对结果", ["comparison_recorded"], 3, False),
    (S.COMPARISON, S.VILLAGE_REVIEW, C, "记录比对结果", ["comparison_recorded"], 3, False),
    (S.VILLAGE_REVIEW, S.NOTICE, V, "民主评议并开始公示", ["review_recorded", "notice_started"], 7, False),
    (S.VILLAGE_REVIEW, S.REJECTED, V, "评议不通过", ["review_recorded", "reason_given"], None, False),
    (S.NOTICE, S.TOWNSHIP_REVIEW, V, "公示期满，报乡镇审核", ["notice_period_elapsed"], 3, False),
    (S.TOWNSHIP_REVIEW, S.COUNTY_APPROVAL, T, "乡镇审核通过", [], 3, False),
    (S.TOWNSHIP_REVIEW, S.VILLAGE_REVIEW, T, "退回村重新评议", ["comment_given"], 3, False),
    (S.TOWNSHIP_REVIEW, S.REJECTED, T, "乡镇审核不通过", ["reason_given"], None, False),
    (S.COUNTY_APPROVAL, S.APPROVED, C, "县级审定通过", ["outcome_complete"], None, False),
    (S.COUNTY_APPROVAL, S.TOWNSHIP_REVIEW, C, "退回乡镇", ["comment_given"], 3, False),
    (S.COUNTY_APPROVAL, S.REJECTED, C, "县级审定不通过", ["reason_given"], None, False),
)


def default_transitions() -> list[dict]:
    """The shipped table: the same chain for identification and elimination (only the checks differ)."""
    rows = []
    for kind in (CaseKind.IDENTIFICATION, CaseKind.ELIMINATION):
        for position, (src, dst, role, label, pre, days, working) in enumerate(_CHAIN):
            pre = list(pre)
            if kind == CaseKind.ELIMINATION:
                pre = ["household_monitored" if p == "household_free" else p for p in pre]
                pre = ["elimination_conditions" if p == "outcome_complete" else p for p in pre]
                if src == "" or src == S.COUNTY_APPROVAL and dst == S.APPROVED:
                    pre = pre if "elimination_conditions" in pre else [*pre, "elimination_conditions"]
            rows.append({"kind": kind, "from_state": src, "to_state": dst, "role": role, "label": label,
                         "preconditions": pre, "deadline_days": days, "working_days": working,
                         "position": position})
    return rows


@dataclass(frozen=True)
class Precondition:
    label: str
    check: Callable  # (case, context) -> message or None


def _fmt(day: dt.date) -> str:
    return date_format(day, "Y-m-d")


def _household_free(case, ctx):
    from bangfu.cases.models import Case

    other = Case.objects.filter(household_id=case.household_id, state__in=OPEN_STATES).exclude(pk=case.pk).first()
    if other:
        return _("该户已有未办结的%(kind)s案件（%(state)s），不能重复登记") % {
            "kind": other.get_kind_display(), "state": other.get_state_display()}
    if case.household.monitoring_status == "risk_open":
        return _("该户已是风险未消除的监测对象，无需再识别")
    return None


def _household_monitored(case, ctx):
    from bangfu.cases.models import Case

    if case.household.monitoring_status != "risk_open":
        return _("该户不是风险未消除的监测对象，不能提出风险消除")
    other = Case.objects.filter(household_id=case.household_id, state__in=OPEN_STATES).exclude(pk=case.pk).first()
    if other:
        return _("该户已有未办结的%(kind)s案件（%(state)s）") % {
            "kind": other.get_kind_display(), "state": other.get_state_display()}
    return None


def _elimination_conditions(case, ctx):
    from bangfu.cases.conditions import elimination_blockers

    blockers = elimination_blockers(case.household, today=ctx["today"])
    if not case.elimination_kind:
        blockers.insert(0, _("消除类型：请选择帮扶消除或自然消除"))
    return "；".join(blockers) or None


def notice_runs_from(stated: dt.date | None, recorded: dt.date | None) -> dt.date | None:
    """The notice's minimum days run from the later of its stated start and the day it was recorded, so a start
    typed into the past cannot shorten the notice the village actually saw."""
    days = [d for d in (stated, recorded) if d]
    return max(days) if days else None


def _notice_period_elapsed(case, ctx):
    if not case.notice_started_on:
        return _("公示开始日期：尚未记录公示开始日期")
    days = ctx["settings"].notice_min_days
    start = notice_runs_from(case.notice_started_on, case.notice_recorded_on)
    ends = start + dt.timedelta(days=days)
    if ctx["today"] < ends:
        if start != case.notice_started_on:
            return _("公示期：公示开始日期填为%(stated)s，但%(start)s才录入，公示期从录入之日起算，须满%(days)s天，"
                     "%(end)s方可报乡镇审核") % {"stated": _fmt(case.notice_started_on), "start": _fmt(start),
                                          "days": days, "end": _fmt(ends)}
        return _("公示期：公示自%(start)s开始，须满%(days)s天，%(end)s方可报乡镇审核") % {
            "start": _fmt(start), "days": days, "end": _fmt(ends)}
    return None


def _outcome_complete(case, ctx):
    problems = []
    if not case.monitoring_type:
        problems.append(_("监测对象类别：请选择脱贫不稳定户、边缘易致贫户或突发严重困难户"))
    if not 1 <= len(case.risk_types) <= MAX_RISKS:
        problems.append(_("风险类型：须选择1至%(max)s项") % {"max": MAX_RISKS})
    if not case.identified_month:
        problems.append(_("识别监测时间：请填写6位年月"))
    return "；".join(problems) or None


PRECONDITIONS: dict[str, Precondition] = {
    "household_free": Precondition(gettext_lazy("该户未在监测中、无未办结案件"), _household_free),
    "household_monitored": Precondition(gettext_lazy("该户为风险未消除的监测对象"), _household_monitored),
    "commitment_signed": Precondition(
        gettext_lazy("已签署承诺授权书"),
        lambda case, ctx: None if case.commitment_signed_on else _("承诺授权书：须记录农户签署承诺授权书的日期")),
    "verification_recorded": Precondition(
        gettext_lazy("已记录入户核实情况"),
        lambda case, ctx: None if case.verification_notes.strip() else _("入户核实情况：须填写核实到的情况")),
    "comparison_recorded": Precondition(
        gettext_lazy("已记录信息比对结果"),
        lambda case, ctx: None if case.comparison_result.strip() else _("信息比对结果：须填写与部门数据比对的结果")),
    "review_recorded": Precondition(
        gettext_lazy("已记录民主评议（日期、参会人员、结果）"),
        lambda case, ctx: None if (case.review_date and case.review_participants.strip()
                                   and case.review_outcome.strip())
        else _("民主评议：须填写评议日期、参会人员和评议结果")),
    "notice_started": Precondition(
        gettext_lazy("已记录公示开始日期"),
        lambda case, ctx: None if case.notice_started_on else _("公示开始日期：须填写公示张贴的日期")),
    "notice_period_elapsed": Precondition(gettext_lazy("公示期已满"), _notice_period_elapsed),
    "outcome_complete": Precondition(gettext_lazy("已填写识别结论（类别、风险类型、识别月份）"), _outcome_complete),
    "elimination_conditions": Precondition(gettext_lazy("符合风险消除条件"), _elimination_conditions),
    "reason_given": Precondition(
        gettext_lazy("已填写理由"),
        lambda case, ctx: None if case.reason.strip() else _("理由：不纳入或不通过须写明理由")),
    "comment_given": Precondition(
        gettext_lazy("已填写意见"),
        lambda case, ctx: None if ctx["comment"].strip() else _("意见：退回须写明意见")),
}
