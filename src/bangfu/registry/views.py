"""Registry pages: thin views that parse, call a selector or service, and render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext  # not `_`: the success lambdas below name their argument _
from django.views.decorators.http import require_POST

from bangfu.core.scoping import linked_villages, village_scope
from bangfu.jobs.context import starts_jobs
from bangfu.monitoring.selectors import monitoring_lines_by_year
from bangfu.regions.models import Region
from bangfu.regions.selectors import current_q, region_path, region_tree
from bangfu.registry import services
from bangfu.registry.exports import household_ledger_export_start
from bangfu.registry.filters import HOUSEHOLD_FILTERS
from bangfu.registry.forms import (
    HouseholdForm,
    HouseholdReopenForm,
    IncomeRecordForm,
    MemberForm,
    MemberRemoveForm,
)
from bangfu.registry.income import below_line
from bangfu.registry.selectors import (
    HouseholdFilter,
    attach_member_counts,
    household_get_for_user,
    household_history,
    household_income_history,
    household_members,
    household_reveals,
    households_filtered,
    households_paginator,
    identifier_in,
    member_get_for_user,
)
from bangfu.web.exports import list_export_context
from bangfu.web.helpers import form_errors_from, require_capability
from bangfu.web.lists import list_page


def _linked_village_tree(user) -> list[dict]:
    """For an assisting unit: its linked villages under their townships, shaped like region_tree's nodes."""
    if not user.unit_id:
        return []
    villages = Region.objects.filter(code__in=linked_villages(user.unit_id)).select_related("parent").order_by("code")
    townships: dict[str, dict] = {}
    for village in villages:
        node = townships.setdefault(village.parent_id, {"region": village.parent, "children": []})
        node["children"].append({"region": village, "children": []})
    return list(townships.values())


def _tree_links(tree: list[dict], query: str, selected: Region | None) -> list[dict]:
    """Each node's link (the list's query with that region) and state, worked out once here rather than by the
    template for each of a county's hundred-odd villages."""
    prefix = f"?{query}&region=" if query else "?region="
    chosen = selected.code if selected else ""
    for node in tree:
        code = node["region"].code
        node.update(href=prefix + code, active=code == chosen, open=bool(chosen) and node["region"].contains(chosen))
        for child in node["children"]:
            child.update(href=prefix + child["region"].code, active=child["region"].code == chosen)
    return tree


def _tree_root(user) -> Region | None:
    from bangfu.regions.selectors import region_root_for

    return region_root_for(user)


def _villages_for(user, *, keep: str | None = None):
    """The villages a form may offer: the same door as every read, applied to region codes; retired villages
    only when the household being edited still sits in one (`keep`)."""
    in_use = current_q() | Q(code=keep) if keep else current_q()
    return Region.objects.filter(level="village").filter(village_scope(user, field="code")).filter(in_use)


@login_required
@starts_jobs
def household_list(request):
    require_capability(request.user, "registry.view")
    region_code = request.GET.get("region", "")
    root = _tree_root(request.user)
    selected = Region.objects.filter(code=region_code).first() if region_code else None
    response = list_page(
        request, filters=HOUSEHOLD_FILTERS, page_size=settings.HOUSEHOLD_PAGE_SIZE,
        rows=lambda values: households_filtered(request.user, HouseholdFilter.from_values(values)),
        paginate=lambda values, size: households_paginator(request.user, HouseholdFilter.from_values(values),
                                                           per_page=size),
        prepare=attach_member_counts, template="registry/household_list.html",
        partial="registry/_household_table.html",
        context={
            "selected_region": selected,
            # A callable: the template calls it only when it shows the tree (not for the table alone, htmx).
            "tree": lambda: _tree_links(region_tree(root) if root else _linked_village_tree(request.user),
                                        _query_without(request, "page", "region"), selected),
            "tree_root": root,
            "query_without_region": _query_without(request, "page", "region"),
            "can_edit": request.user.can("registry.edit"),
            "can_export": request.user.can("registry.export"),
            "can_export_personal": request.user.can("registry.export_personal"),
            "can_reveal": request.user.can("registry.reveal"),
            **list_export_context(request, "monitored"),
        })
    if request.htmx and identifier_in(request.GET.get("q", ""))[0]:
        # An ID number or phone searched for must not stay in the browser's history: push the URL without it.
        response["HX-Push-Url"] = f"{request.path}?{_query_without(request, 'q')}"
    return response


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
@require_POST
def household_export(request):
    """Start the ledger export of what the list shows (the form carries the filter on screen: see list_page)."""
    form = HOUSEHOLD_FILTERS.bind(request.POST)
    flt = HouseholdFilter.from_values(HOUSEHOLD_FILTERS.values(form))
    job = household_ledger_export_start(actor=request.user, flt=flt,
                                        include_personal=request.POST.get("include_personal") == "on")
    return redirect("jobs:job_detail", pk=job.pk)


@login_required
def household_detail(request, pk: int):
    require_capability(request.user, "registry.view")
    household = household_get_for_user(request.user, pk=pk)
    return render(request, "registry/household_detail.html", {
        "household": household, **_monitoring_of(request.user, household),
        "path": region_path(household.village),
        "members": household_members(household),
        "income_rows": _income_with_lines(household),
        "history": household_history(household)[:100],
        "reveals": household_reveals(household)[:20],
        "can_edit": request.user.can("registry.edit"),
        "can_reveal": request.user.can("registry.reveal"),
    })


def _monitoring_of(user, household) -> dict:
    """Where the household stands in the workflow, for whoever works on it from its page: its open case (state,
    the step's deadline, a link), its open warnings (each linked), the way to its assistance page. The household
    is already in the reader's jurisdiction; one query each."""
    from bangfu.cases.choices import OPEN_STATES
    from bangfu.cases.permissions import can
    from bangfu.monitoring.models import RiskWarning

    can_cases = can(user, "cases.view")
    return {
        "can_cases": can_cases,
        "open_case": household.cases.filter(state__in=OPEN_STATES).order_by("-opened_at", "-id").first()
        if can_cases else None,
        "open_warnings": list(RiskWarning.objects.filter(household=household, state=RiskWarning.State.OPEN)
                              .select_related("rule").order_by("created_at", "id")[:10]),
    }


def _income_with_lines(household):
    """Each year's income beside that year's monitoring line (a line is data per region and year), and whether it
    lies below it (registry.income.below_line, the rule every reader uses)."""
    lines = monitoring_lines_by_year(county_code=household.village_id[:6].ljust(12, "0"))
    return [(record, lines.get(record.year), below_line(record, lines.get(record.year)))
            for record in household_income_history(household)]


def _pick(data: dict, fields) -> dict:
    return {key: data[key] for key in fields}


def _form_page(request, form, *, save, success, done_url: str, template: str = "registry/form_page.html",
               on_error=None, **context):
    """The shape every registry form shares: a valid form goes to its service; the service's ValidationError
    comes back onto the form's fields; success says so and returns to the household."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            if on_error:
                on_error()
            form_errors_from(form, error)
        else:
            messages.success(request, success(result))
            return redirect(done_url)
    return render(request, template, {"form": form, **context})


def _household_url(pk: int) -> str:
    return reverse("registry:household_detail", args=[pk])


@login_required
def household_create(request):
    require_capability(request.user, "registry.edit")
    form = HouseholdForm(request.POST or None, villages=_villages_for(request.user),
                         initial={"village": request.GET.get("village")})
    if request.method == "POST" and form.is_valid():
        # The new household's address is only known after saving: the one form whose redirect depends on it.
        try:
            household = services.household_create(actor=request.user, data=_pick(form.cleaned_data,
                                                   services.HOUSEHOLD_FIELDS), phone=form.phone_value())
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, gettext("已新增农户 %(number)s") % {"number": household.number})
            return redirect(_household_url(household.pk))
    return render(request, "registry/form_page.html", {"form": form, "title": gettext("新增农户")})


@login_required
def household_edit(request, pk: int):
    require_capability(request.user, "registry.edit")
    household = household_get_for_user(request.user, pk=pk)
    form = HouseholdForm(request.POST or None, instance=household,
                         villages=_villages_for(request.user, keep=household.village_id))
    return _form_page(
        request, form, household=household, title=gettext("修改农户 %(number)s") % {"number": household.number},
        save=lambda data: services.household_update(actor=request.user, household=household, phone=form.phone_value(),
                                                    data=_pick(data, services.HOUSEHOLD_FIELDS),
                                                    version=data["version"]),
        on_error=household.refresh_from_db,  # the form wrote the rejected values onto the instance
        success=lambda _: gettext("已保存"), done_url=_household_url(household.pk))


@login_required
def member_add(request, pk: int):
    require_capability(request.user, "registry.edit")
    household = household_get_for_user(request.user, pk=pk)
    return _form_page(
        request, MemberForm(request.POST or None), household=household, title=gettext("添加成员"),
        save=lambda data: services.member_add(actor=request.user, household=household,
                                              data=_pick(data, services.MEMBER_FIELDS), id_number=data["id_number"],
                                              sex=data["sex"] or None, birth_date=data["birth_date"]),
        success=lambda member: gettext("已添加成员 %(name)s") % {"name": member.name}, done_url=_household_url(household.pk))


@login_required
def member_edit(request, pk: int):
    require_capability(request.user, "registry.edit")
    member = member_get_for_user(request.user, pk=pk)
    return _form_page(
        request, MemberForm(request.POST or None, instance=member), household=member.household, member=member,
        title=gettext("修改成员 %(name)s") % {"name": member.name},
        save=lambda data: services.member_update(actor=request.user, member=member,
                                                 data=_pick(data, services.MEMBER_FIELDS),
                                                 id_number=data["id_number"] or None, sex=data["sex"] or None,
                                                 birth_date=data["birth_date"], version=data["version"]),
        success=lambda _: gettext("已保存"), done_url=_household_url(member.household_id))


@login_required
def member_remove_view(request, pk: int):
    require_capability(request.user, "registry.edit")
    member = member_get_for_user(request.user, pk=pk)
    form = MemberRemoveForm(request.POST or None, member=member, initial={"version": member.version})

    def success(result) -> str:
        parts = [gettext("已减员 %(name)s") % {"name": member.name}]
        parts += [gettext("%(name)s：%(old)s → %(new)s") % {"name": n, "old": old, "new": new}
                  for n, old, new in result["relations"]]
        if result["closed"]:
            parts.append(gettext("该户已无成员，已销户"))
        return gettext("；").join(parts)

    return _form_page(
        request, form, template="registry/member_remove.html", member=member, household=member.household,
        save=lambda data: services.member_remove(actor=request.user, member=member, reason=data["reason"],
                                                 detail=data["detail"], new_head=data.get("new_head"),
                                                 version=data["version"]),
        success=success, done_url=_household_url(member.household_id))


@login_required
def household_reopen(request, pk: int):
    require_capability(request.user, "registry.edit")
    household = household_get_for_user(request.user, pk=pk)
    return _form_page(
        request, HouseholdReopenForm(request.POST or None), household=household,
        title=gettext("恢复在册 %(number)s") % {"number": household.number},
        save=lambda data: services.household_reopen(actor=request.user, household=household, reason=data["reason"]),
        success=lambda _: gettext("已恢复在册"), done_url=_household_url(household.pk))


def _income_saved(record) -> str:
    """What a save changed, so a correction is seen where it is made (not only in the history)."""
    change = getattr(record, "change", None)
    if change is None:
        return gettext("%(year)s年收入没有变化") % {"year": record.year}
    if change.action == change.Action.CREATE:
        return gettext("已登记%(year)s年收入") % {"year": record.year}
    changes = gettext("；").join(gettext("%(field)s %(old)s → %(new)s") % {"field": f, "old": o, "new": n}
                                for f, o, n in change.changes_for_display)
    return gettext("已修改%(year)s年收入：%(changes)s") % {"year": record.year, "changes": changes}


@login_required
def income_add(request, pk: int):
    require_capability(request.user, "registry.edit")
    household = household_get_for_user(request.user, pk=pk)
    # ?year=2024 (the older 修改 link) opens that year's record for editing.
    year = request.GET.get("year", "")
    if year.isdigit() and household_income_history(household).filter(year=int(year)).exists():
        return redirect("registry:income_edit", pk=household.pk, year=int(year))
    form = IncomeRecordForm(request.POST or None, initial={"members_counted": household.members.count() or 1})
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        existing = household_income_history(household).filter(year=year).first()
        if existing and not form.cleaned_data["version"]:
            # Registering a year again would silently replace it: open that year instead.
            messages.warning(request, gettext("%(year)s年已登记收入，已打开该年记录：请在此修改") % {"year": year})
            return redirect("registry:income_edit", pk=household.pk, year=year)
    return _form_page(
        request, form, household=household, title=gettext("登记年度收入"),
        save=lambda data: services.income_record_save(actor=request.user, household=household, year=data["year"],
                                                      data=_pick(data, services.INCOME_FIELDS),
                                                      version=data["version"] or 0, new=not data["version"]),
        success=_income_saved, done_url=_household_url(household.pk))


@login_required
def income_edit(request, pk: int, year: int):
    require_capability(request.user, "registry.edit")
    household = household_get_for_user(request.user, pk=pk)
    record = get_object_or_404(household_income_history(household), year=year)
    form = IncomeRecordForm(request.POST or None, instance=record)
    return _form_page(
        request, form, household=household, title=gettext("修改%(year)s年收入") % {"year": year},
        on_error=record.refresh_from_db,
        save=lambda data: services.income_record_save(actor=request.user, household=household, year=year,
                                                      data=_pick(data, services.INCOME_FIELDS),
                                                      version=data["version"]),
        success=_income_saved, done_url=_household_url(household.pk))


@login_required
@require_POST
def member_id_reveal(request, pk: int):
    member = member_get_for_user(request.user, pk=pk)
    number = services.member_reveal_id_number(actor=request.user, member=member)
    # Replaces the masked value and its 显示 button: a second click cannot log a second reveal by accident.
    return HttpResponse(format_html('<span id="id-{}" class="revealed" title="{}">{}</span>', member.pk,
                                    gettext("已记录查看"), number))


@login_required
@require_POST
def household_phone_reveal(request, pk: int):
    household = household_get_for_user(request.user, pk=pk)
    phone = services.household_reveal_phone(actor=request.user, household=household)
    return HttpResponse(format_html('<span id="phone" class="revealed" title="{}">{}</span>', gettext("已记录查看"),
                                    phone))
