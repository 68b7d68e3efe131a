"""The shell: login, the work bench (home), the audit log."""

import json
import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.accounts.forms import LockingAuthenticationForm, TotpCodeForm, client_address
from bangfu.accounts.models import User
from bangfu.accounts.services import totp_login_check
from bangfu.audit.filters import AUDIT_FILTERS
from bangfu.audit.selectors import audit_rows, audit_subjects
from bangfu.reports.indicators import (
    INDICATORS,
    breakdown_level_for,
    summary_below_line,
    summary_breakdown,
    summary_totals,
)
from bangfu.reports.selectors import village_summaries_visible_to
from bangfu.web.exports import list_export_context
from bangfu.web.lists import list_page

# Between the password and the code: who, with which backend, since when, and where to go. The session is not
# logged in meanwhile, so every page still asks for a login.
TOTP_PENDING = "bangfu_totp_pending"
TOTP_PENDING_SECONDS = 300


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True
    authentication_form = LockingAuthenticationForm

    def form_valid(self, form):
        user = form.get_user()
        if not user.totp_enabled:
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[TOTP_PENDING] = {"user": user.pk, "backend": user.backend, "at": int(time.time()),
                                              "next": self.get_success_url()}
        return redirect("web:login_totp")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            from bangfu.demo.builder import DEMO_PASSWORD, DEMO_USERS

            context["demo_accounts"] = [(username, name) for username, name, *_ in DEMO_USERS]
            context["demo_password"] = DEMO_PASSWORD
        return context


def login_totp(request):
    """The second login step of an account with a TOTP code: the code, then the session is logged in."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    pending = request.session.get(TOTP_PENDING)
    user = None
    if isinstance(pending, dict) and time.time() - pending.get("at", 0) <= TOTP_PENDING_SECONDS:
        user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None or not user.totp_enabled:
        request.session.pop(TOTP_PENDING, None)
        messages.info(request, _("请重新输入用户名和密码登录。"))
        return redirect(settings.LOGIN_URL)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = totp_login_check(user=user, code=form.cleaned_data["code"], address=client_address(request))
        if error is None:
            del request.session[TOTP_PENDING]
            login(request, user, backend=pending["backend"])
            target = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
                target = resolve_url(settings.LOGIN_REDIRECT_URL)
            return redirect(target)
        form.add_error("code", error)
    return render(request, "web/login_totp.html", {"form": form, "username": user.username},
                  status=400 if form.errors else 200)


@login_required
def home(request):
    context = {"indicators": [], "breakdown": [], "breakdown_level": None, "chart": "{}"}
    if request.user.can("registry.view"):
        # Kept figures (reports.summaries): a few hundred summary rows, not a recount of the registry.
        summaries = village_summaries_visible_to(request.user)
        totals = summary_totals(summaries)
        level = breakdown_level_for(request.user)
        breakdown = summary_breakdown(summaries, level=level) if level else []
        # A unit's linked villages lie in several townships: name each with its township (双河镇团结村).
        with_township = bool(request.user.unit_id)
        for row in breakdown:
            row["label"] = f"{row['township']}{row['short_name']}" if with_township else row["short_name"]
        # The households most at risk of being missed: kept per village with the list's own condition
        # (registry.selectors.below_line_q), so the figure and the list it links to agree.
        below_line = summary_below_line(summaries)
        context.update(
            indicators=[(i, totals[i.key]) for i in INDICATORS],
            below_line=below_line,
            breakdown=breakdown,
            breakdown_level={"township": _("乡镇"), "village": _("村（社区）")}.get(level),
            chart=json.dumps({
                "names": [row["label"] for row in breakdown],
                "households": [row["households"] for row in breakdown],
                "monitored": [row["monitored"] for row in breakdown],
                "risk_open": [row["risk_open"] for row in breakdown],
                # The reader's language, for the legend and axes (the script has no translations of its own).
                "labels": {"households": str(_("农户")), "monitored": str(_("监测对象")),
                           "risk_open": str(_("风险未消除")), "unit": str(_("户"))},
            }, ensure_ascii=False),
        )
    context["assistance"] = _assistance_overview(request.user)
    return render(request, "web/home.html", context)


def _assistance_overview(user):
    """For those who read paired assistance and act on no case (a leader, the assessment group): this year's funds
    and projects against the plan's targets, linked to the plan page. None for everyone else."""
    from bangfu.assistance.selectors import plan_covering, plans_in_order, units_visible_to
    from bangfu.cases import clock
    from bangfu.cases.permissions import can as case_can
    from bangfu.reports.assistance_indicators import assistance_overview

    if not user.can("assistance.view") or user.unit_id or any(
            case_can(user, c) for c in ("cases.work", "cases.assist", "cases.visit")):
        return None
    units = units_visible_to(user)
    if not units.exists():
        return None
    year = clock.today().year
    plan = plan_covering(plans_in_order(user), year)
    return {"year": year, "plan": plan, "figures": assistance_overview(plan, units, year)}


@login_required
def audit_log(request):
    """Who changed what, and who saw or exported personal data, within the reader's jurisdiction."""
    if not request.user.can("audit.view"):
        raise PermissionDenied(_("只有县级管理员和考核督查角色可以查看变更记录"))
    view = request.GET.get("view")
    reveals, security = view == "reveals", view == "security"

    tab = "security" if security else "reveals" if reveals else "changes"
    return list_page(request, filters=AUDIT_FILTERS, rows=lambda values: audit_rows(request.user, values, view=tab),
                     page_size=50, prepare=None if security else audit_subjects, template="web/audit_log.html",
                     partial="web/_audit_table.html", context={"reveals": reveals, "security": security,
                                                              **list_export_context(request, f"audit-{tab}")})


@login_required
@require_POST
def list_export_view(request, key: str):
    """A list page's 导出 Excel button: the list as the user sees it through the filter on screen (the form carries
    it), as a background job, or at once for a small list of no personal data."""
    from bangfu.web.exports import form_data, list_export_get, list_export_inline, list_export_start

    export = list_export_get(key)
    if export is None:
        raise Http404(_("没有这个列表"))
    if not export.allowed(request.user):
        raise PermissionDenied(_("您的角色不能导出该列表"))
    data = form_data(export, request.user, request.POST)
    if export.inline:
        name, content = list_export_inline(actor=request.user, key=key, data=data)
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    job = list_export_start(actor=request.user, key=key, data=data, full=request.POST.get("full") == "on")
    return redirect("jobs:job_detail", pk=job.pk)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def healthz(request):
    """For a load balancer or a monitor: 200 when the database answers and a worker beats, else 503 (which)."""
    from bangfu.jobs.health import health

    answer = health()
    return JsonResponse(answer, status=200 if answer["ok"] else 503)
