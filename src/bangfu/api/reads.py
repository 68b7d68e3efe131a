"""Reads for department systems and scripts: warnings, leads, cases and the assistance ledger, through the same
selectors as the pages (the jurisdiction door), paged. A token needs the `read` scope. Answers carrying names
with the household's circumstances are logged releases, as an export is."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from bangfu.accounts.models import ApiToken
from bangfu.api.auth import auth_for
from bangfu.api.errors import ERRORS, ErrorOut
from bangfu.monitoring.models import Lead, RiskWarning

router = Router(tags=["预警、线索、案件与台账"], auth=auth_for(ApiToken.Scope.READ))


class Paging(Schema):
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(50, ge=1, le=500)


class WarningOut(Schema):
    id: int
    household_number: str
    head_name: str
    village_code: str
    village_name: str
    rule: str
    rule_name: str
    state: str
    evidence: str
    monitored_open: bool
    created_at: dt.datetime


class LeadOut(Schema):
    id: int
    source: str
    state: str
    village_code: str
    household_number: str | None
    risk_type: str
    created_at: dt.datetime


class CaseOut(Schema):
    id: int
    kind: str
    state: str
    household_number: str
    head_name: str
    village_code: str
    lead_date: dt.date
    due: dt.date | None
    opened_at: dt.datetime


class LedgerOut(Schema):
    id: int
    unit: str
    date: dt.date
    village_code: str | None
    columns: dict[str, str]


def _page(cls):
    return type(f"{cls.__name__}Page", (Schema,), {"__annotations__": {
        "count": int, "offset": int, "limit": int, "results": list[cls]}})


WarningPage, LeadPage, CasePage, LedgerPage = (_page(c) for c in (WarningOut, LeadOut, CaseOut, LedgerOut))


class WarningQuery(Paging):
    state: str = Field("open", max_length=20, description="open / confirmed / dismissed / followed / all")
    rule: str = Field("", max_length=40)
    region: str = Field("", max_length=12, description="区划代码（本人管辖范围内）")


class LeadQuery(Paging):
    state: str = Field("", max_length=20)
    source: str = Field("", max_length=20)


class CaseQuery(Paging):
    state: str = Field("open", max_length=20, description="open / overdue / due_today / due_week / 某环节 / all")
    kind: str = Field("", max_length=20)


class LedgerQuery(Paging):
    unit: int | None = Field(None, ge=1, le=2_147_483_647)
    since: dt.date | None = None
    until: dt.date | None = None


def _require_choice(name: str, value: str, known: list[str]) -> None:
    """A filter value that names no state is an error naming the parameter, not a silently empty list."""
    if value and value not in known:
        raise ValidationError({name: _("应为 %(known)s 之一，“%(bad)s”不是") % {
            "known": "、".join(known), "bad": value[:20]}})


def _require(request, capability: str, message: str) -> None:
    if not request.user.can(capability):
        raise PermissionDenied(message)


def _released(request, what: str, rows: int, filters: dict) -> None:
    from bangfu.api.registry import _release

    _release(request, what=what, instance=request.user, region_code=request.user.region_id or "",
             filters="；".join(f"{k}={v}" for k, v in sorted(filters.items()) if v not in (None, "")), rows=rows)


@router.get("/warnings", response={200: WarningPage, **ERRORS}, summary="预警（按管辖范围）")
def warning_list(request, q: Query[WarningQuery]):
    from bangfu.monitoring.selectors import warning_filter_from, warnings_filtered

    _require(request, "registry.view", _("您的角色不能查看预警"))
    _require_choice("state", q.state, [*RiskWarning.State.values, "all"])
    qs = warnings_filtered(request.user, warning_filter_from({"state": q.state, "rule": q.rule, "region": q.region}))
    rows = list(qs[q.offset:q.offset + q.limit])
    _released(request, _("预警（接口）"), len(rows), q.dict())
    return {"count": qs.count(), "offset": q.offset, "limit": q.limit, "results": [{
        "id": w.pk, "household_number": w.household.number, "head_name": w.household.head_name,
        "village_code": w.village_id, "village_name": w.village.name, "rule": w.rule.code, "rule_name": w.rule.name,
        "state": w.state, "evidence": w.evidence, "monitored_open": w.monitored_open, "created_at": w.created_at}
        for w in rows]}


@router.get("/leads", response={200: LeadPage, **ERRORS}, summary="识别线索（按管辖范围）")
def lead_list(request, q: Query[LeadQuery]):
    from bangfu.monitoring.selectors import leads_filtered

    _require(request, "registry.view", _("您的角色不能查看识别线索"))
    _require_choice("state", q.state, Lead.State.values)
    _require_choice("source", q.source, Lead.Source.values)
    qs = leads_filtered(request.user, state=q.state, source=q.source)
    rows = list(qs[q.offset:q.offset + q.limit])
    return {"count": qs.count(), "offset": q.offset, "limit": q.limit, "results": [{
        "id": lead.pk, "source": lead.source, "state": lead.state, "village_code": lead.village_id,
        "household_number": lead.household.number if lead.household_id else None, "risk_type": lead.risk_type,
        "created_at": lead.created_at} for lead in rows]}


@router.get("/cases", response={200: CasePage, **ERRORS}, summary="识别与消除案件（按管辖范围）")
def case_list(request, q: Query[CaseQuery]):
    from bangfu.cases.permissions import can
    from bangfu.cases.selectors import cases_filtered

    if not can(request.user, "cases.view"):
        raise PermissionDenied(_("您的角色不能查看案件"))
    qs = cases_filtered(request.user, state="" if q.state == "all" else q.state, kind=q.kind)
    rows = list(qs[q.offset:q.offset + q.limit])
    _released(request, _("案件（接口）"), len(rows), q.dict())
    return {"count": qs.count(), "offset": q.offset, "limit": q.limit, "results": [{
        "id": c.pk, "kind": c.kind, "state": c.state, "household_number": c.household.number,
        "head_name": c.household.head_name, "village_code": c.household.village_id, "lead_date": c.lead_date,
        "due": c.due, "opened_at": c.opened_at} for c in rows]}


@router.get("/ledger/{kind}", response={200: LedgerPage, 404: ErrorOut, **ERRORS}, summary="帮扶台账（按单位范围）")
def ledger_list(request, kind: str, q: Query[LedgerQuery]):
    from django.http import Http404

    from bangfu.assistance.ledger import LEDGER_KIND_BY_KEY, cell
    from bangfu.assistance.selectors import ledger_entries_visible_to

    _require(request, "assistance.view", _("您的角色不能查看帮扶台账"))
    ledger_kind = LEDGER_KIND_BY_KEY.get(kind)
    if ledger_kind is None:
        raise Http404(_("没有这种台账：%(kind)s（可选 %(known)s）") % {
            "kind": kind[:40], "known": "、".join(LEDGER_KIND_BY_KEY)})
    qs = ledger_entries_visible_to(request.user, ledger_kind, unit_id=q.unit, since=q.since, until=q.until)
    rows = list(qs[q.offset:q.offset + q.limit])
    return {"count": qs.count(), "offset": q.offset, "limit": q.limit, "results": [{
        "id": e.pk, "unit": e.unit.label, "date": e.date, "village_code": e.village_id,
        "columns": {str(col.heading): "" if cell(e, col) is None else str(cell(e, col)) for col in ledger_kind.columns}}
        for e in rows]}
