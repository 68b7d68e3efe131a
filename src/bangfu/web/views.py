"""The shell: login, the work bench (home), the audit log."""

import json
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.accounts.forms import LockingAuthenticationForm
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


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True
    authentication_form = LockingAuthenticationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            from bangfu.demo.builder import DEMO_PASSWORD, DEMO_USERS

            context["demo_accounts"] = [(username, name) for username, name, *_ in DEMO_USERS]
            context["demo_password"] = DEMO_PASSWORD
        return context


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
    return render(request, "web/home.html", context)


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
    return JsonResponse({"ok": True})
