"""Relocation follow-up pages: 至少1人就业 by site and township, the relocated households (with those nobody in
work), one household's relocation record and employment, and the resettlement sites (the county edits them)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.regions.models import Region
from bangfu.registry.selectors import household_get_for_user, households_visible_to
from bangfu.relocation import indicators, services
from bangfu.relocation.filters import RELOCATED_FILTERS, relocated_rows
from bangfu.relocation.forms import EmploymentForm, RelocationForm, SiteForm, WorkshopForm, relocation_initial
from bangfu.relocation.models import Employment, RelocatedHousehold, ResettlementSite, Workshop
from bangfu.relocation.selectors import sites_visible_to
from bangfu.relocation.tables import EMPLOYMENT_TABLE, RELOCATED_TABLE, SITE_TABLE
from bangfu.web.exports import list_export_context
from bangfu.web.helpers import form_errors_from
from bangfu.web.lists import list_page


def _require_view(user) -> None:
    if not user.can("registry.view"):
        raise PermissionDenied(_("您的角色不能查看搬迁户"))


def _require_configure(user) -> None:
    if not user.can("monitoring.configure"):
        raise PermissionDenied(_("只有县级管理员可以维护安置点"))


@login_required
def coverage(request):
    """至少1人就业 per site and per township; each figure links to the list behind it."""
    from bangfu.reports.welfare import kept_coverage

    _require_view(request.user)
    kept = kept_coverage(request.user)  # the kept village rows; counted live when they are not fresh
    if kept is None:
        households = households_visible_to(request.user)
        kept = (indicators.coverage(households, by="site"), indicators.coverage(households, by="township"),
                indicators.coverage_total(households))
    by_site, by_township, total = kept
    return render(request, "relocation/coverage.html", {
        "by_site": by_site, "by_township": by_township, "total": total,
        "year": dt.date.today().year,
        "can_import": request.user.can("monitoring.configure"),
    })


@login_required
def household_list(request):
    _require_view(request.user)
    return list_page(request, filters=RELOCATED_FILTERS, rows=lambda values: relocated_rows(request.user, values),
                     page_size=50, template="relocation/household_list.html",
                     partial="relocation/household_list.html", table=RELOCATED_TABLE,
                     context={"sites": sites_visible_to(request.user).order_by("name"),
                              "can_edit": request.user.can("registry.edit"),
                              **list_export_context(request, "relocation-households")})


@login_required
def household_relocation(request, pk: int):
    """One household's relocation record and its workers' employment: view, record, correct."""
    _require_view(request.user)
    household = household_get_for_user(request.user, pk=pk)
    record = RelocatedHousehold.objects.filter(household=household).select_related("site", "former_village").first()
    members = household.members.order_by("id")
    workshops = Workshop.objects.filter(site_id=record.site_id) if record and record.site_id else Workshop.objects.none()
    villages = Region.objects.filter(level="village", code__startswith=household.village_id[:6])
    sites = ResettlementSite.objects.order_by("township_id", "name")  # a household may move across townships
    relocation_form = RelocationForm(initial=relocation_initial(record), sites=sites, villages=villages)
    employment_form = EmploymentForm(members=members, workshops=workshops)
    if request.method == "POST":
        if not request.user.can("registry.edit"):
            raise PermissionDenied(_("您的角色不能修改搬迁户信息"))
        which = request.POST.get("form")
        try:
            if which == "relocation":
                relocation_form = RelocationForm(request.POST, sites=sites, villages=villages)
                if relocation_form.is_valid():
                    services.relocated_household_save(actor=request.user, household=household,
                                                      data=relocation_form.cleaned_data)
                    messages.success(request, _("已保存搬迁信息"))
                    return redirect("relocation:household", pk=household.pk)
            elif which == "employment":
                employment_form = EmploymentForm(request.POST, members=members, workshops=workshops)
                if employment_form.is_valid():
                    data = dict(employment_form.cleaned_data)
                    member = data.pop("member")
                    services.employment_record(actor=request.user, member=member, data=data)
                    messages.success(request, _("已登记就业"))
                    return redirect("relocation:household", pk=household.pk)
            else:
                raise Http404
        except ValidationError as error:
            form_errors_from(relocation_form if which == "relocation" else employment_form, error)
    jobs = Employment.objects.filter(member__household=household).select_related("member", "workshop")
    return render(request, "relocation/household.html", {
        "household": household, "record": record,
        "employment_table": EMPLOYMENT_TABLE.bind(jobs, user=request.user), "relocation_form": relocation_form,
        "employment_form": employment_form, "can_edit": request.user.can("registry.edit"),
        "employed": indicators.with_employed(households_visible_to(request.user).filter(pk=household.pk)).exists(),
        "has_labour": indicators.with_labour(households_visible_to(request.user).filter(pk=household.pk)).exists(),
    })


@login_required
@require_POST
def employment_remove(request, pk: int):
    _require_view(request.user)
    job = Employment.objects.select_related("member__household").filter(
        pk=pk, member__household__in=households_visible_to(request.user)).first()
    if job is None:
        raise Http404(_("没有找到该就业记录，或不在您的管辖范围内"))
    services.employment_remove(actor=request.user, employment=job)
    messages.success(request, _("已删除就业记录"))
    return redirect("relocation:household", pk=job.member.household_id)


@login_required
@require_POST
def employment_import(request):
    """The county runs the 人社 feed's employment into the relocated workers' records for this year."""
    _require_configure(request.user)
    result = services.employment_import_feed(actor=request.user, year=dt.date.today().year)
    messages.success(request, _("已从人社数据导入：%(workers)s 人，新增 %(created)s 条，更新 %(updated)s 条") % result)
    return redirect("relocation:coverage")


@login_required
def site_list(request):
    _require_view(request.user)
    sites = sites_visible_to(request.user).select_related("township").prefetch_related(
        Prefetch("workshops", queryset=Workshop.objects.order_by("name")))
    page = Paginator(sites.order_by("township_id", "name"), 50).get_page(request.GET.get("page"))
    return render(request, "relocation/site_list.html", {
        "page": page, "table": SITE_TABLE.bind(page.object_list, user=request.user),
        "can_configure": request.user.can("monitoring.configure"),
        **list_export_context(request, "relocation-sites")})


def _townships(user):
    from bangfu.core.scoping import village_scope

    return Region.objects.filter(village_scope(user, field="code"), level="township").order_by("code")


@login_required
def site_edit(request, pk: int | None = None):
    """Add a resettlement site, or change one with its workshops (county)."""
    _require_configure(request.user)
    site = None
    if pk is not None:
        site = sites_visible_to(request.user).filter(pk=pk).first()
        if site is None:
            raise Http404(_("没有找到该安置点，或不在您的管辖范围内"))
    initial = {} if site is None else {
        "name": site.name, "township": site.township_id, "population": site.population,
        "year_built": site.year_built, "facilities": site.facilities, "contact": site.contact, "notes": site.notes}
    form = SiteForm(request.POST or None, initial=initial, townships=_townships(request.user))
    workshop_form = WorkshopForm(initial={"kind": "workshop", "jobs_offered": 0, "jobs_filled": 0})
    if request.method == "POST":
        if request.POST.get("form") == "workshop" and site is not None:
            form = SiteForm(initial=initial, townships=_townships(request.user))
            workshop_form = WorkshopForm(request.POST)
            if workshop_form.is_valid():
                try:
                    services.workshop_save(actor=request.user, site=site, data=workshop_form.cleaned_data)
                except ValidationError as error:
                    form_errors_from(workshop_form, error)
                else:
                    messages.success(request, _("已添加帮扶车间"))
                    return redirect("relocation:site_edit", pk=site.pk)
        elif form.is_valid():
            try:
                site = services.site_save(actor=request.user, site=site, data=form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已保存安置点"))
                return redirect("relocation:site_edit", pk=site.pk)
    return render(request, "relocation/site_form.html", {
        "form": form, "site": site, "workshop_form": workshop_form,
        "workshops": site.workshops.order_by("name") if site else []})
