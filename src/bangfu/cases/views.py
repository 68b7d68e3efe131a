"""Case pages: thin views that parse, call a selector or service, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from bangfu.cases import clock, services
from bangfu.cases.choices import OPEN_STATES, CaseKind, CaseState
from bangfu.cases.conditions import elimination_blockers, household_measure_mismatches, household_risk_types
from bangfu.cases.documents import (
    card_docx,
    card_for_household,
    document_release_record,
    notice_docx,
    notice_for_village,
)
from bangfu.cases.forms import (
    CASE_LIST_STATES,
    CaseOpenForm,
    ContactForm,
    EliminationForm,
    LeadCloseForm,
    LeadRegisterForm,
    MeasureCategoryForm,
    MeasureForm,
    ReverseForm,
    SettingsForm,
    StepForm,
    TransitionForm,
    VisitForm,
    settings_form_data,
    settings_form_initial,
)
from bangfu.cases.models import AssistanceContact, Measure, QualityRun, Transition
from bangfu.cases.permissions import can, require
from bangfu.cases.quality import RULE_LABELS
from bangfu.cases.selectors import (
    case_decisions,
    case_get_for_user,
    cases_filtered,
    cases_visible_to,
    household_cases,
    household_measures,
    household_visits,
    transitions_for,
    work_queue_for,
)
from bangfu.cases.tables import CASE_TABLE, MEASURE_TABLE, VISIT_TABLE
from bangfu.cases.workflow import PRECONDITIONS
from bangfu.core.scoping import code_range_q, region_in_scope, village_scope
from bangfu.jobs.context import starts_jobs
from bangfu.monitoring.tables import LEAD_TABLE
from bangfu.regions.models import Region
from bangfu.registry.selectors import household_get_for_user
from bangfu.web.exports import list_export_context
from bangfu.web.helpers import form_errors_from


def _errors_to_messages(request, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


@login_required
@require_safe
def case_list(request):
    require(request.user, "cases.view")
    state = request.GET.get("state", "open")
    kind = request.GET.get("kind", "")
    mine = request.GET.get("mine") == "on"
    region, step = request.GET.get("region", "")[:12], request.GET.get("step", "")
    cases = cases_filtered(request.user, state=state, kind=kind, mine=mine, region=region, step=step)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    from bangfu.monitoring.selectors import leads_filtered
    from bangfu.web.lists import first_and_count

    leads, leads_count = first_and_count(leads_filtered(request.user, state="new"), 20) \
        if can(request.user, "cases.work") else ([], 0)
    return render(request, "cases/case_list.html", {
        "leads": leads, "leads_count": leads_count, "query": query.urlencode(),
        "page": page, "table": CASE_TABLE.bind(page.object_list, user=request.user),
        "lead_table": LEAD_TABLE.bind(leads, user=request.user), "queue": work_queue_for(request.user),
        "state": state, "kind": kind, "mine": mine,
        "today": clock.today(), "states": CASE_LIST_STATES, "region": region, "step": step,
        "region_name": Region.objects.filter(code=region).values_list("name", flat=True).first() if region else "",
        "step_label": dict(CaseState.choices).get(step, "") if step else "",
        "kinds": CaseKind.choices, **list_export_context(request, "cases")})


@login_required
def case_open(request, pk: int):
    """Open an identification case for a household (a cadre's report or by hand)."""
    require(request.user, "cases.work")
    household = household_get_for_user(request.user, pk=pk)
    form = CaseOpenForm(request.POST or None, initial={"lead_date": clock.today(), "source": "cadre_report"})
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已登记线索，请在期限内入户核实"))
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/form_page.html", {
        "form": form, "household": household, "title": _("登记识别线索")})


@login_required
@require_POST
def case_open_from_lead(request, pk: int):
    """Take a lead from the early-warning module into identification."""
    from bangfu.monitoring.selectors import leads_visible_to

    require(request.user, "cases.work")
    lead = leads_visible_to(request.user).filter(pk=pk).first()
    if lead is None:
        raise Http404(_("没有找到该线索，或不在您的管辖范围内"))
    try:
        case = services.case_open_from_lead(actor=request.user, lead=lead)
    except ValidationError as error:
        _errors_to_messages(request, error)
        return redirect("cases:case_list")
    messages.success(request, _("已纳入识别，请在期限内入户核实"))
    return redirect("cases:case_detail", pk=case.pk)


def _lead_for(request, pk: int):
    from bangfu.monitoring.selectors import leads_visible_to

    lead = leads_visible_to(request.user).filter(pk=pk).first()
    if lead is None:
        raise Http404(_("没有找到该线索，或不在您的管辖范围内"))
    return lead


def lead_actions(user, lead) -> dict:
    """What this user may do with this lead now: every new lead can be closed with a reason; one with a household
    is taken into identification, or attached to the household's open case; an unmatched self-report can be
    registered as a household or a member. Only what the user's role and jurisdiction allow."""
    if lead.state != "new" or not can(user, "cases.work"):
        return {}
    actions: dict = {"close": True}
    if lead.household_id is None:
        actions["register"] = bool(lead.id_number_cipher) and user.can("registry.edit")
        return actions
    open_case = (cases_visible_to(user).filter(household_id=lead.household_id, state__in=OPEN_STATES)
                 .order_by("-opened_at", "-id").first())
    if open_case:
        actions["attach"] = open_case
    elif lead.household.monitoring_status == "risk_open":
        actions["monitored"] = True  # nothing to identify: follow it with a measure, then close it with the reason
    else:
        actions["open"] = True
    return actions


@login_required
@require_safe
def lead_detail(request, pk: int):
    """One lead and what can be done with it (no dead ends): open, attach, register, close."""
    require(request.user, "cases.view")
    return _lead_page(request, _lead_for(request, pk))


def _lead_page(request, lead, *, close_form=None, register_form=None, status: int = 200):
    masked_id = ""
    if lead.id_number_cipher:
        from bangfu.core.crypto import field_cipher
        from bangfu.core.masking import mask_id_number

        masked_id = mask_id_number(field_cipher().decrypt("id_number", lead.id_number_cipher))
    return render(request, "cases/lead_detail.html", {
        "lead": lead, "actions": lead_actions(request.user, lead), "masked_id": masked_id,
        "close_form": close_form or LeadCloseForm(), "register_form": register_form or LeadRegisterForm(),
        "cases": list(lead.cases.all()) + ([lead.case] if lead.case_id else [])}, status=status)


@login_required
@require_POST
def lead_attach(request, pk: int):
    lead = _lead_for(request, pk)
    try:
        case = services.lead_attach_to_case(actor=request.user, lead=lead)
    except ValidationError as error:
        _errors_to_messages(request, error)
        return redirect("cases:lead_detail", pk=lead.pk)
    messages.success(request, _("已将线索并入在办案件"))
    return redirect("cases:case_detail", pk=case.pk)


@login_required
@require_POST
def lead_close(request, pk: int):
    from bangfu.monitoring.services import lead_close as close

    lead = _lead_for(request, pk)
    form = LeadCloseForm(request.POST)
    if form.is_valid():
        try:
            close(actor=request.user, lead=lead, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已关闭线索"))
            return redirect("cases:lead_detail", pk=lead.pk)
    return _lead_page(request, lead, close_form=form, status=400)


@login_required
@require_POST
def lead_register(request, pk: int):
    """An unmatched self-report registered as a new household or a member, through the registry's services."""
    from bangfu.monitoring.services import lead_register_household, lead_register_member
    from bangfu.registry.selectors import households_visible_to

    lead = _lead_for(request, pk)
    form = LeadRegisterForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["mode"] == "member":
                household = households_visible_to(request.user).filter(
                    number=data["household_number"].strip()).first()
                if household is None:
                    raise ValidationError({"household_number": _("户编号：在您的管辖范围内没有找到该户")})
                lead_register_member(actor=request.user, lead=lead, household=household, relation=data["relation"])
            else:
                lead_register_household(actor=request.user, lead=lead, group=data["group"])
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已登记，可以纳入识别"))
            return redirect("cases:lead_detail", pk=lead.pk)
    return _lead_page(request, lead, register_form=form, status=400)


@login_required
@require_safe
def case_detail(request, pk: int):
    return _case_page(request, case_get_for_user(request.user, pk=pk))


def _case_page(request, case, *, bound=None, status: int = 200):
    """The case's page; `bound`, a step's form as submitted and refused, is shown in place of that step's empty
    form, so nothing typed is lost after an error (a county approval's opinion, dates and amounts)."""
    steps = [(t, bound if bound is not None and bound.transition.pk == t.pk
              else StepForm(transition=t, case=case, prefix=f"t{t.pk}"))
             for t in transitions_for(case, request.user)]
    return render(request, "cases/case_detail.html", status=status, context={
        "case": case, "decisions": _with_recorded(case_decisions(case)), "steps": steps if can(request.user, "cases.work") else [],
        "household": case.household, "today": clock.today(),
        "preconditions": {k: v.label for k, v in PRECONDITIONS.items()},
        "reverse_form": ReverseForm(initial={"version": case.version})
        if case.kind == CaseKind.ELIMINATION and case.state == CaseState.APPROVED and can(request.user, "cases.work")
        and (request.user.is_superuser or request.user.role == "county_admin") else None})


def _with_recorded(decisions):
    """Each decision's recorded fields under their labels, with coded values (risk types ...) as people read them."""
    from bangfu.cases.choices import CaseSource, EliminationKind, RiskType
    from bangfu.cases.models import Case
    from bangfu.registry.choices import MonitoringType

    labels = {f.name: f.verbose_name for f in Case._meta.get_fields() if hasattr(f, "verbose_name")}
    coded = {**dict(RiskType.choices), **dict(MonitoringType.choices), **dict(EliminationKind.choices),
             **dict(CaseSource.choices)}
    rows = list(decisions)
    for decision in rows:
        decision.recorded = []
        for key, value in (decision.data or {}).items():
            if value in ("", None, []):
                continue
            values = value if isinstance(value, list) else [value]
            shown = "、".join(str(coded.get(v, v)) if isinstance(v, str) else str(v) for v in values)
            decision.recorded.append((labels.get(key, key), shown))
    return rows


@login_required
@require_POST
def case_advance(request, pk: int, transition_id: int):
    case = case_get_for_user(request.user, pk=pk)
    transition = get_object_or_404(Transition, pk=transition_id, kind=case.kind)
    form = StepForm(request.POST, transition=transition, case=case, prefix=f"t{transition.pk}")
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return _case_page(request, case, bound=form, status=400)
    try:
        case = services.case_advance(actor=request.user, case=case, transition=transition,
                                     version=form.cleaned_data["version"], comment=form.cleaned_data["comment"],
                                     data=form.step_data())
    except ValidationError as error:
        _errors_to_messages(request, error)
        # What was typed stays on the page (the service refused it: a rule, or someone decided first).
        return _case_page(request, case_get_for_user(request.user, pk=case.pk), bound=form, status=400)
    messages.success(request, _("已办理：%(step)s") % {"step": transition.label})
    return redirect("cases:case_detail", pk=case.pk)


@login_required
@require_POST
def case_reverse(request, pk: int):
    case = case_get_for_user(request.user, pk=pk)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            services.elimination_reverse(actor=request.user, case=case, version=form.cleaned_data["version"],
                                         comment=form.cleaned_data["comment"])
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            messages.success(request, _("已撤销风险消除，该户恢复为风险未消除"))
    else:
        messages.error(request, _("返贫风险情况：撤销须写明返贫风险的情况"))
    return redirect("cases:case_detail", pk=case.pk)


@login_required
@require_safe
def household_assistance(request, pk: int):
    """A household's identification and assistance: cases, contact, measures (with the risk match), visits."""
    require(request.user, "cases.view")
    household = household_get_for_user(request.user, pk=pk)
    cases = list(household_cases(household))  # a household has a handful: read once, the open one found in them
    risks = household_risk_types(household)
    measures = household_measures(household)
    return render(request, "cases/household_assistance.html", {
        "household": household, "cases": cases, "measures": measures,
        "measure_table": MEASURE_TABLE.bind(measures, user=request.user),
        "visit_table": VISIT_TABLE.bind(household_visits(household)[:20], user=request.user), "risks": risks, "risk_labels": _risk_labels(risks),
        "mismatches": household_measure_mismatches(household) if household.monitoring_type else [],
        "contact": AssistanceContact.objects.filter(household=household).first(),
        "blockers": elimination_blockers(household, today=clock.today())
        if household.monitoring_status == "risk_open" else None,
        "open_case": next((case for case in cases if case.state in OPEN_STATES), None),
        "can_work": can(request.user, "cases.work"), "can_assist": can(request.user, "cases.assist"),
        "can_visit": can(request.user, "cases.visit")})


def _risk_labels(codes):
    from bangfu.cases.choices import RiskType

    labels = dict(RiskType.choices)
    return [labels.get(c, c) for c in codes]


def _household_form(request, pk, *, capability, form_class, title, save, success, initial=None, template=None):
    require(request.user, capability)
    household = household_get_for_user(request.user, pk=pk)
    extra = {"region_code": household.village_id} if form_class is MeasureForm else {}
    form = form_class(request.POST or None, initial=initial or {}, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            save(household, form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, success)
            return redirect("cases:household_assistance", pk=household.pk)
    return render(request, template or "cases/form_page.html", {"form": form, "household": household,
                                                                "title": title})


@login_required
def measure_add(request, pk: int):
    def save(household, data):
        measure = services.measure_add(actor=request.user, household=household, data=data)
        for warning in services.measure_limit_warnings(measure):
            messages.warning(request, warning)
        for problem in household_measure_mismatches(household):
            messages.warning(request, _("措施与风险不匹配：%(problem)s") % {"problem": problem})

    return _household_form(request, pk, capability="cases.assist", form_class=MeasureForm, title=_("新增帮扶措施"),
                           save=save, success=_("已新增帮扶措施"), initial={"start_on": clock.today(),
                                                                       "status": "in_progress"})


@login_required
def measure_edit(request, pk: int):
    require(request.user, "cases.assist")
    measure = get_object_or_404(Measure.objects.select_related("household"), pk=pk)
    household = household_get_for_user(request.user, pk=measure.household_id)  # 404 outside the jurisdiction
    initial = {f: getattr(measure, f) for f in ("category", "description", "start_on", "end_on", "amount",
                                                 "responsible", "status")}
    form = MeasureForm(request.POST or None, initial=initial, region_code=household.village_id,
                       keep=measure.category_id)
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.measure_update(actor=request.user, measure=measure, data=form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已保存帮扶措施"))
            for warning in services.measure_limit_warnings(measure):
                messages.warning(request, warning)
            return redirect("cases:household_assistance", pk=household.pk)
    return render(request, "cases/form_page.html", {"form": form, "household": household,
                                                    "title": _("修改帮扶措施")})


@login_required
def contact_set(request, pk: int):
    contact = AssistanceContact.objects.filter(household_id=pk).first()
    initial = {"name": contact.name, "post": contact.post, "since": contact.since} if contact else {}
    return _household_form(
        request, pk, capability="cases.assist", form_class=ContactForm, title=_("帮扶联系人"),
        save=lambda household, data: services.assistance_contact_set(actor=request.user, household=household,
                                                                     **data),
        success=_("已保存帮扶联系人"), initial=initial)


@login_required
def visit_add(request, pk: int):
    return _household_form(
        request, pk, capability="cases.visit", form_class=VisitForm, title=_("记录走访"),
        save=lambda household, data: services.visit_record(actor=request.user, household=household, **data),
        success=_("已记录走访"), initial={"visited_on": clock.today()})


@login_required
def elimination_propose(request, pk: int):
    """Propose risk elimination: shows each condition of DOMAIN.md §5.6 that blocks, before anything is written."""
    require(request.user, "cases.work")
    household = household_get_for_user(request.user, pk=pk)
    form = EliminationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, household=household, kind=CaseKind.ELIMINATION,
                                      elimination_kind=form.cleaned_data["elimination_kind"],
                                      summary=form.cleaned_data["summary"])
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已提出风险消除，按识别同样的程序办理"))
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/elimination_propose.html", {
        "form": form, "household": household, "blockers": elimination_blockers(household, today=clock.today())})


# --- documents ---------------------------------------------------------------------------------------------------

def _docx_response(data: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _village_for(request, code: str) -> Region:
    village = Region.objects.select_related("parent").filter(code=code, level="village").first()
    if village is None or not region_in_scope(request.user, code):
        raise Http404(_("没有找到该村，或不在您的管辖范围内"))
    return village


@login_required
@require_safe
def notice(request, code: str):
    require(request.user, "cases.view")
    village = _village_for(request, code)
    data = notice_for_village(village, cases=cases_visible_to(request.user))
    if request.GET.get("format") == "docx":
        document_release_record(actor=request.user, notice=data, village=village)
        return _docx_response(notice_docx(data), f"{village.name}公示.docx")
    return render(request, "cases/notice.html", {"notice": data, "village": village})


@login_required
@require_safe
def card(request, pk: int):
    require(request.user, "cases.view")
    household = household_get_for_user(request.user, pk=pk)
    data = card_for_household(household)
    if request.GET.get("format") == "docx":
        document_release_record(actor=request.user, card=data, household=household)
        return _docx_response(card_docx(data), f"明白卡-{household.number}.docx")
    return render(request, "cases/card.html", {"card": data, "household": household})


# --- configuration and data quality ---------------------------------------------------------------------------

@login_required
def workflow_config(request):
    """The transition table and the deadlines: data the county edits, every change audited."""
    require(request.user, "cases.view")
    services.transitions_ensure_defaults()
    settings = services.workflow_settings(request.user.region_id)
    editable = can(request.user, "cases.configure")
    form = SettingsForm(request.POST or None, initial=settings_form_initial(settings))
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("只有县级监测管理员可以修改流程设置"))
        if form.is_valid():
            try:
                services.workflow_settings_update(actor=request.user, data=settings_form_data(form))
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已保存期限设置"))
                return redirect("cases:workflow_config")
    from bangfu.web.config_sources import provenance

    region_code = request.user.region_id
    return render(request, "cases/workflow_config.html", {
        "form": form, "editable": editable,
        "sources": {name: provenance(name, request.user, region_code)
                    for name in ("workflow_settings", "transitions", "measure_catalogue")},
        "transitions": services.transitions_in_force(request.user.region_id).order_by("kind", "position", "id"),
        "catalogue": services.measure_catalogue(request.user.region_id).order_by("position", "id"),
        "preconditions": {k: v.label for k, v in PRECONDITIONS.items()}})


def _configuration_row_edit(request, row, form_class, update, saved: str, title: str, kind: str):
    """Edit one row of the county's workflow configuration (a transition, a catalogue category) through its
    audited service, back to the settings page once saved. The caller has checked the right to configure.
    The page says where the row comes from, and that saving an inherited row makes the table the region's own."""
    from bangfu.web.config_sources import provenance

    initial = {f: getattr(row, f) for f in form_class.base_fields}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, saved)
            return redirect("cases:workflow_config")
    return render(request, "cases/form_page.html", {
        "form": form, "title": title, "source": provenance(kind, request.user, request.user.region_id)})


@login_required
def transition_edit(request, pk: int):
    require(request.user, "cases.configure")
    transition = get_object_or_404(services.transitions_in_force(request.user.region_id), pk=pk)
    return _configuration_row_edit(
        request, transition, TransitionForm,
        lambda **kw: services.transition_update(transition=transition, **kw), _("已保存流程环节"), str(transition),
        "transitions")


@login_required
def measure_category_edit(request, pk: int):
    """One row of the measure catalogue (its limits): county only, audited."""
    require(request.user, "cases.configure")
    category = get_object_or_404(services.measure_catalogue(request.user.region_id), pk=pk)
    return _configuration_row_edit(
        request, category, MeasureCategoryForm,
        lambda **kw: services.measure_category_update(category=category, **kw), _("已保存帮扶措施类别"),
        category.name, "measure_catalogue")


@login_required
@starts_jobs
def quality_report(request):
    """The latest data-quality run over the user's place, problem by problem, village by village, with fix links."""
    require(request.user, "cases.quality")
    from bangfu.regions.selectors import region_root_for

    region = region_root_for(request.user)
    if region is None:
        raise Http404(_("您的账号没有绑定区划"))
    if request.method == "POST":
        from bangfu.jobs.services import JobBusy, job_start

        try:
            job = job_start(actor=request.user, kind="data_quality", title=_("数据质量核查：%(region)s") % {
                "region": region.name}, params={"region": region.code}, target=region.code)
        except JobBusy as busy:
            messages.error(request, busy.messages[0])
            return redirect("cases:quality_report")
        messages.success(request, _("已开始数据质量核查，完成后可在此查看"))
        return redirect("jobs:job_detail", pk=job.pk)
    code = region.code
    enclosing = {code[:2].ljust(12, "0"), code[:4].ljust(12, "0"), code[:6].ljust(12, "0"), code[:9].ljust(12, "0")}
    run = (QualityRun.objects.filter(Q(region_id__in=enclosing) | code_range_q(region.code_range, field="region_id"))
           .exclude(finished_at=None).order_by("-started_at", "-id").first())
    villages = []
    if run:
        problems = (run.problems.filter(code_range_q(region.code_range)).filter(village_scope(request.user))
                    .select_related("household", "village").order_by("village_id", "household__number", "rule"))
        by_village: dict[str, dict] = {}
        for problem in problems[:5000]:
            entry = by_village.setdefault(problem.village_id, {"village": problem.village, "problems": []})
            problem.rule_label = RULE_LABELS.get(problem.rule, problem.rule)
            name = FIX_PAGES.get(problem.rule, "cases:household_assistance")
            problem.fix_url = reverse(name, args=[problem.household_id])
            entry["problems"].append(problem)
        villages = list(by_village.values())
    return render(request, "cases/quality_report.html", {"run": run, "villages": villages, "region": region})


# Where each problem is fixed: the registry's forms for registry fields, the assistance page for measures and risks.
FIX_PAGES = {"missing_identified_month": "registry:household_edit", "missing_housing": "registry:household_edit",
             "missing_income": "registry:income_add", "income_adds_up": "registry:household_detail",
             "member_too_old": "registry:household_detail", "eliminated_below_line": "registry:household_detail"}
