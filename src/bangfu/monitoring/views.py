import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.jobs.context import starts_jobs
from bangfu.jobs.services import JobBusy
from bangfu.monitoring.feed_import import FeedFileError, feed_file_check, feed_upload_commit
from bangfu.monitoring.feeds import FEED_KINDS
from bangfu.monitoring.forms import (
    FeedUploadForm,
    LeadForm,
    MonitoringLineForm,
    RuleForm,
    SelfReportForm,
    WarningFilterForm,
    WarningVerifyForm,
)
from bangfu.monitoring.models import Lead, RiskWarning, Rule
from bangfu.monitoring.selectors import (
    feed_uploads_visible_to,
    leads_visible_to,
    monitoring_lines_for_user,
    screening_runs,
    screening_township_counts,
    township_names,
    warning_counts_by_rule,
    warning_filter_from,
    warning_get_for_user,
    warning_is_overdue,
    warnings_filtered,
)
from bangfu.monitoring.services import (
    lead_from_visit,
    lead_self_report,
    monitoring_line_save,
    rule_update,
    screening_start,
    warning_verify,
)
from bangfu.regions.models import Region
from bangfu.registry.selectors import household_get_for_user
from bangfu.web.exports import list_export_context
from bangfu.web.helpers import form_errors_from, require_capability


def _county_of(user) -> Region | None:
    if not user.region_id:
        return None
    return Region.objects.filter(code=user.region.code[:6].ljust(12, "0")).first()


@login_required
def monitoring_lines(request):
    """The monitoring line per year: what is in force here, and the county's own setting."""
    if not request.user.region_id:
        raise PermissionDenied(_("监测范围按区划设定，您的账号未绑定区划"))
    can_configure = request.user.can("monitoring.configure")
    county = _county_of(request.user)
    form = MonitoringLineForm(request.POST or None)
    if request.method == "POST":
        if not can_configure:
            raise PermissionDenied(_("您的角色不能修改监测范围"))
        if form.is_valid():
            try:
                line = monitoring_line_save(actor=request.user, region=county, **form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已设置%(region)s%(year)s年监测线为 %(amount)s 元") % {
                    "region": line.region.name, "year": line.year, "amount": line.amount})
                return redirect("monitoring:lines")
    return render(request, "monitoring/lines.html", {
        "rows": monitoring_lines_for_user(request.user), "form": form, "county": county,
        "can_configure": can_configure, **list_export_context(request, "monitoring-lines"),
    })


# --- the warning queue -------------------------------------------------------------------------------------


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
def warning_list(request):
    """The queue: a village sees its warnings to verify; a township or the county its subtree, with counts by rule
    and what is overdue."""
    require_capability(request.user, "registry.view")
    form = WarningFilterForm(request.GET or None, rules=list(Rule.objects.filter(is_exclusion=False)))
    flt = warning_filter_from(form.cleaned_data if form.is_valid() else {})
    page = Paginator(warnings_filtered(request.user, flt), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    for warning in page.object_list:
        warning.overdue = warning_is_overdue(warning, now)
    selected = Region.objects.filter(code=flt.region_code).first() if flt.region_code else None
    return render(request, "monitoring/warning_list.html", {
        "form": form, "page": page, "counts": warning_counts_by_rule(request.user, region_code=flt.region_code),
        "selected_region": selected, "query_without_page": _query_without(request, "page"),
        "can_screen": request.user.can("monitoring.screen"), **list_export_context(request, "warnings"),
    })


@login_required
def warning_detail(request, pk: int):
    """One warning: its evidence, the household, and (for the village) the verification form."""
    require_capability(request.user, "registry.view")
    warning = warning_get_for_user(request.user, pk=pk)
    can_verify = warning.state == RiskWarning.State.OPEN and request.user.can("monitoring.verify")
    form = WarningVerifyForm(request.POST or None, initial={"visit_date": dt.date.today()})
    if request.method == "POST":
        if not can_verify:
            raise PermissionDenied(_("您不能核实该预警"))
        if form.is_valid():
            try:
                warning_verify(actor=request.user, warning=warning, **form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已记录核实结果"))
                return redirect("monitoring:warning_detail", pk=warning.pk)
    return render(request, "monitoring/warning_detail.html", {
        "warning": warning, "form": form, "can_verify": can_verify, "overdue": warning_is_overdue(warning),
        "lead": Lead.objects.filter(warning=warning).first(),
    })


# --- leads -------------------------------------------------------------------------------------------------


@login_required
def lead_list(request):
    require_capability(request.user, "registry.view")
    page = Paginator(leads_visible_to(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "monitoring/lead_list.html", {"page": page, "query_without_page": "",
                                                         **list_export_context(request, "leads")})


@login_required
def lead_create(request, household_pk: int):
    """A cadre's visit raises a lead for a household of their village (基层干部排查)."""
    require_capability(request.user, "monitoring.lead")
    household = household_get_for_user(request.user, pk=household_pk)
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead_from_visit(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已登记识别线索"))
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "monitoring/lead_form.html", {"form": form, "household": household})


def self_report(request):
    """农户自主申报: no login, reachable by link or QR code. Lands as a lead for the village."""
    county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
    villages = []
    if county:
        villages = [(v.code, f"{v.parent.name if v.parent_id else ''} {v.name}") for v in Region.objects.filter(
            level=Region.Level.VILLAGE, code__startswith=county.code[:6]).select_related("parent").order_by("code")]
    form = SelfReportForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.pop("website"):
            return redirect("monitoring:self_report_done")  # a robot filled the hidden field: accept, keep nothing
        try:
            lead_self_report(**{("village_code" if k == "village" else k): v for k, v in form.cleaned_data.items()},
                             client=request.META.get("REMOTE_ADDR", ""))
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            return redirect("monitoring:self_report_done")
    return render(request, "monitoring/self_report.html", {"form": form})


def self_report_done(request):
    return render(request, "monitoring/self_report_done.html")


# --- rules and screening -----------------------------------------------------------------------------------


@login_required
def rule_list(request):
    """The warning rules: what each one looks for, its thresholds, whether it is on, its deadline."""
    require_capability(request.user, "registry.view")
    return render(request, "monitoring/rule_list.html", {
        "rules": Rule.objects.all(), "can_configure": request.user.can("monitoring.configure"),
        **list_export_context(request, "rules")})


@login_required
def rule_edit(request, pk: int):
    require_capability(request.user, "monitoring.configure")
    rule = get_object_or_404(Rule, pk=pk)
    form = RuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            rule_update(actor=request.user, rule=rule, params=form.params(), enabled=form.cleaned_data["enabled"],
                        verify_days=form.cleaned_data["verify_days"], reason=form.cleaned_data["reason"])
        except ValidationError as error:
            for key, msgs in error.message_dict.items():
                form.add_error(f"param_{key}" if f"param_{key}" in form.fields else
                               (key if key in form.fields else None), msgs)
        else:
            messages.success(request, _("已保存规则“%(name)s”") % {"name": rule.name})
            return redirect("monitoring:rule_list")
    return render(request, "monitoring/rule_edit.html", {"form": form, "rule": rule})


@login_required
@starts_jobs
def screening_list(request):
    """Screening runs (who, inputs, counts by rule and township, duration); the county starts one here."""
    can_screen = request.user.can("monitoring.screen")
    if not (can_screen or request.user.can("monitoring.verify")):
        raise PermissionDenied(_("您的角色不能查看筛查记录"))
    if request.method == "POST":
        if not can_screen:
            raise PermissionDenied(_("您的角色不能发起筛查"))
        try:
            job = screening_start(actor=request.user)
        except JobBusy as busy:
            messages.error(request, busy.messages[0])
            return redirect("monitoring:screening_list")
        return redirect("jobs:job_detail", pk=job.pk)
    names = dict(Rule.objects.values_list("code", "name"))
    townships = township_names()
    page = Paginator(screening_runs(), 20).get_page(request.GET.get("page"))
    for run in page.object_list:
        run.rule_rows = [(code, names.get(code, code), n) for code, n in run.counts_by_rule.items()]
        run.township_rows = screening_township_counts(request.user, run, townships)
    return render(request, "monitoring/screening_list.html", {"page": page, "can_screen": can_screen,
                                                              "query_without_page": "",
                                                              **list_export_context(request, "screening-runs")})


# --- department files --------------------------------------------------------------------------------------


def _staged_dir() -> Path:
    path = Path(settings.VAR_DIR) / "feeds" / "staged"
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
def feed_upload(request):
    """Upload a month's department file: the preview shows every problem row; nothing is written until the
    operator accepts."""
    require_capability(request.user, "monitoring.feed_upload")
    form = FeedUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()[:6]
        staged = _staged_dir() / f"{uuid.uuid4().hex}{suffix}"
        with staged.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        kind, period = form.cleaned_data["kind"], form.cleaned_data["period"]
        try:
            report = feed_file_check(actor=request.user, kind=kind, period=period, path=staged)
        except FeedFileError as error:
            staged.unlink(missing_ok=True)
            form.add_error("file", error.message)
        except ValidationError as error:
            staged.unlink(missing_ok=True)
            form_errors_from(form, error)
        else:
            token = signing.dumps({"user": request.user.pk, "file": staged.name, "kind": kind, "period": period,
                                   "name": upload.name[:200]}, salt="feed-upload")
            return render(request, "monitoring/feed_preview.html", {
                "report": report, "errors": report.errors[:500], "token": token, "file_name": upload.name,
                "kind": FEED_KINDS[kind], "period": period})
    return render(request, "monitoring/feed_upload.html", {
        "form": form, "uploads": feed_uploads_visible_to(request.user)[:30], "kinds": FEED_KINDS.values(),
        **list_export_context(request, "feed-uploads")})


@login_required
@require_POST
def feed_commit(request):
    """The operator's decision on a previewed file: accept (write the good rows) or reject (write nothing)."""
    require_capability(request.user, "monitoring.feed_upload")
    try:
        staged = signing.loads(request.POST.get("token", ""), salt="feed-upload", max_age=3600)
    except signing.BadSignature:
        raise PermissionDenied(_("预览已失效，请重新上传")) from None
    if staged["user"] != request.user.pk:
        raise PermissionDenied(_("只能确认自己上传的文件"))
    path = _staged_dir() / Path(staged["file"]).name
    if not path.is_file():
        messages.error(request, _("预览已处理或已失效，请重新上传"))
        return redirect("monitoring:feed_upload")
    try:
        if request.POST.get("decision") == "accept":
            upload, report = feed_upload_commit(actor=request.user, kind=staged["kind"], period=staged["period"],
                                                path=path, file_name=staged["name"])
            messages.success(request, _("已导入 %(matched)s 行；%(other)s 行未导入（见问题清单）") % {
                "matched": report.matched, "other": report.unmatched + report.invalid})
        else:
            messages.info(request, _("已放弃该文件，未写入任何数据"))
    finally:
        path.unlink(missing_ok=True)
    return redirect("monitoring:feed_upload")
