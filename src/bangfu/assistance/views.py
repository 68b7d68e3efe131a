"""Paired-assistance pages: thin views that parse, call a selector or service, and render. Phone-first for liaisons."""

import datetime as dt
import io
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.assistance import forms as f
from bangfu.assistance import services
from bangfu.assistance.documents import (
    NoDataError,
    briefing_write,
    minutes_write,
    speaking_order,
    unit_report_write,
)
from bangfu.assistance.exports import evaluation_xlsx
from bangfu.assistance.ledger import LEDGER_KIND_BY_KEY, LEDGER_KINDS
from bangfu.assistance.models import (
    AssistanceNeed,
    Cadre,
    CadreSpeech,
    EvidenceFile,
    Finding,
    JointMeeting,
    LeaveRequest,
    Plan,
    Task,
    Unit,
)
from bangfu.assistance.selectors import (
    cadres_listed,
    cadres_visible_to,
    county_of,
    findings_visible_to,
    leave_requests_visible_to,
    ledger_entries_visible_to,
    meetings_visible_to,
    plan_covering,
    plans_in_order,
    tasks_visible_to,
    units_visible_to,
    units_writable_by,
)
from bangfu.assistance.tables import CADRE_TABLE, LEDGER_TABLES, TASK_TABLE
from bangfu.audit.selectors import object_history
from bangfu.regions.config import config_rows
from bangfu.reports.assistance_indicators import (
    evaluation_rows,
    indicator_records_url,
    plan_progress,
    unit_figures,
    year_span,
)
from bangfu.web.exports import list_export_context
from bangfu.web.helpers import form_errors_from, require_capability

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_view(user) -> None:
    require_capability(user, "assistance.view")


def _kind(key: str):
    kind = LEDGER_KIND_BY_KEY.get(key)
    if kind is None:
        raise Http404(_("没有这种台账"))
    return kind


def _entry(user, kind, pk: int):
    try:
        return ledger_entries_visible_to(user, kind).get(pk=pk)
    except kind.model.DoesNotExist:
        raise Http404(_("该记录不存在或不在您的查看范围内")) from None


def _save(request, form, save, success: str, done_url: str) -> HttpResponse | None:
    """A valid form goes to its service; its ValidationError comes back onto the form; success redirects."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, success)
            return redirect(done_url)
    return None


def _download(path: Path | io.BytesIO, name: str, content_type: str) -> FileResponse:
    """A file, or a document written to memory (a Word download leaves no temporary file behind)."""
    if isinstance(path, io.BytesIO):
        path.seek(0)
    source = path if isinstance(path, io.BytesIO) else path.open("rb")
    response = FileResponse(source, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- overview -------------------------------------------------------------------------------------------------

@login_required
def home(request):
    """The units the user reads, each with this year's figures; the lead unit's board of overdue items."""
    _require_view(request.user)
    units = list(units_visible_to(request.user).select_related("county"))
    today = timezone.localdate()
    start, end = year_span(today.year)
    figures = unit_figures([u.pk for u in units], start, end)
    from bangfu.reports.assistance_indicators import STANDARD_INDICATORS

    shown = [i for i in STANDARD_INDICATORS if i.key in ("funds_invested", "funds_brought_in", "cadres_trained",
                                                         "technicians_trained", "donations", "leader_visits")]
    rows = [(u, [(i, figures[u.pk][i.key], indicator_records_url(i, u.pk, start, end)) for i in shown])
            for u in units]
    tasks = tasks_visible_to(request.user).filter(status=Task.Status.OPEN).order_by("deadline")
    findings = findings_visible_to(request.user).exclude(status=Finding.Status.SIGNED_OFF).order_by("deadline")
    return render(request, "assistance/home.html", {
        "rows": rows, "indicators": shown, "year": today.year, "kinds": LEDGER_KINDS, "today": today,
        "tasks": tasks[:20], "findings": findings[:20],
        "writable": units_writable_by(request.user).exists(),
    })


LEDGER_PAGE_SIZE = 50


# --- the ledger -----------------------------------------------------------------------------------------------

@login_required
def ledger_list(request, kind: str):
    _require_view(request.user)
    kind = _kind(kind)
    if "match" in request.GET:  # a link made before `indicator=` (match=flow:invested): the same list, one form
        return redirect(_match_redirect(request, kind))
    units = list(units_visible_to(request.user))
    form = f.LedgerFilterForm(request.GET or None, units=units)
    data = form.cleaned_data if form.is_valid() else {}
    entries = _filtered(request.user, kind, data).select_related("unit", "village__parent")
    # Every row, a page at a time (the heading's 共 N 条 is the pager's count: no row beyond it is out of reach).
    page = Paginator(entries, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    # The list's totals (every row, not the page's): what a figure that links here sums, for the reader to compare.
    from django.db.models import Sum

    sums = entries.order_by().aggregate(**{c.key: Sum(c.key) for c in kind.columns if c.number}) \
        if page.paginator.count else {}
    totals = [(c.heading, sums.get(c.key) or 0, c.key) for c in kind.columns if c.number and c.key in sums]
    # Followed from a dashboard figure: the indicator's own aggregate over exactly these rows, shown above them.
    indicator_total = _indicator_total(request.user, entries, data.get("indicator"))
    scope = [w for w in (
        f"{data['since']:%Y-%m-%d} — {data['until']:%Y-%m-%d}" if data.get("since") and data.get("until") else "",
        _region_words(data.get("region") or "")) if w]
    writable = set(units_writable_by(request.user).values_list("pk", flat=True))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "assistance/ledger_list.html", {
        "kind": kind, "kinds": LEDGER_KINDS, "page": page, "form": form, "total": page.paginator.count,
        "table": LEDGER_TABLES[kind.key].bind(page.object_list, user=request.user), "totals": totals,
        "scope": scope, "indicator_total": indicator_total,
        "writable": writable, "query": query.urlencode(), **list_export_context(request, f"ledger-{kind.key}"),
    })


def _match_redirect(request, kind) -> str:
    """The URL an old `match=field:value` link now has: `indicator=` naming the indicator with that condition (none
    with it: the condition is dropped, as an unknown one always was)."""
    from bangfu.assistance.selectors import county_of
    from bangfu.reports.assistance_indicators import indicator_for_match

    query = request.GET.copy()
    indicator = indicator_for_match(kind.key, query.pop("match")[-1], county_of(request.user))
    if indicator is not None and not query.get("indicator"):
        query["indicator"] = indicator.key
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _region_words(code: str) -> str:
    from bangfu.regions.models import Region

    region = Region.objects.filter(code=code).first() if code else None
    return region.name if region else ""


def _indicator_total(user, entries, key: str | None):
    """(indicator, value) of the indicator a figure's link names, summed or counted over the listed entries (which
    the link's `indicator=` already narrowed to its condition), or None."""
    from decimal import Decimal

    from bangfu.assistance.selectors import county_of
    from bangfu.reports.assistance_indicators import indicator_aggregate, indicator_named

    indicator = indicator_named(key, county_of(user)) if key else None
    if indicator is None or indicator.ledger_kind == "cadre":
        return None
    value = entries.order_by().aggregate(v=indicator_aggregate(indicator))["v"]
    return indicator, Decimal(value or 0)


def _text(value) -> str:
    from decimal import Decimal

    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def _filtered(user, kind, data):
    from bangfu.assistance.listexports import ledger_rows

    return ledger_rows(user, kind, data)


@login_required
def ledger_export(request, kind: str):
    """The ledger as the list shows it (same filter, same door), as .xlsx: the list export of its kind (its
    filters and who exported it above the columns)."""
    from bangfu.web.exports import form_data, list_export_get, list_export_inline

    _require_view(request.user)
    kind = _kind(kind)
    key = f"ledger-{kind.key}"
    name, content = list_export_inline(actor=request.user, key=key,
                                       data=form_data(list_export_get(key), request.user, request.GET))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def _writable_unit(request, unit_id: str | None) -> Unit | None:
    """The unit a new record is for: the user's own, or the one chosen (None: several to choose from)."""
    units = units_writable_by(request.user)
    if not units.exists():
        raise PermissionDenied(_("只能填报本单位的帮扶台账"))
    if unit_id:
        unit = units.filter(pk=unit_id).first() if str(unit_id).isdigit() else None
        if unit is None:
            raise Http404(_("只能填报本单位的帮扶台账"))
        return unit
    return units.first() if units.count() == 1 else None


def _choose_unit(request, title: str) -> HttpResponse:
    """Someone who writes for several units (the county) first picks the unit."""
    return render(request, "assistance/choose_unit.html", {"title": title, "units": units_writable_by(request.user),
                                                           "path": request.path})


@login_required
def ledger_create(request, kind: str):
    require_capability(request.user, "assistance.edit")
    kind = _kind(kind)
    unit = _writable_unit(request, request.GET.get("unit"))
    if unit is None:
        return _choose_unit(request, _("登记%(kind)s") % {"kind": kind.label})
    form = f.ledger_form(kind, unit, request.POST or None, initial={"date": timezone.localdate()})
    done = _save(request, form, lambda data: services.ledger_entry_record(
        actor=request.user, kind=kind.key, unit=unit, data=data),
        _("已登记%(kind)s") % {"kind": kind.label}, reverse("assistance:ledger_list", args=[kind.key]))
    return done or render(request, "assistance/form_page.html", {
        "form": form, "title": _("%(unit)s：登记%(kind)s") % {"unit": unit.label, "kind": kind.label},
        "back": reverse("assistance:ledger_list", args=[kind.key]), "kind": kind})


@login_required
def ledger_detail(request, kind: str, pk: int):
    _require_view(request.user)
    kind = _kind(kind)
    entry = _entry(request.user, kind, pk)
    fields = [(entry._meta.get_field(name).verbose_name, _display(entry, name)) for name in kind.fields]
    can_write = units_writable_by(request.user).filter(pk=entry.unit_id).exists()
    return render(request, "assistance/ledger_detail.html", {
        "kind": kind, "entry": entry, "fields": fields, "can_write": can_write,
        "evidence": EvidenceFile.objects.filter(record_type=kind.key, record_id=entry.pk).order_by("id"),
        "evidence_form": f.EvidenceForm(), "delete_form": f.DeleteForm(), "history": object_history(entry),
    })


def _display(entry, name: str):
    getter = getattr(entry, f"get_{name}_display", None)
    if getter:
        return getter()
    value = getattr(entry, name)
    if name == "village" and value is not None:
        from bangfu.assistance.selectors import village_label

        return village_label(value)
    return "—" if value in (None, "") else value


@login_required
def ledger_edit(request, kind: str, pk: int):
    require_capability(request.user, "assistance.edit")
    kind = _kind(kind)
    entry = _entry(request.user, kind, pk)
    if not units_writable_by(request.user).filter(pk=entry.unit_id).exists():
        raise PermissionDenied(_("只能填报本单位的帮扶台账"))
    form = f.ledger_form(kind, entry.unit, request.POST or None, instance=kind.model.objects.get(pk=entry.pk))
    url = reverse("assistance:ledger_detail", args=[kind.key, entry.pk])
    done = _save(request, form, lambda data: services.ledger_entry_update(actor=request.user, entry=entry, data=data),
                 _("已保存"), url)
    return done or render(request, "assistance/form_page.html", {
        "form": form, "title": _("修改%(kind)s") % {"kind": kind.label}, "back": url, "kind": kind})


@login_required
@require_POST
def ledger_delete(request, kind: str, pk: int):
    require_capability(request.user, "assistance.edit")
    kind = _kind(kind)
    entry = _entry(request.user, kind, pk)
    form = f.DeleteForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.ledger_entry_delete(actor=request.user, entry=entry, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assistance:ledger_detail", kind.key, entry.pk)
    messages.success(request, _("已删除该记录"))
    return redirect("assistance:ledger_list", kind.key)


@login_required
@require_POST
def ledger_evidence(request, kind: str, pk: int):
    require_capability(request.user, "assistance.edit")
    kind = _kind(kind)
    entry = _entry(request.user, kind, pk)
    _attach(request, entry)
    return redirect("assistance:ledger_detail", kind.key, entry.pk)


def _attach(request, record) -> None:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的佐证材料"))
        return
    limit = services.settings.EVIDENCE_MAX_BYTES
    content = upload.read(limit + 1)
    try:
        services.evidence_attach(actor=request.user, record=record, name=upload.name, content=content)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已上传佐证材料 %(name)s") % {"name": upload.name})


@login_required
def evidence_download(request, pk: int):
    """An evidence file, only to those who may read the record it belongs to (else 404, as if absent)."""
    _require_view(request.user)
    evidence = get_object_or_404(EvidenceFile, pk=pk)
    try:
        path = services.evidence_path_for_reader(actor=request.user, evidence=evidence)
    except (PermissionDenied, Finding.DoesNotExist, LookupError):
        raise Http404(_("该佐证材料不存在或不在您的查看范围内")) from None
    if not path.exists():
        raise Http404(_("该佐证材料的文件已不存在"))
    response = FileResponse(path.open("rb"), filename=evidence.name, content_type=evidence.content_type,
                            as_attachment=evidence.content_type == "application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- plan progress, evaluation, documents -----------------------------------------------------------------------

_plans = plans_in_order
_plan_covering = plan_covering


def _plan(plans: list[Plan], year: int | None = None) -> Plan:
    """The plan for `year` (default: this year's), else the latest adopted plan, else the latest."""
    plan = _plan_covering(plans, year or timezone.localdate().year)
    if plan is None and year is None and plans:
        plan = plans[0]
    if plan is None:
        raise Http404(_("尚未录入帮扶工作规划"))
    return plan


def _year(request, default: int) -> int:
    try:
        return int(request.GET.get("year", default))
    except ValueError:
        return default


@login_required
def plan_view(request):
    """Targets against the ledger per unit and indicator, for one year or cumulative to date."""
    _require_view(request.user)
    units = units_visible_to(request.user)
    year = request.GET.get("year", "").strip()
    plans = _plans(request.user)
    years = sorted({y for p in plans for y in p.years})
    notice = ""
    if year.isdigit():
        plan = _plan_covering(plans, int(year))
        if plan is None:  # said, never replaced by another view of the figures
            return render(request, "assistance/plan.html", {
                "plan": None, "rows": [], "year": year, "years": years, "indicators": [],
                "notice": _("%(year)s年不在任何帮扶工作规划的期限内，没有目标可比。") % {"year": year}})
        rows = plan_progress(plan, units, year=int(year))
        if not any(c.target is not None for row in rows for c in row.cells):
            notice = _("%(plan)s尚未填写%(year)s年的目标：下表只有完成数。") % {"plan": plan.name, "year": year}
    else:
        year = ""
        plan = _plan(plans)
        rows = plan_progress(plan, units, through=min(timezone.localdate(), dt.date(plan.end_year, 12, 31)))
    return render(request, "assistance/plan.html", {
        "plan": plan, "rows": rows, "year": year, "years": years, "notice": notice,
        "indicators": [c.indicator for c in rows[0].cells] if rows else []})


@login_required
def evaluation_view(request):
    _require_view(request.user)
    year = _year(request, timezone.localdate().year - 1)
    plans = _plans(request.user)
    plan = _plan_covering(plans, year) or _plan(plans)
    if year not in plan.years:
        year = min(max(year, plan.start_year), plan.end_year)
    rows = evaluation_rows(plan, units_visible_to(request.user), year)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(evaluation_xlsx(plan, year, rows), content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(f'帮扶成效评价-{year}.xlsx')}"
        return response
    return render(request, "assistance/evaluation.html", {
        "plan": plan, "year": year, "rows": rows, "years": plan.years,
        "indicators": [c.indicator for c in rows[0][0].cells] if rows else []})


@login_required
def briefing(request):
    """The joint meeting's briefing as Word, for the units the user reads."""
    _require_view(request.user)
    form = f.PeriodForm(request.GET or None, initial={"since": "2021-07-01"})
    if request.GET and form.is_valid():
        since = form.cleaned_data["since"]
        until = form.cleaned_data.get("until") or timezone.localdate()
        if until < since:
            form.add_error("until", _("截止日期不能早于起始日期"))
        else:
            units = units_visible_to(request.user).select_related("county")
            if not units.exists():
                raise Http404(_("没有可查看的帮扶单位"))
            buffer = io.BytesIO()
            briefing_write(units=units, since=since, until=until, path=buffer)
            return _download(buffer, f"联席会议简报-{since:%Y%m%d}-{until:%Y%m%d}.docx", DOCX)
    return render(request, "assistance/briefing.html", {"form": form})


@login_required
def unit_report(request, pk: int):
    _require_view(request.user)
    unit = get_object_or_404(units_visible_to(request.user).select_related("county"), pk=pk)
    year = _year(request, timezone.localdate().year)
    buffer = io.BytesIO()
    try:
        unit_report_write(unit=unit, year=year, path=buffer)
    except NoDataError as error:
        messages.error(request, str(error))
        return redirect("assistance:home")
    return _download(buffer, f"{unit.label}-{year}年帮扶工作报告.docx", DOCX)


@login_required
def unit_edit(request, pk: int):
    require_capability(request.user, "assistance.edit")
    unit = get_object_or_404(units_visible_to(request.user), pk=pk)
    if not units_writable_by(request.user).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("只能修改本单位的信息"))
    back = reverse("assistance:unit_detail", args=[unit.pk])
    if request.user.can("assistance.configure"):  # the county: name, kind, lead-unit flag and contacts
        from bangfu.assistance import setup

        form = f.UnitSetupForm(request.POST or None,
                               initial={k: getattr(unit, k) for k in setup.UNIT_SETUP_FIELDS})
        done = _save(request, form, lambda data: setup.unit_configure(actor=request.user, unit=unit, data=data),
                     _("已保存"), back)
    else:  # the unit itself: its contacts
        form = f.UnitContactForm(request.POST or None, initial={k: getattr(unit, k) for k in services.UNIT_FIELDS})
        done = _save(request, form, lambda data: services.unit_update(actor=request.user, unit=unit, data=data),
                     _("已保存"), back)
    links = unit.linked_villages.select_related("village", "village__parent").order_by("village_id")
    return done or render(request, "assistance/form_page.html", {
        "form": form, "title": _("%(unit)s：单位信息和联系人") % {"unit": unit.name}, "back": back,
        "links": links})


# --- cadres, check-ins, leave -----------------------------------------------------------------------------------

@login_required
def cadre_list(request):
    """Cadres with their in-village days this month and year against the county's quota; short ones flagged;
    past cadres (已离任) kept and listed by the filter."""
    from bangfu.assistance.attendance import month_due

    _require_view(request.user)
    today = timezone.localdate()
    filters = f.CadreFilterForm(request.GET or None)
    status = (filters.cleaned_data.get("status") if filters.is_valid() else "") or "serving"
    county = county_of(request.user)
    quota = services.attendance_quota_for(county) if county else None
    due = month_due(quota, today) if quota else 0
    rows = [(c, c.month_days, c.is_resident and c.serving_on(today) and c.month_days < due, c.serving_on(today))
            for c in cadres_listed(request.user, status=status, today=today)]
    writable = set(units_writable_by(request.user).values_list("pk", flat=True))
    leaves = leave_requests_visible_to(request.user).filter(status=LeaveRequest.Status.PENDING,
                                                            start__gte=today).order_by("start")
    from bangfu.assistance.models import AssistanceRole
    from bangfu.assistance.selectors import village_role_gaps

    required, role_rows = village_role_gaps(request.user, today=today)
    return render(request, "assistance/cadres.html", {
        "required": [AssistanceRole(r).label for r in required], "role_rows": role_rows, "status": status,
        "statuses": f.CadreFilterForm.base_fields["status"].choices, "today": today,
        "rows": rows, "quota": quota, "due": due, "writable": writable, "leaves": leaves,
        "cadre_table": CADRE_TABLE.bind(rows, user=request.user),
        "can_add": bool(writable), "can_decide": request.user.can("assistance.approve_leave"),
        **list_export_context(request, "cadres"),
    })


# A resident cadre signs in with a village account; a seconded one (挂职, e.g. 副县长) with a leader's.
LINKABLE_ROLES = ("village_cadre", "leader")


def _linkable_accounts(user):
    """The accounts an account manager may link to a cadre: active, region-bound, in their jurisdiction."""
    if not user.can("accounts.manage"):
        return None
    from bangfu.accounts.selectors import users_visible_to

    return (users_visible_to(user).filter(is_active=True, unit__isnull=True, role__in=LINKABLE_ROLES)
            .select_related("region", "region__parent").order_by("region_id", "username"))


def _cadre_form_save(request, unit, cadre=None):
    def save(data):
        data = dict(data)
        new = {"new_username": data.pop("new_username", ""), "new_password": data.pop("new_password", "")}
        return services.cadre_save(actor=request.user, unit=unit, data=data, cadre=cadre, **new)

    return save


@login_required
def cadre_create(request):
    require_capability(request.user, "assistance.edit")
    unit = _writable_unit(request, request.GET.get("unit"))
    if unit is None:
        return _choose_unit(request, _("添加帮扶干部"))
    form = f.CadreForm(request.POST or None, county_code=unit.county_id, accounts=_linkable_accounts(request.user))
    done = _save(request, form, _cadre_form_save(request, unit), _("已添加帮扶干部"),
                 reverse("assistance:cadre_list"))
    return done or render(request, "assistance/form_page.html", {
        "form": form, "title": _("%(unit)s：添加帮扶干部") % {"unit": unit.label}, "back": reverse("assistance:cadre_list")})


def _cadre(user, pk: int) -> Cadre:
    from bangfu.assistance.selectors import cadre_get_for_user

    cadre = cadre_get_for_user(user, pk)
    if cadre is None:
        raise Http404(_("该干部不存在或不在您的查看范围内"))
    return cadre


def _cadre_to_act_for(user, pk: int, *, check_in: bool = False) -> Cadre:
    """The cadre whose check-in or leave form the user may submit: a reader of other units (a leader, an auditor,
    the lead unit) is not offered a form whose answer would be refused, nor the unit a check-in for a cadre who
    signs in themself."""
    cadre = _cadre(user, pk)
    if not services.cadre_may_act(user, cadre, check_in=check_in):
        if check_in and cadre.user_id:
            raise PermissionDenied(_("该干部已关联本人账号，须由本人签到"))
        raise PermissionDenied(_("只有干部本人或其所在单位可以签到和请假"))
    return cadre


def _cadre_editable(user, pk: int) -> Cadre:
    cadre = _cadre(user, pk)
    if not units_writable_by(user).filter(pk=cadre.unit_id).exists():
        raise PermissionDenied(_("只能修改本单位的干部"))
    return cadre


def _after_cadre_action(user, cadre: Cadre) -> str:
    """Where a check-in or a leave request returns: the cadre's own home for the cadre, the record otherwise."""
    return reverse("web:home") if cadre.user_id == user.pk else reverse("assistance:cadre_detail", args=[cadre.pk])


@login_required
def cadre_detail(request, pk: int):
    """One cadre: term, account, this month's and year's in-village days against the quota, the day log (each day
    counted or not), leave with its decisions, and the record's history."""
    from bangfu.assistance.attendance import attendance_for

    cadre = _cadre(request.user, pk)
    today = timezone.localdate()
    check_ins = list(cadre.check_ins.select_related("village__parent").order_by("-date")[:31])
    leaves = list(cadre.leave_requests.select_related("decided_by").order_by("-start"))
    history = object_history(cadre, also=leaves, limit=50)  # the record and its leave decisions
    return render(request, "assistance/cadre_detail.html", {
        "cadre": cadre, "today": today, "check_ins": check_ins, "leaves": leaves, "history": history,
        "attendance": attendance_for(cadre, today=today) if cadre.is_resident else None,
        "serving": cadre.serving_on(today), "may_act": services.cadre_may_act(request.user, cadre),
        "may_check_in": services.cadre_may_act(request.user, cadre, check_in=True),
        "editable": units_writable_by(request.user).filter(pk=cadre.unit_id).exists(),
        "reader": request.user.can("assistance.view"),
    })


@login_required
def cadre_edit(request, pk: int):
    require_capability(request.user, "assistance.edit")
    cadre = _cadre_editable(request.user, pk)
    accounts = _linkable_accounts(request.user)
    # From the user page's link (用户管理 → 选派干部): the account offered already chosen.
    chosen = request.GET.get("user", "")
    initial = {"user": int(chosen)} if accounts is not None and chosen.isdigit() else None
    form = f.CadreForm(request.POST or None, instance=cadre, county_code=cadre.unit.county_id, accounts=accounts,
                       initial=initial)
    back = reverse("assistance:cadre_detail", args=[cadre.pk])
    done = _save(request, form, _cadre_form_save(request, cadre.unit, cadre), _("已保存"), back)
    return done or render(request, "assistance/form_page.html", {
        "form": form, "title": _("修改干部：%(name)s") % {"name": cadre.name}, "back": back})


@login_required
def cadre_end(request, pk: int):
    """A cadre leaves their post (离任): the date and the reason; the record stays, listed as past."""
    require_capability(request.user, "assistance.edit")
    cadre = _cadre_editable(request.user, pk)
    form = f.CadreEndForm(request.POST or None, initial={"end": timezone.localdate()})
    back = reverse("assistance:cadre_detail", args=[cadre.pk])
    done = _save(request, form, lambda data: services.cadre_term_end(actor=request.user, cadre=cadre, **data),
                 _("已登记离任"), back)
    return done or render(request, "assistance/form_page.html", {
        "form": form, "title": _("%(name)s：离任") % {"name": cadre.name}, "back": back})


@login_required
def check_in(request, pk: int):
    """A resident cadre's check-in and day log, from a phone (coordinates filled in by the browser if allowed);
    a check-in outside the cadre's own village is kept and said not to count."""
    cadre = _cadre_to_act_for(request.user, pk, check_in=True)
    form = f.CheckInForm(request.POST or None, county_code=cadre.unit.county_id,
                         initial={"date": timezone.localdate(), "village": cadre.village_id})
    if request.method == "POST" and form.is_valid():
        try:
            made = services.check_in_record(actor=request.user, cadre=cadre, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            from bangfu.assistance.selectors import village_label

            if made.in_own_village:
                messages.success(request, _("已签到：%(date)s在%(village)s，计入驻村天数") % {
                    "date": made.date.isoformat(), "village": village_label(made.village)})
            else:
                messages.warning(request, _("已签到：%(date)s在%(village)s。不在驻村村，不计入驻村天数") % {
                    "date": made.date.isoformat(), "village": village_label(made.village)})
            return redirect(_after_cadre_action(request.user, cadre))
    recent = cadre.check_ins.select_related("village__parent")[:10]  # the village's label names its township
    return render(request, "assistance/check_in.html", {"form": form, "cadre": cadre, "recent": recent})


@login_required
def leave_submit(request, pk: int):
    cadre = _cadre_to_act_for(request.user, pk)
    form = f.LeaveForm(request.POST or None)
    done = _save(request, form, lambda data: services.leave_request_submit(actor=request.user, cadre=cadre, **data),
                 _("已提交请假申请"), _after_cadre_action(request.user, cadre))
    return done or render(request, "assistance/form_page.html", {
        "form": form, "title": _("%(name)s：请假申请") % {"name": cadre.name},
        "back": _after_cadre_action(request.user, cadre)})


@login_required
def leave_list(request):
    """请假审批: the leave of resident cadres in the approver's region, pending first (with the buttons where the
    approver may decide), then closed (past, undecided) and decided ones."""
    require_capability(request.user, "assistance.approve_leave")
    today = timezone.localdate()
    leaves = leave_requests_visible_to(request.user).select_related("cadre__village__parent", "decided_by")
    pending = [(leave, services.leave_may_decide(request.user, leave))
               for leave in leaves.filter(status=LeaveRequest.Status.PENDING, start__gte=today).order_by("start")]
    closed = leaves.filter(status=LeaveRequest.Status.PENDING, start__lt=today).order_by("-start")[:20]
    decided = leaves.exclude(status=LeaveRequest.Status.PENDING).order_by("-decided_at", "-id")[:30]
    return render(request, "assistance/leave_list.html", {
        "pending": pending, "closed": closed, "decided": decided, "today": today,
        "reader": request.user.can("assistance.view"),
    })


@login_required
@require_POST
def leave_decide(request, pk: int):
    require_capability(request.user, "assistance.approve_leave")
    leave = get_object_or_404(leave_requests_visible_to(request.user), pk=pk)
    form = f.LeaveDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect("assistance:leave_list")
    try:
        services.leave_request_decide(actor=request.user, leave=leave, approve=form.cleaned_data["approve"] == "1",
                                      note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已审批：%(name)s %(start)s至%(end)s，%(status)s") % {
            "name": leave.cadre.name, "start": leave.start.isoformat(), "end": leave.end.isoformat(),
            "status": LeaveRequest.objects.get(pk=leave.pk).get_status_display()})
    return redirect("assistance:leave_list")


# --- joint meetings and tasks -----------------------------------------------------------------------------------

@login_required
def meeting_list(request):
    """Joint meetings and the lead unit's board of tasks (overdue first)."""
    _require_view(request.user)
    today = timezone.localdate()
    tasks = list(tasks_visible_to(request.user).select_related("owner_unit").order_by("status", "deadline"))
    coordinator = _can_coordinate(request.user)
    writable = set(units_writable_by(request.user).values_list("pk", flat=True))
    for task in tasks:  # the service's own rule: the coordinator, or the unit that owns the task
        task.may_update = coordinator or task.owner_unit_id in writable
    return render(request, "assistance/meetings.html", {
        "meetings": meetings_visible_to(request.user), "tasks": tasks, "today": today,
        "task_table": TASK_TABLE.bind(tasks, user=request.user),
        "can_coordinate": _can_coordinate(request.user), **list_export_context(request, "tasks")})


def _can_coordinate(user) -> bool:
    return user.can("assistance.coordinate") and (not user.unit_id or user.unit.is_lead)


@login_required
def meeting_create(request):
    if not _can_coordinate(request.user):
        raise PermissionDenied(_("联席会议由牵头单位组织"))
    county = county_of(request.user)
    form = f.MeetingForm(request.POST or None)
    form.fields["units"].queryset = units_visible_to(request.user)
    done = _save(request, form, lambda data: services.meeting_save(
        actor=request.user, county_code=county, units=list(data["units"]), data=data),
        _("已保存联席会议"), reverse("assistance:meeting_list"))
    return done or render(request, "assistance/form_page.html", {
        "form": form, "title": _("新建联席会议"), "back": reverse("assistance:meeting_list")})


@login_required
def meeting_edit(request, pk: int):
    """The coordinator completes the meeting: attending units, agenda, minutes."""
    if not _can_coordinate(request.user):
        raise PermissionDenied(_("联席会议由牵头单位组织"))
    meeting = _meeting(request.user, pk)
    form = f.MeetingForm(request.POST or None, instance=JointMeeting.objects.get(pk=meeting.pk))
    form.fields["units"].queryset = units_visible_to(request.user)
    url = reverse("assistance:meeting_detail", args=[meeting.pk])
    done = _save(request, form, lambda data: services.meeting_save(
        actor=request.user, county_code=meeting.county_id, units=list(data["units"]), data=data, meeting=meeting),
        _("已保存联席会议"), url)
    return done or render(request, "assistance/form_page.html", {
        "form": form, "title": _("修改联席会议"), "back": url})


def _meeting(user, pk: int) -> JointMeeting:
    return get_object_or_404(meetings_visible_to(user), pk=pk)


@login_required
def meeting_detail(request, pk: int):
    """The meeting record: the county's report and needs, the plan reviewed, each unit's report and next steps in
    speaking order, cadres' speeches, requirements and decisions; the 简报 and the minutes as Word."""
    _require_view(request.user)
    meeting = _meeting(request.user, pk)
    visible = units_visible_to(request.user)
    writable = set(units_writable_by(request.user).values_list("pk", flat=True))
    rows = [(u, report, u.pk in writable) for u, report in speaking_order(meeting, visible)]
    can_coordinate = _can_coordinate(request.user)
    task_form = f.TaskForm()
    task_form.fields["owner_unit"].queryset = meeting.units.all()
    speech_form = f.SpeechForm()
    speech_form.fields["cadre"].queryset = Cadre.objects.filter(unit__in=meeting.units.all()).select_related("unit")
    need_form = f.NeedForm()
    need_form.fields["owner_unit"].queryset = meeting.units.all()
    return render(request, "assistance/meeting_detail.html", {
        "meeting": meeting, "rows": rows,
        "tasks": meeting.tasks.filter(owner_unit__in=visible).select_related("owner_unit"),
        "needs": meeting.needs.select_related("owner_unit"), "writable": writable,
        "speeches": meeting.speeches.filter(cadre__unit__in=visible).select_related(
            "cadre", "cadre__unit", "cadre__village", "cadre__village__parent"),
        "today": timezone.localdate(), "can_coordinate": can_coordinate, "task_form": task_form,
        "speech_form": speech_form, "need_form": need_form, "units": meeting.units.all()})


@login_required
def meeting_briefing(request, pk: int):
    """The 简报 of this meeting (the same document as `bangfu report briefing --meeting`), for the units the
    reader sees."""
    _require_view(request.user)
    meeting = _meeting(request.user, pk)
    units = units_visible_to(request.user).filter(county_id=meeting.county_id).select_related("county")
    buffer = io.BytesIO()
    briefing_write(units=units, meeting=meeting, path=buffer)
    return _download(buffer, f"联席会议简报-{meeting.date:%Y%m%d}.docx", DOCX)


@login_required
def meeting_minutes(request, pk: int):
    _require_view(request.user)
    meeting = _meeting(request.user, pk)
    units = units_visible_to(request.user).filter(county_id=meeting.county_id)
    buffer = io.BytesIO()
    minutes_write(meeting=meeting, units=units, path=buffer)
    return _download(buffer, f"联席会议纪要-{meeting.date:%Y%m%d}.docx", DOCX)


@login_required
@require_POST
def unit_report_edit(request, pk: int, unit_pk: int):
    """Draft the unit's report from its ledger (action=draft), or save the edited text and next steps; the
    coordinator also sets the speaking order."""
    meeting = _meeting(request.user, pk)
    unit = get_object_or_404(units_visible_to(request.user), pk=unit_pk)
    if request.POST.get("action") != "order":
        require_capability(request.user, "assistance.edit")
    try:
        if request.POST.get("action") == "order":
            position = request.POST.get("position", "").strip()
            if not position.isdigit():
                raise ValidationError({"position": _("发言顺序应为0到99之间的整数")})
            services.report_position_set(actor=request.user, meeting=meeting, unit=unit, position=int(position))
        elif request.POST.get("action") == "draft":
            services.unit_report_draft(actor=request.user, meeting=meeting, unit=unit)
        else:
            position = request.POST.get("position", "").strip()
            if position and not position.isdigit():
                raise ValidationError({"position": _("发言顺序应为0到99之间的整数")})
            services.unit_report_save(
                actor=request.user, meeting=meeting, unit=unit, text=request.POST.get("text", ""),
                next_steps=request.POST.get("next_steps"),
                position=int(position) if position and _can_coordinate(request.user) else None)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已保存%(unit)s的汇报") % {"unit": unit.label})
    return redirect("assistance:meeting_detail", meeting.pk)


def _require_coordinate(user) -> None:
    if not _can_coordinate(user):
        raise PermissionDenied(_("联席会议由牵头单位组织"))


def _form_error(form) -> str:
    return " ".join(f"{form.fields[k].label if k in form.fields else ''}：{' '.join(v)}" for k, v in form.errors.items())


@login_required
@require_POST
def speech_create(request, pk: int):
    _require_coordinate(request.user)
    meeting = _meeting(request.user, pk)
    form = f.SpeechForm(request.POST)
    form.fields["cadre"].queryset = cadres_visible_to(request.user).filter(unit__in=meeting.units.all())
    if form.is_valid():
        try:
            services.speech_save(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已记录干部发言"))
    else:
        messages.error(request, _form_error(form))
    return redirect("assistance:meeting_detail", meeting.pk)


@login_required
@require_POST
def speech_delete(request, pk: int, speech_pk: int):
    _require_coordinate(request.user)
    meeting = _meeting(request.user, pk)
    speech = get_object_or_404(CadreSpeech.objects.select_related("meeting"), pk=speech_pk, meeting=meeting)
    services.speech_delete(actor=request.user, speech=speech)
    messages.success(request, _("已删除干部发言"))
    return redirect("assistance:meeting_detail", meeting.pk)


@login_required
@require_POST
def need_create(request, pk: int):
    _require_coordinate(request.user)
    meeting = _meeting(request.user, pk)
    form = f.NeedForm(request.POST)
    form.fields["owner_unit"].queryset = meeting.units.all()
    if form.is_valid():
        try:
            services.need_create(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已添加帮扶需求"))
    else:
        messages.error(request, _form_error(form))
    return redirect("assistance:meeting_detail", meeting.pk)


@login_required
@require_POST
def need_update(request, pk: int, need_pk: int):
    meeting = _meeting(request.user, pk)
    need = get_object_or_404(AssistanceNeed, pk=need_pk, meeting=meeting)
    form = f.NeedProgressForm(request.POST)
    if form.is_valid():
        owner_id = form.cleaned_data.get("owner_unit")
        owner = get_object_or_404(meeting.units.all(), pk=owner_id) if owner_id else None
        try:
            services.need_update(actor=request.user, need=need, status=form.cleaned_data["status"],
                                 progress=form.cleaned_data["progress"], owner_unit=owner)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已更新帮扶需求"))
    else:
        messages.error(request, _form_error(form))
    return redirect("assistance:meeting_detail", meeting.pk)


@login_required
@require_POST
def task_create(request, pk: int):
    meeting = _meeting(request.user, pk)
    form = f.TaskForm(request.POST)
    form.fields["owner_unit"].queryset = meeting.units.all()
    if form.is_valid():
        try:
            services.task_create(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已添加督办事项"))
    else:
        messages.error(request, " ".join(f"{form.fields[k].label}：{' '.join(v)}" for k, v in form.errors.items()))
    return redirect("assistance:meeting_detail", meeting.pk)


@login_required
@require_POST
def task_update(request, pk: int):
    task = get_object_or_404(tasks_visible_to(request.user), pk=pk)
    form = f.TaskProgressForm(request.POST)
    if form.is_valid():
        try:
            services.task_update(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已更新督办事项"))
    return redirect("assistance:meeting_list")


# --- findings and rectification -----------------------------------------------------------------------------------

@login_required
def finding_list(request):
    _require_view(request.user)
    findings = findings_visible_to(request.user).order_by("status", "deadline")
    by_state = {s: 0 for s in Finding.Status.values}
    for finding in findings:
        by_state[finding.status] += 1
    return render(request, "assistance/findings.html", {
        "findings": findings, "today": timezone.localdate(),
        "by_state": [(label, by_state[value]) for value, label in Finding.Status.choices],
        "can_create": request.user.can("assistance.file_finding"), **list_export_context(request, "findings")})


@login_required
def finding_create(request):
    require_capability(request.user, "assistance.file_finding")
    county = county_of(request.user)
    form = f.FindingForm(request.POST or None)
    form.fields["owner_unit"].queryset = units_visible_to(request.user)
    done = _save(request, form, lambda data: services.finding_create(actor=request.user, county_code=county,
                                                                     data=data),
                 _("已登记整改问题"), reverse("assistance:finding_list"))
    return done or render(request, "assistance/form_page.html", {
        "form": form, "title": _("登记考核评估发现问题"), "back": reverse("assistance:finding_list")})


@login_required
def finding_detail(request, pk: int):
    _require_view(request.user)
    # with what it points to: its history names them without more queries
    finding = get_object_or_404(findings_visible_to(request.user).select_related("county", "signed_off_by"), pk=pk)
    form = f.RectifyForm(request.POST or None, initial={"measures": finding.measures})
    url = reverse("assistance:finding_detail", args=[finding.pk])
    done = _save(request, form, lambda data: services.finding_rectify(actor=request.user, finding=finding, **data),
                 _("已保存整改情况"), url)
    if done:
        return done
    may_write = (request.user.can("assistance.configure") or (finding.owner_unit_id and units_writable_by(
        request.user).filter(pk=finding.owner_unit_id).exists()))
    return render(request, "assistance/finding_detail.html", {
        "finding": finding, "form": form, "may_write": may_write, "today": timezone.localdate(),
        "evidence": EvidenceFile.objects.filter(record_type="finding", record_id=finding.pk).order_by("id"),
        "evidence_form": f.EvidenceForm(), "can_sign_off": request.user.can("assistance.configure"),
        "return_form": f.FindingReturnForm(prefix="r") if request.user.can("assistance.configure") else None,
        "history": object_history(finding)})


@login_required
@require_POST
def finding_return(request, pk: int):
    """The county sends a rectification back to its owner with the reason (kept in the item's history)."""
    require_capability(request.user, "assistance.configure")
    finding = get_object_or_404(findings_visible_to(request.user), pk=pk)
    form = f.FindingReturnForm(request.POST, prefix="r")
    try:
        if not form.is_valid():
            raise ValidationError({"reason": _("退回整改须说明原因")})
        services.finding_return(actor=request.user, finding=finding, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已退回整改"))
    return redirect("assistance:finding_detail", finding.pk)


@login_required
@require_POST
def finding_evidence(request, pk: int):
    _require_view(request.user)
    finding = get_object_or_404(findings_visible_to(request.user), pk=pk)
    _attach(request, finding)
    return redirect("assistance:finding_detail", finding.pk)


@login_required
@require_POST
def finding_sign_off(request, pk: int):
    require_capability(request.user, "assistance.configure")
    finding = get_object_or_404(findings_visible_to(request.user), pk=pk)
    try:
        services.finding_sign_off(actor=request.user, finding=finding)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已销号"))
    return redirect("assistance:finding_detail", finding.pk)


# --- the county's configuration ----------------------------------------------------------------------------------

@login_required
def settings_view(request):
    """Grades, attendance quota, village role requirements, county indicators and plan targets; each save audited."""
    from bangfu.assistance.models import CountyIndicator, EvaluationGrade
    from bangfu.reports.assistance_indicators import DEFAULT_GRADES, indicators_for

    _require_view(request.user)
    county = county_of(request.user)
    if not county:
        raise Http404(_("没有可查看的帮扶县"))
    plans = plans_in_order(request.user)
    plan = plan_covering(plans, timezone.localdate().year) or (plans[0] if plans else None)
    grades = list(config_rows(EvaluationGrade, county, field="county").values_list("label", "min_score")) or list(
        DEFAULT_GRADES)
    quota = services.attendance_quota_for(county)
    from bangfu.assistance.models import VillageRoleRequirement

    roles = list(config_rows(VillageRoleRequirement, county, field="county").values_list("role", flat=True))
    which = request.POST.get("form") if request.method == "POST" else None
    initial_grades = {}
    for n, (label, minimum) in enumerate(grades[:4], start=1):
        initial_grades.update({f"label_{n}": label, f"min_{n}": minimum})
    forms_ = {
        "grades": f.GradesForm(request.POST if which == "grades" else None, initial=initial_grades, prefix="g"),
        "quota": f.QuotaForm(request.POST if which == "quota" else None, prefix="q", initial={
            "days_per_month": quota.days_per_month, "days_per_year": quota.days_per_year,
            "township_approves_up_to": quota.township_approves_up_to}),
        "roles": f.RolesForm(request.POST if which == "roles" else None, prefix="r", initial={"roles": roles}),
        "indicator": f.CountyIndicatorForm(request.POST if which == "indicator" else None, prefix="i"),
        "target": f.TargetForm(request.POST if which == "target" else None, prefix="t",
                               units=units_visible_to(request.user), indicators=indicators_for(county)),
    }
    saves = {
        "grades": lambda form: services.evaluation_grades_save(actor=request.user, county_code=county,
                                                               grades=form.grades()),
        "quota": lambda form: services.attendance_quota_save(actor=request.user, county_code=county,
                                                             **form.cleaned_data),
        "roles": lambda form: services.village_roles_save(actor=request.user, county_code=county,
                                                          roles=form.cleaned_data["roles"]),
        "indicator": lambda form: services.county_indicator_add(actor=request.user, county_code=county,
                                                                data=form.cleaned_data),
        "target": lambda form: services.plan_target_set(actor=request.user, plan=plan, **form.cleaned_data),
    }
    if which in forms_:
        allowed = _can_coordinate(request.user) if which == "target" else False
        if not (allowed or request.user.can("assistance.configure")):
            raise PermissionDenied(_("帮扶工作设置由县设定，规划目标由县或牵头单位设定"))
        form = forms_[which]
        if which == "target" and plan is None:
            raise Http404(_("尚未录入帮扶工作规划"))
        if form.is_valid():
            try:
                saves[which](form)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已保存"))
                return redirect("assistance:settings")
    from bangfu.web.config_sources import provenance

    return render(request, "assistance/settings.html", {
        "sources": {name: provenance(name, request.user, county)
                    for name in ("evaluation_grades", "attendance_quota", "village_roles")},
        "forms": forms_, "plan": plan, "indicators": CountyIndicator.objects.filter(county_id=county),
        "can_configure": request.user.can("assistance.configure"),
        "can_set_targets": request.user.can("assistance.configure") or _can_coordinate(request.user)})
