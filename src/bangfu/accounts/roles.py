"""The roles of DOMAIN.md §2 and what each may do. Where a user sits (region or unit) limits what they see."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("县级监测管理员")
    TOWNSHIP_REVIEWER = "township_reviewer", _("乡镇审核员")
    VILLAGE_CADRE = "village_cadre", _("村干部/驻村工作队")
    ASSISTANCE_CONTACT = "assistance_contact", _("帮扶联系人")
    UNIT_LIAISON = "unit_liaison", _("帮扶单位联络员")
    LEAD_COORDINATOR = "lead_coordinator", _("牵头单位协调员")
    DEPARTMENT_OPERATOR = "department_operator", _("部门数据员")
    LEADER = "leader", _("领导（只读）")
    AUDITOR = "auditor", _("考核督查（只读）")


# Capabilities are checked by services and views; the scope (region subtree or unit) is checked by selectors.
# assistance.*: paired assistance (assistance/); which units' records a user reads or writes is assistance.selectors'.
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset({"registry.view", "registry.edit", "registry.reveal", "registry.export",
                                  "registry.export_personal", "audit.view", "accounts.manage",
                                  "monitoring.configure", "monitoring.screen", "monitoring.feed_upload",
                                  "monitoring.verify", "monitoring.lead", "assistance.view", "assistance.edit",
                                  "assistance.coordinate", "assistance.configure", "assistance.approve_leave",
                                  "assistance.file_finding"}),
    Role.TOWNSHIP_REVIEWER: frozenset({"registry.view", "registry.edit", "registry.reveal", "registry.export",
                                       "registry.export_personal", "assistance.approve_leave", "monitoring.verify",
                                       "monitoring.lead"}),
    # A village cadre exports their own village's ledger masked; full ID numbers leave only from the township up.
    Role.VILLAGE_CADRE: frozenset({"registry.view", "registry.edit", "registry.reveal", "registry.export",
                                   "monitoring.verify", "monitoring.lead"}),
    Role.ASSISTANCE_CONTACT: frozenset({"registry.view"}),
    Role.UNIT_LIAISON: frozenset({"registry.view", "assistance.view", "assistance.edit"}),
    Role.LEAD_COORDINATOR: frozenset({"registry.view", "assistance.view", "assistance.edit",
                                      "assistance.coordinate"}),
    Role.DEPARTMENT_OPERATOR: frozenset({"monitoring.feed_upload"}),
    Role.LEADER: frozenset({"registry.view", "registry.export", "assistance.view"}),
    # The assessment group (考核评估组) reads everything and files the problems it finds (DOMAIN.md §2), no more.
    Role.AUDITOR: frozenset({"registry.view", "registry.reveal", "registry.export", "registry.export_personal",
                             "audit.view", "assistance.view", "assistance.file_finding"}),
}

UNIT_ROLES = frozenset({Role.UNIT_LIAISON, Role.LEAD_COORDINATOR})
