import datetime as dt
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.cases.choices import OPEN_STATES
from bangfu.cases.selectors import cases_visible_to
from bangfu.jobs.context import starts_jobs
from bangfu.monitoring.feeds import FEED_KINDS
from bangfu.monitoring.forms import (
    FeedUploadForm,
    LeadForm,
    MonitoringLineForm,
    RuleForm,
    SelfReportForm,
    WarningFilterForm,
    WarningFollowForm,
    WarningVerifyForm,
)
from bangfu.monitoring.models import Lead, RiskWarning, Rule
from bangfu.monitoring.selectors import (
    feed_uploads_visible_to,
    leads_filtered,
    monitoring_lines_for_user,
    screening_changes,
    screening_rule_counts,
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
    warning_follow_up,
    warning_verify,
)
from bangfu.monitoring.tables import LEAD_TABLE, WARNING_TABLE
from bangfu.regions.config import config_rows
from bangfu.regions.models import Region
from bangfu.registry.forms import grouped_village_choices
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
    from bangfu.regions.config import ConfigProvenance, config_can_edit

    editable = bool(county) and config_can_edit(request.user, county.code, "monitoring.configure")
    rows = monitoring_lines_for_user(request.user)
    for row in rows:  # each year's line in force: this region's own, an enclosing region's
        row["source"] = ConfigProvenance(row["in_force"].region, county.code if county else None,
                                         editable=editable)
    return render(request, "monitoring/lines.html", {
        "rows": rows, "form": form, "county": county, "can_configure": can_configure, "editable": editable,
        "self_source": ConfigProvenance(None, county.code if county else None, editable=editable,
                                        level=county.level if county else None),
        **list_export_context(request, "monitoring-lines"),
    })


@login_required
@require_POST
def monitoring_line_revert_view(request, year: int):
    """恢复为上级设置 for one year: the administrator's region drops its own line (the service refuses anyone else)."""
    from bangfu.monitoring.services import monitoring_line_revert

    county = _county_of(request.user)
    if county is None:
        raise PermissionDenied(_("监测范围按区划设定，您的账号未绑定区划"))
    try:
        monitoring_line_revert(actor=request.user, region=county, year=year)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("%(year)s年监测线已恢复为上级设置") % {"year": year})
    return redirect("monitoring:lines")


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
    form = WarningFilterForm(request.GET or None,
                             rules=list(config_rows(Rule, request.user.region_id).filter(is_exclusion=False)))
    flt = warning_filter_from(form.cleaned_data if form.is_valid() else {})
    page = Paginator(warnings_filtered(request.user, flt), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    for warning in page.object_list:
        warning.overdue = warning_is_overdue(warning, now)
    selected = Region.objects.filter(code=flt.region_code).first() if flt.region_code else None
    counts = warning_counts_by_rule(request.user, region_code=flt.region_code)
    words = [f"{form.fields[name].label}：{dict(form.fields[name].choices).get(form.cleaned_data[name])}"
             for name in ("rule", "state", "kind") if form.is_valid() and form.cleaned_data.get(name)]
    words += [str(form.fields[name].label) for name in ("overdue", "suspected")
              if form.is_valid() and form.cleaned_data.get(name)]
    return render(request, "monitoring/warning_list.html", {
        "form": form, "page": page, "counts": counts, "open_total": sum(row["open"] for row in counts),
        "table": WARNING_TABLE.bind(page.object_list, user=request.user), "filter_words": words,
        "selected_region": selected, "query_without_page": _query_without(request, "page"),
        "can_screen": request.user.can("monitoring.screen"), **list_export_context(request, "warnings"),
    })


@login_required
def warning_detail(request, pk: int):
    """One warning: its evidence, the household, and (for the village) the verification form."""
    require_capability(request.user, "registry.view")
    warning = warning_get_for_user(request.user, pk=pk)
    can_act = warning.state == RiskWarning.State.OPEN and request.user.can("monitoring.verify")
    # A warning on a household monitored with its risk open is followed with its case, not verified.
    follow = warning.to_follow
    if follow:
        form = WarningFollowForm(request.POST or None)
    else:
        form = WarningVerifyForm(request.POST or None, initial={"visit_date": dt.date.today()})
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied(_("您不能核实该预警"))
        if form.is_valid():
            try:
                if follow:
                    warning_follow_up(actor=request.user, warning=warning, **form.cleaned_data)
                else:
                    warning_verify(actor=request.user, warning=warning, **form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已随案跟进") if follow else _("已记录核实结果"))
                return redirect("monitoring:warning_detail", pk=warning.pk)
    return render(request, "monitoring/warning_detail.html", {
        "warning": warning, "form": form, "can_verify": can_act and not follow, "can_follow": can_act and follow,
        "overdue": warning_is_overdue(warning),
        "open_case": (cases_visible_to(request.user).filter(household_id=warning.household_id, state__in=OPEN_STATES)
                      .order_by("-opened_at", "-id").first() if can_act else None),
        "lead": Lead.objects.filter(warning=warning).first(),
    })


# --- leads -------------------------------------------------------------------------------------------------


@login_required
def lead_list(request):
    require_capability(request.user, "registry.view")
    state, source = request.GET.get("state", ""), request.GET.get("source", "")
    page = Paginator(leads_filtered(request.user, state=state, source=source), 50).get_page(request.GET.get("page"))
    return render(request, "monitoring/lead_list.html", {
        "page": page, "table": LEAD_TABLE.bind(page.object_list, user=request.user), "query_without_page": _query_without(request, "page"), "state": state, "source": source,
        "states": Lead.State.choices, "sources": Lead.Source.choices, **list_export_context(request, "leads")})


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
    """农户自主申报: no login, reachable by link or QR code. Lands as a lead for the village. The person chooses
    the county, then the village (a county's QR code carries ?county=its code); with one county it is chosen."""
    counties = list(Region.objects.filter(level=Region.Level.COUNTY, valid_to__isnull=True).order_by("code"))
    wanted = (request.GET.get("county") or "").strip()[:6]
    county = next((c for c in counties if c.code[:6] == wanted), None)
    if county is None and len(counties) == 1:
        county = counties[0]
    villages = []
    if county:
        # 112 villages in one flat list look alike: grouped by township (the household form's own grouping).
        villages = grouped_village_choices(Region.objects.filter(
            level=Region.Level.VILLAGE, code__startswith=county.code[:6]))[1:]
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
    return render(request, "monitoring/self_report.html", {"form": form, "counties": counties, "county": county})


def self_report_done(request):
    return render(request, "monitoring/self_report_done.html")


# --- rules and screening -----------------------------------------------------------------------------------


@login_required
def rule_list(request):
    """The warning rules: what each one looks for, its thresholds, whether it is on, its deadline."""
    require_capability(request.user, "registry.view")
    from bangfu.monitoring.rules import rule_description, rule_params_text
    from bangfu.web.config_sources import provenance

    rules = list(config_rows(Rule, request.user.region_id))
    for rule in rules:
        rule.params_text = rule_params_text(rule.code, rule.params)
        rule.description_text = rule_description(rule.code, rule.params, rule.description)
    return render(request, "monitoring/rule_list.html", {
        "rules": rules, "can_configure": request.user.can("monitoring.configure"),
        "source": provenance("rules", request.user, request.user.region_id),
        **list_export_context(request, "rules")})


@login_required
def rule_edit(request, pk: int):
    require_capability(request.user, "monitoring.configure")
    # The rules in force where the administrator sits (their own, or those they would take over by editing).
    rule = get_object_or_404(config_rows(Rule, request.user.region_id), pk=pk)
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
    from bangfu.monitoring.rules import rule_description
    from bangfu.web.config_sources import provenance

    return render(request, "monitoring/rule_edit.html", {
        "form": form, "rule": rule, "description": rule_description(rule.code, rule.params, rule.description),
        "source": provenance("rules", request.user, request.user.region_id)})


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
        except ValidationError as refused:  # one already running (JobBusy, ScreeningBusy), an engine set wrong
            messages.error(request, "；".join(refused.messages))
            return redirect("monitoring:screening_list")
        return redirect("jobs:job_detail", pk=job.pk)
    rules = list(Rule.objects.values_list("code", "name", "is_exclusion"))
    names = {code: name for code, name, _exclusion in rules}
    # The comparisons (信息比对) raise no warning: they mark households 疑似不符合, counted apart from the rules' hits.
    comparisons = {code for code, _name, exclusion in rules if exclusion}
    townships = township_names()
    page = Paginator(screening_runs(request.user), 20).get_page(request.GET.get("page"))
    for run in page.object_list:
        counted = screening_rule_counts(request.user, run).items()
        run.rule_rows = [(code, names.get(code, code), n) for code, n in counted if code not in comparisons]
        run.comparison_rows = [(code, names.get(code, code), n) for code, n in counted if code in comparisons]
        run.township_rows = screening_township_counts(request.user, run, townships)
        run.shown_created, run.shown_updated = screening_changes(request.user, run)
    return render(request, "monitoring/screening_list.html", {"page": page, "can_screen": can_screen,
                                                              "query_without_page": "",
                                                              **list_export_context(request, "screening-runs")})


# --- department files --------------------------------------------------------------------------------------


@login_required
@starts_jobs
def feed_upload(request):
    """Upload a month's department file: the request keeps the file and starts its preview in the background;
    the run's page shows the progress, every problem row and the choice to accept or discard."""
    from bangfu.monitoring.feed_import import feed_run_start
    from bangfu.monitoring.feeds import feed_kinds_for

    require_capability(request.user, "monitoring.feed_upload")
    kinds = feed_kinds_for(request.user)
    form = FeedUploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            run = feed_run_start(actor=request.user, upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"],
                                 period=form.cleaned_data["period"])
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            return redirect("monitoring:feed_run", pk=run.pk)
    return render(request, "monitoring/feed_upload.html", {
        "form": form, "uploads": feed_uploads_visible_to(request.user)[:30], "kinds": kinds.values(),
        "no_department": not kinds, **list_export_context(request, "feed-uploads")})


def _feed_run_for(request, pk: int):
    from bangfu.ingest.selectors import import_run_get_for_user
    from bangfu.monitoring.feed_import import RUN_PREFIX

    require_capability(request.user, "monitoring.feed_upload")
    run = import_run_get_for_user(request.user, pk=pk)  # the uploader's own (the file holds ID numbers)
    if not run.kind.startswith(RUN_PREFIX):
        raise Http404(_("没有找到该上传"))
    return run


@login_required
def feed_run(request, pk: int):
    """A department file's page: while its preview or commit runs, the page polls itself (htmx); then the counts,
    the problem rows, the error report and (after a preview) accept or discard."""
    from bangfu.jobs.services import jobs_reap_dead
    from bangfu.monitoring.feed_import import RUN_PREFIX

    run = _feed_run_for(request, pk)
    job = run.job
    if job is not None and job.status == job.Status.RUNNING and jobs_reap_dead(job_ids=[job.pk]):
        job.refresh_from_db()
    upload = None
    if run.report.get("upload"):
        upload = feed_uploads_visible_to(request.user).filter(pk=run.report["upload"]).first()
    template = "monitoring/_feed_run_body.html" if request.htmx else "monitoring/feed_run.html"
    return render(request, template, {"run": run, "report": run.report, "job": job, "upload": upload,
                                      "kind": FEED_KINDS.get(run.kind.removeprefix(RUN_PREFIX)),
                                      "polling": job is not None and not job.is_finished})


@login_required
@require_POST
def feed_run_decide(request, pk: int):
    """The uploader's decision on a previewed file: accept (write the good rows, in the background) or discard."""
    from bangfu.monitoring.feed_import import feed_run_commit, feed_run_discard

    run = _feed_run_for(request, pk)
    try:
        if request.POST.get("decision") == "accept":
            feed_run_commit(actor=request.user, run=run)
        else:
            feed_run_discard(actor=request.user, run=run)
            messages.info(request, _("已放弃该文件，未写入任何数据"))
            return redirect("monitoring:feed_upload")
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect("monitoring:feed_run", pk=run.pk)


@login_required
@require_POST
def feed_run_map(request, pk: int):
    """The uploader maps the file's unknown columns (remembered for files of the same headers) and previews again."""
    from bangfu.monitoring.feed_import import feed_run_map as run_map

    run = _feed_run_for(request, pk)
    mapping = {}
    for column in run.report.get("unknown", []):
        choice = request.POST.get(f"map-{column['header_key']}", "")
        if choice:
            mapping[column["header_key"]] = "" if choice == "ignore" else choice
    try:
        run_map(actor=request.user, run=run, mapping=mapping)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect("monitoring:feed_run", pk=run.pk)


@login_required
def feed_upload_errors(request, pk: int):
    """The problem list of a committed upload as .xlsx: every row not imported, with row, column, rule and
    message (the file itself is not kept: it held ID numbers)."""
    import io
    import tempfile
    from urllib.parse import quote

    from django.http import HttpResponse

    from bangfu.ingest.report import problems_report_write
    from bangfu.monitoring.selectors import feed_upload_get_for_user

    require_capability(request.user, "monitoring.feed_upload")
    upload = feed_upload_get_for_user(request.user, pk=pk)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "report.xlsx"
        problems_report_write(path, errors=upload.errors, lines=[
            (_("文件"), upload.file_name), (_("数据类型"), str(upload.get_kind_display())), (_("数据月份"), upload.period),
            (_("上传时间"), timezone.localtime(upload.uploaded_at).strftime("%Y-%m-%d %H:%M")),
            (_("数据行数"), upload.rows), (_("匹配成功"), upload.matched), (_("未匹配"), upload.unmatched),
            (_("无效行"), upload.invalid), (_("重复行"), upload.duplicates)])
        content = io.BytesIO(path.read_bytes())
    response = HttpResponse(content.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = _("问题清单-%(name)s.xlsx") % {"name": upload.file_name.rsplit(".", 1)[0]}
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
