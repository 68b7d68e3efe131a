"""Pages that set paired assistance up: units and their linked villages, the plan document with its versions,
comments and adoption, the target grid and sheet, and who fills each village's assistance roles. Thin: every read
through the assistance selectors, every write through assistance.setup (or services), each audited there."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.assistance import forms as f
from bangfu.assistance import services, setup
from bangfu.assistance.models import AssistanceRole, LinkedVillage, PlanTarget
from bangfu.assistance.selectors import county_of, plans_visible_to, role_holders_visible_to, units_visible_to
from bangfu.audit.selectors import object_history
from bangfu.web.helpers import form_errors_from, require_capability

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _county(user) -> str:
    county = county_of(user)
    if not county:
        raise Http404(_("没有可查看的帮扶县"))
    return county


def _can_configure(user) -> bool:
    return user.can("assistance.configure")


def _can_set_targets(user) -> bool:
    return _can_configure(user) or (user.can("assistance.coordinate") and bool(user.unit_id) and user.unit.is_lead)


def _post_service(request, form, call, success: str) -> bool:
    """Valid form → service; its refusal shown as a message naming the field. True when written."""
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[k].label if k in form.fields else ''}：{' '.join(v)}"
                                         for k, v in form.errors.items()))
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, success)
    return True


# --- units and linked villages -----------------------------------------------------------------------------------

@login_required
def unit_list(request):
    """The county's units with the lead unit first, their contacts and linked villages (past links kept)."""
    require_capability(request.user, "assistance.view")
    units = list(units_visible_to(request.user).prefetch_related("linked_villages__village__parent"))
    today = timezone.localdate()
    rows = [(u, [(link, link.active_on(today)) for link in u.linked_villages.all()]) for u in units]
    return render(request, "assistance/units.html", {"rows": rows, "can_configure": _can_configure(request.user)})


@login_required
def unit_new(request):
    require_capability(request.user, "assistance.configure")
    county = _county(request.user)
    form = f.UnitSetupForm(request.POST or None, initial={"kind": "other"})
    if request.method == "POST" and form.is_valid():
        try:
            unit = setup.unit_create(actor=request.user, county_code=county, data=form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已新增帮扶单位“%(name)s”") % {"name": unit.name})
            return redirect("assistance:unit_detail", unit.pk)
    return render(request, "assistance/form_page.html", {
        "form": form, "title": _("新增帮扶单位"), "back": reverse("assistance:unit_list")})


@login_required
def unit_detail(request, pk: int):
    require_capability(request.user, "assistance.view")
    # with its county and its links' villages: the history names them without more queries
    unit = get_object_or_404(units_visible_to(request.user).select_related("county"), pk=pk)
    links = list(unit.linked_villages.select_related("village", "village__parent").order_by("-since", "village_id"))
    today = timezone.localdate()
    can_configure = _can_configure(request.user)
    from bangfu.assistance.selectors import units_writable_by

    return render(request, "assistance/unit_detail.html", {
        "unit": unit, "links": [(link, link.active_on(today)) for link in links], "can_configure": can_configure,
        "can_edit": units_writable_by(request.user).filter(pk=unit.pk).exists(),
        "link_form": f.LinkForm(county_code=unit.county_id, prefix="l") if can_configure else None,
        "end_form": f.EndForm(initial={"until": today}, prefix="e") if can_configure else None,
        "history": object_history(unit, also=links, limit=50)})


@login_required
@require_POST
def link_add(request, pk: int):
    require_capability(request.user, "assistance.configure")
    unit = get_object_or_404(units_visible_to(request.user), pk=pk)
    form = f.LinkForm(request.POST, county_code=unit.county_id, prefix="l")
    _post_service(request, form, lambda data: setup.linked_village_add(actor=request.user, unit=unit, **data),
                  _("已联系该村"))
    return redirect("assistance:unit_detail", unit.pk)


@login_required
@require_POST
def link_end(request, pk: int):
    require_capability(request.user, "assistance.configure")
    link = get_object_or_404(LinkedVillage.objects.filter(unit__in=units_visible_to(request.user)), pk=pk)
    form = f.EndForm(request.POST, prefix="e")
    _post_service(request, form, lambda data: setup.linked_village_end(actor=request.user, link=link, **data),
                  _("已结束该联系点，记录保留"))
    return redirect("assistance:unit_detail", link.unit_id)


# --- the plan ---------------------------------------------------------------------------------------------------

@login_required
def plan_list(request):
    require_capability(request.user, "assistance.view")
    plans = plans_visible_to(request.user).order_by("-start_year")
    return render(request, "assistance/plans.html", {"plans": plans, "can_configure": _can_configure(request.user)})


@login_required
def plan_new(request):
    require_capability(request.user, "assistance.configure")
    county = _county(request.user)
    year = timezone.localdate().year
    form = f.PlanCreateForm(request.POST or None, initial={"start_year": year, "end_year": year + 4})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, county_code=county, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已新建规划（征求意见稿）"))
            return redirect("assistance:plan_detail", plan.pk)
    return render(request, "assistance/form_page.html", {
        "form": form, "title": _("新建帮扶工作规划"), "back": reverse("assistance:plan_list")})


def _plan(user, pk: int):
    # with its county: the plan's history names it without another query
    return get_object_or_404(plans_visible_to(user).select_related("county"), pk=pk)


@login_required
def plan_detail(request, pk: int):
    """The plan's current text, its earlier versions and the comments on each, adoption, and each unit's targets."""
    from bangfu.reports.assistance_indicators import indicators_for

    require_capability(request.user, "assistance.view")
    plan = _plan(request.user, pk)
    versions = list(plan.versions.select_related("saved_by").order_by("-number"))
    comments = list(plan.comments.select_related("author", "unit", "version").order_by("id"))
    units = list(units_visible_to(request.user).filter(county_id=plan.county_id))
    counts: dict[int, int] = {}
    for unit_id in PlanTarget.objects.filter(plan=plan, unit__in=units).values_list("unit_id", flat=True):
        counts[unit_id] = counts.get(unit_id, 0) + 1
    cells = len(plan.years) * len(indicators_for(plan.county_id))
    draft = not plan.is_adopted
    can_configure = _can_configure(request.user)
    return render(request, "assistance/plan_detail.html", {
        "plan": plan, "current": versions[0] if versions else None, "earlier": versions[1:], "comments": comments,
        "units": [(u, counts.get(u.pk, 0)) for u in units], "cells": cells,
        "can_configure": can_configure, "can_set_targets": _can_set_targets(request.user),
        "version_form": f.PlanVersionForm(initial={"text": versions[0].text if versions else ""}, prefix="v")
        if draft and can_configure else None,
        "comment_form": f.PlanCommentForm(prefix="c")
        if draft and versions and request.user.can("assistance.edit") else None,
        "adopt_form": f.PlanAdoptForm(initial={"adopted_on": timezone.localdate()}, prefix="a")
        if draft and versions and can_configure else None,
        "sheet_form": f.TargetSheetForm(prefix="s") if _can_set_targets(request.user) else None,
        "history": object_history(plan, limit=20)})


@login_required
@require_POST
def plan_version_add(request, pk: int):
    require_capability(request.user, "assistance.configure")
    plan = _plan(request.user, pk)
    form = f.PlanVersionForm(request.POST, prefix="v")
    _post_service(request, form, lambda data: setup.plan_version_save(actor=request.user, plan=plan, **data),
                  _("已保存新一稿"))
    return redirect("assistance:plan_detail", plan.pk)


@login_required
@require_POST
def plan_comment_add(request, pk: int):
    require_capability(request.user, "assistance.edit")
    plan = _plan(request.user, pk)
    form = f.PlanCommentForm(request.POST, prefix="c")
    _post_service(request, form, lambda data: setup.plan_comment_add(actor=request.user, plan=plan, **data),
                  _("已提交意见"))
    return redirect("assistance:plan_detail", plan.pk)


@login_required
@require_POST
def plan_adopt(request, pk: int):
    require_capability(request.user, "assistance.configure")
    plan = _plan(request.user, pk)
    form = f.PlanAdoptForm(request.POST, prefix="a")
    _post_service(request, form, lambda data: setup.plan_adopt(actor=request.user, plan=plan, **data),
                  _("规划已印发"))
    return redirect("assistance:plan_detail", plan.pk)


@login_required
def plan_targets(request, pk: int, unit_pk: int):
    """One unit's targets as one grid (years × indicators), saved in one submit; one bad cell saves nothing."""
    from bangfu.reports.assistance_indicators import indicators_for

    require_capability(request.user, "assistance.view")
    plan = _plan(request.user, pk)
    unit = get_object_or_404(units_visible_to(request.user).filter(county_id=plan.county_id), pk=unit_pk)
    if not _can_set_targets(request.user):
        raise PermissionDenied(_("规划目标由县或牵头单位设定"))
    indicators = indicators_for(plan.county_id)
    initial = {setup.grid_key(t.year, t.indicator): format(t.target.normalize(), "f")
               for t in PlanTarget.objects.filter(plan=plan, unit=unit)}
    form = f.TargetGridForm(request.POST or None, plan=plan, indicators=indicators, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = setup.plan_targets_grid_save(actor=request.user, plan=plan, unit=unit, cells=form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已保存%(unit)s的规划目标（%(n)s项有变化）") % {"unit": unit.label, "n": changed})
            return redirect("assistance:plan_detail", plan.pk)
    return render(request, "assistance/plan_targets.html", {
        "plan": plan, "unit": unit, "form": form, "indicators": indicators})


@login_required
def plan_targets_template(request, pk: int):
    require_capability(request.user, "assistance.view")
    plan = _plan(request.user, pk)
    units = units_visible_to(request.user).filter(county_id=plan.county_id).order_by("-is_lead", "name")
    response = HttpResponse(setup.plan_targets_template(plan, units), content_type=XLSX)
    from urllib.parse import quote

    name = quote(f"{plan.name}-规划目标.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
@require_POST
def plan_targets_import(request, pk: int):
    require_capability(request.user, "assistance.view")
    plan = _plan(request.user, pk)
    if not _can_set_targets(request.user):
        raise PermissionDenied(_("规划目标由县或牵头单位设定"))
    upload = request.FILES.get("s-file")
    if upload is None:
        messages.error(request, _("请选择目标表文件"))
        return redirect("assistance:plan_detail", plan.pk)
    content = upload.read(setup.MAX_SHEET_BYTES + 1)
    try:
        changed = setup.plan_targets_import(actor=request.user, plan=plan, content=content)
    except setup.TargetSheetError as error:
        messages.error(request, _("目标表未导入（没有写入任何数据）：") + "；".join(str(p) for p in error.problems[:30]))
    else:
        messages.success(request, _("已导入目标表：%(n)s项目标有变化") % {"n": changed})
    return redirect("assistance:plan_detail", plan.pk)


# --- village role holders ---------------------------------------------------------------------------------------

@login_required
def role_holders(request):
    """Who fills each village's assistance roles (past holders kept), and the county records a new one."""
    require_capability(request.user, "assistance.view")
    county = _county(request.user)
    can_configure = _can_configure(request.user)
    form = f.RoleHolderForm(request.POST or None, county_code=county, initial={"role": "county_leader"})
    if request.method == "POST":
        require_capability(request.user, "assistance.configure")
        if form.is_valid():
            try:
                setup.role_holder_add(actor=request.user, county_code=county, **form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已登记"))
                return redirect("assistance:role_holders")
    today = timezone.localdate()
    holders = role_holders_visible_to(request.user).order_by("village_id", "role", "-since")
    from bangfu.assistance.selectors import village_role_gaps

    _required, gaps = village_role_gaps(request.user, today=today)
    return render(request, "assistance/role_holders.html", {
        "holders": [(h, h.active_on(today)) for h in holders], "form": form if can_configure else None,
        "end_form": f.EndForm(initial={"until": today}, prefix="e") if can_configure else None,
        "gaps": [(g["village"], [AssistanceRole(r).label for r in g["missing"]]) for g in gaps if g["missing"]]})


@login_required
@require_POST
def role_holder_end(request, pk: int):
    require_capability(request.user, "assistance.configure")
    holder = get_object_or_404(role_holders_visible_to(request.user), pk=pk)
    form = f.EndForm(request.POST, prefix="e")
    _post_service(request, form, lambda data: setup.role_holder_end(actor=request.user, holder=holder, **data),
                  _("已填写结束日期，记录保留"))
    return redirect("assistance:role_holders")

