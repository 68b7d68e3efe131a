"""Where a settings page's values come from, and the one action that goes back to the inherited values.

Every region-owned configuration a page shows is one kind below: its model (and the field naming the region),
the capability that edits it, the service that reverts it and the page to return to. Pages ask
`provenance(kind, user, region_code)` for what the shared include web/_config_source.html shows
(本级设置 / 继承自<region> / 系统默认, the notice before saving inherited values, the revert button); the button
posts to `config_revert_view`, which calls the kind's service (the services check the region and audit).
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bangfu.regions.config import config_can_edit, config_provenance, config_region_of


@dataclass(frozen=True)
class ConfigKind:
    model: str  # "app_label.Model"
    field: str
    capability: str
    revert: str  # "module:function", called with actor= and the region
    region_arg: str  # the name the service gives the region: "region" or "county_code"
    page: str  # the URL name to return to
    what: Any  # what the values are, for the page and the message


KINDS = {
    "workflow_settings": ConfigKind("cases.WorkflowSettings", "region", "cases.configure",
                                    "bangfu.cases.services:workflow_settings_revert", "region",
                                    "cases:workflow_config", gettext_lazy("期限与消除条件")),
    "transitions": ConfigKind("cases.Transition", "region", "cases.configure",
                              "bangfu.cases.services:transitions_revert", "region", "cases:workflow_config",
                              gettext_lazy("流程环节")),
    "measure_catalogue": ConfigKind("cases.MeasureCategory", "region", "cases.configure",
                                    "bangfu.cases.services:measure_catalogue_revert", "region",
                                    "cases:workflow_config", gettext_lazy("帮扶措施类别")),
    "rules": ConfigKind("monitoring.Rule", "region", "monitoring.configure",
                        "bangfu.monitoring.services:rules_revert", "region", "monitoring:rule_list",
                        gettext_lazy("预警规则及参数")),
    "evaluation_grades": ConfigKind("assistance.EvaluationGrade", "county", "assistance.configure",
                                    "bangfu.assistance.services:evaluation_grades_revert", "county_code",
                                    "assistance:settings", gettext_lazy("评价等次")),
    "attendance_quota": ConfigKind("assistance.AttendanceQuota", "county", "assistance.configure",
                                   "bangfu.assistance.services:attendance_quota_revert", "county_code",
                                   "assistance:settings", gettext_lazy("驻村考勤要求")),
    "village_roles": ConfigKind("assistance.VillageRoleRequirement", "county", "assistance.configure",
                                "bangfu.assistance.services:village_roles_revert", "county_code",
                                "assistance:settings", gettext_lazy("村帮扶力量要求")),
    "care_settings": ConfigKind("care.CareSettings", "region", "monitoring.configure",
                                "bangfu.care.services:care_settings_revert", "region", "care:settings",
                                gettext_lazy("关爱对象年龄与就业月数")),
}


def _model(kind: ConfigKind):
    from django.apps import apps

    return apps.get_model(kind.model)


def provenance(name: str, user, region_code: str | None):
    """What the page shows for kind `name` at `region_code` (the place whose values the page shows)."""
    kind = KINDS[name]
    editable = bool(region_code) and config_can_edit(user, region_code, kind.capability)
    return config_provenance(_model(kind), region_code, field=kind.field, kind=name, editable=editable,
                             what=str(kind.what))


def config_revert_for(name: str, *, actor, region_code: str | None) -> None:
    """Call kind `name`'s revert service for `region_code`."""
    from importlib import import_module

    kind = KINDS[name]
    module, function = kind.revert.split(":")
    getattr(import_module(module), function)(actor=actor, **{kind.region_arg: region_code})


@login_required
@require_POST
def config_revert_view(request, kind: str):
    """恢复为上级设置: the administrator's own region drops its own values of this kind (the service refuses
    anyone else, in Chinese) and the page they came from shows the inherited values."""
    if kind not in KINDS:
        raise Http404(_("没有这种设置"))
    region_code = config_region_of(request.user)
    try:
        config_revert_for(kind, actor=request.user, region_code=region_code)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("%(what)s已恢复为上级设置") % {"what": KINDS[kind].what})
    return redirect(KINDS[kind].page)
