"""Care pages: the vulnerable-group lists, the 八必访 visits due and overdue, a household's care visits."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bangfu.care import groups as g
from bangfu.care.filters import CARE_FILTERS, care_rows
from bangfu.care.forms import CareFactsForm, CareVisitForm
from bangfu.care.models import CareFacts, CareVisit
from bangfu.care.services import care_facts_save, care_visit_record
from bangfu.care.tables import CARE_VISIT_TABLE, DUE_TABLE, MEMBER_TABLE
from bangfu.core.scoping import code_range_q
from bangfu.regions.models import Region
from bangfu.registry.selectors import household_get_for_user, households_visible_to, member_get_for_user
from bangfu.web.exports import list_export_context
from bangfu.web.helpers import form_errors_from
from bangfu.web.lists import list_page
from bangfu.web.tables import user_in_one_village


def _require_view(user) -> None:
    if not user.can("registry.view"):
        raise PermissionDenied(_("您的角色不能查看关爱对象"))


@login_required
def index(request):
    """Each group's count (its list's count) and the 八必访 figures, within the user's jurisdiction."""
    from bangfu.reports.welfare import kept_care

    _require_view(request.user)
    kept = kept_care(request.user)  # the kept village rows; counted live when they are not fresh
    if kept is None:
        members = g.members_visible_to(request.user)
        states = g.visit_states(households_visible_to(request.user))
        kept = {"groups": {group.key: g.group_members(members, group.key).count() for group in g.GROUPS},
                "must_visit": states["all"], "due": states[""], "overdue": states["overdue"]}
    return render(request, "care/index.html", {
        "groups": [(group, kept["groups"][group.key]) for group in g.GROUPS],
        "must_visit": kept["must_visit"], "due": kept["due"], "overdue": kept["overdue"],
        "quarter_start": g.quarter_start(dt.date.today()),
        "kinds": [label for _key, label, _c in g.MUST_VISIT], "can_configure": request.user.can("monitoring.configure"),
    })


@login_required
def group_list(request):
    _require_view(request.user)
    values = CARE_FILTERS.values(CARE_FILTERS.bind(request.GET))
    key = values.get("group") if values.get("group") in g.GROUP_BY_KEY else "dibao"
    today = dt.date.today()

    def prepare(rows):
        for member in rows:
            member.age_today = member.age_on(today)
        return rows

    return list_page(request, filters=CARE_FILTERS, rows=lambda values: care_rows(request.user, values),
                     page_size=50, prepare=prepare, template="care/group_list.html", partial="care/group_list.html",
                     table=MEMBER_TABLE,
                     context={"group": g.GROUP_BY_KEY[key], "groups": g.GROUPS,
                              "one_village": user_in_one_village(request.user),
                              "can_edit": request.user.can("registry.edit"),
                              **list_export_context(request, "care-members")})


@login_required
def visit_queue(request):
    """八必访: households due a visit this quarter (or overdue), with why and when they were last visited."""
    _require_view(request.user)
    state = request.GET.get("state") or ""
    state = state if state in g.VISIT_STATES else ""
    overdue = state == "overdue"
    households = households_visible_to(request.user)
    code = (request.GET.get("region") or "").strip()
    region = Region.objects.filter(code=code).first() if code else None
    if region is not None:  # a place within the door (the dashboards' links); outside it the door leaves nothing
        households = households.filter(code_range_q(region.code_range))
    rows = g.VISIT_STATES[state](households).select_related("village__parent").annotate(
        last_visit=Max("care_visits__visited_on")).order_by("last_visit", "village_id", "number")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    reasons = g.must_visit_reasons(list(page.object_list))
    for household in page.object_list:
        household.reasons = reasons[household.pk]
    return render(request, "care/visit_queue.html", {
        "page": page, "table": DUE_TABLE.bind(page.object_list, user=request.user), "overdue": overdue,
        "state": state, "region": region,
        "query": urlencode({k: v for k, v in (("state", state), ("region", region.code if region else "")) if v}),
        "quarter_start": g.quarter_start(dt.date.today()), "can_edit": request.user.can("registry.edit")})


@login_required
def household_visits(request, pk: int):
    """A household's care visits, and the form to record one."""
    _require_view(request.user)
    household = household_get_for_user(request.user, pk=pk)
    # Who went is most often the one typing: their name is offered, as 我的村 offers the cadre's.
    form = CareVisitForm(request.POST or None, initial={"visited_on": dt.date.today(),
                                                         "visitor": getattr(request.user, "full_name", "")})
    if request.method == "POST":
        if form.is_valid():
            try:
                care_visit_record(actor=request.user, household=household, data=form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已登记关爱走访"))
                return redirect("care:household_visits", pk=household.pk)
    return render(request, "care/household_visits.html", {
        "household": household, "form": form,
        "visit_table": CARE_VISIT_TABLE.bind(CareVisit.objects.filter(household=household), user=request.user),
        "reasons": g.must_visit_reasons([household])[household.pk], "can_edit": request.user.can("registry.edit")})


@login_required
def member_facts(request, pk: int):
    """特困供养方式 and 孤儿 for one member."""
    _require_view(request.user)
    member = member_get_for_user(request.user, pk=pk)
    facts = CareFacts.objects.filter(member=member).first()
    initial = {"tekun_support": facts.tekun_support, "orphan": facts.orphan} if facts else {}
    form = CareFactsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            care_facts_save(actor=request.user, member=member, data=form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已保存"))
            return redirect("care:member_facts", pk=member.pk)
    return render(request, "care/member_facts.html", {"member": member, "form": form})


@login_required
def settings_edit(request):
    """The county's ages for the care lists and the months counted as employed (至少1人就业)."""
    from bangfu.care.forms import CareSettingsForm
    from bangfu.care.models import care_settings
    from bangfu.care.services import care_settings_save
    from bangfu.relocation.models import relocation_settings

    if not request.user.can("monitoring.configure"):
        raise PermissionDenied(_("只有县级管理员可以修改设置"))
    care, relocation = care_settings(request.user.region_id), relocation_settings(request.user.region_id)
    initial = {"elderly_age": care.elderly_age, "child_age_below": care.child_age_below,
               "orphan_age_below": care.orphan_age_below, "working_age_from": care.working_age_from,
               "employed_min_months": relocation.employed_min_months}
    form = CareSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            care_settings_save(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已保存"))
            return redirect("care:settings")
    from bangfu.web.config_sources import provenance

    return render(request, "care/settings.html", {
        "form": form, "source": provenance("care_settings", request.user, request.user.region_id)})
