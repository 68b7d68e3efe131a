"""What each role may do with cases, measures and visits. Which step a role may take is the transition table's
business; where (jurisdiction) is the selectors'."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from bangfu.accounts.roles import Role

_WORKERS = frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN})
_ABOVE = frozenset({Role.PREFECTURE_ADMIN, Role.PROVINCE_ADMIN})  # read their subtree, set their level's config
CASE_CAPABILITIES: dict[str, frozenset[str]] = {
    "cases.view": frozenset({*_WORKERS, Role.ASSISTANCE_CONTACT, Role.UNIT_LIAISON, Role.LEAD_COORDINATOR,
                             Role.LEADER, Role.AUDITOR, *_ABOVE}),
    "cases.work": _WORKERS,  # open cases, take the steps the transition table gives their role
    "cases.assist": _WORKERS,  # measures and assistance contacts
    "cases.visit": frozenset({*_WORKERS, Role.ASSISTANCE_CONTACT}),
    "cases.configure": frozenset({Role.COUNTY_ADMIN, *_ABOVE}),
    "cases.quality": frozenset({*_WORKERS, Role.AUDITOR}),
}


def can(user, capability: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.role in CASE_CAPABILITIES.get(capability, frozenset())


def require(user, capability: str) -> None:
    if not can(user, capability):
        raise PermissionDenied(_("您的角色没有此项操作权限"))
